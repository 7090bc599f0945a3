#include "client/link/program_beside.hpp"

#include <unistd.h>

#include <cstdlib>

#include "core/util/path.hpp"

namespace kas::cli {

std::string program_beside_kas(const char* env, std::string_view name, std::initializer_list<std::string_view> dirs) {
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  const std::string self = path::real_path("/proc/self/exe");
  const std::string here = self.substr(0, self.rfind('/'));
  for (std::string_view dir : dirs) {
    std::string candidate = here + "/";
    if (!dir.empty()) candidate.append(dir).append("/");
    candidate.append(name);
    if (::access(candidate.c_str(), X_OK) == 0) return path::normalize(candidate);
  }
  return std::string(name);
}

}  // namespace kas::cli
