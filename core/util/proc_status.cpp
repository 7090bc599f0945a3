#include "core/util/proc_status.hpp"

#include <fstream>

namespace kas {

std::optional<std::string> proc_status_field(const std::string& pid, std::string_view key) {
  std::ifstream status("/proc/" + pid + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.size() <= key.size() || line.compare(0, key.size(), key) != 0 || line[key.size()] != ':') continue;
    const size_t value = line.find_first_not_of(" \t", key.size() + 1);
    return value == std::string::npos ? std::string() : line.substr(value);
  }
  return std::nullopt;
}

}  // namespace kas
