#include "core/index/installed_kernel.hpp"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <vector>

#include "core/util/file.hpp"
#include "core/util/path.hpp"

namespace kas {

namespace {

// Debian's linux-image packages ship a one-line placeholder System.map that
// points at the -dbg package; it must not pass for the real thing.
bool is_placeholder_system_map(const std::string& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || st.st_size >= 4096) return false;  // a real one is megabytes
  auto data = read_file(p);
  return data && data->find("The real System.map is in") != std::string::npos;
}

std::string running_release() {
  struct utsname u {};
  return ::uname(&u) == 0 ? u.release : "";
}

}  // namespace

Result<CensusSources> installed_kernel_sources(const std::string& dir_or_release, const std::string& system_map) {
  std::string dir;
  std::string release;
  if (dir_or_release.find('/') != std::string::npos || is_directory(dir_or_release)) {
    dir = path::normalize(dir_or_release);
    release = std::string(path::basename(dir));
  } else {
    release = dir_or_release;
    dir = "/lib/modules/" + release;
  }
  if (!is_directory(dir)) {
    return fail(ErrorCode::kNotFound, dir + ": no such modules directory for kernel '" + release + "'");
  }

  CensusSources sources;
  sources.module_dirs.push_back(dir);
  if (!system_map.empty()) {
    if (!is_regular_file(system_map)) return fail(ErrorCode::kNotFound, system_map + ": no such System.map");
    sources.nm_path = system_map;
    return sources;
  }
  std::vector<std::string> candidates = {dir + "/System.map",
                                         path::join(dir, "../../../boot/System.map-" + release),
                                         path::join(dir, "../../../usr/lib/debug/boot/System.map-" + release),
                                         "/boot/System.map-" + release,
                                         "/usr/lib/debug/boot/System.map-" + release};
  for (const std::string& c : candidates) {
    if (is_regular_file(c) && !is_placeholder_system_map(c)) {
      sources.nm_path = c;
      return sources;
    }
  }
  if (release == running_release() && is_regular_file("/proc/kallsyms")) {
    sources.nm_path = "/proc/kallsyms";
    return sources;
  }
  std::string looked;
  for (const std::string& c : candidates) looked += " " + c;
  return fail(ErrorCode::kNotFound, "no System.map for kernel '" + release + "' (looked at" + looked +
                                        "; Debian ships the real one in linux-image-" + release +
                                        "-dbg); pass --system-map FILE");
}

}  // namespace kas
