// A kernel named by the user becomes its files here, for the alias and the
// query commands alike. An installed kernel is two sets of files: what its
// image package installs (System.map, stripped modules in /lib/modules/R),
// enough to count a census, and what its debug package adds below
// /usr/lib/debug, which an index needs. A release or a modules directory
// is first turned into (release, modules directory or root), the same way
// for both, then each need looks in its own places.
#include "core/index/kernel_name.hpp"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <string_view>
#include <vector>

#include "core/util/file.hpp"
#include "core/util/path.hpp"

namespace kas {

namespace {

// An installed kernel as the user named it: a release, with the modules
// directory when one was given instead.
struct Installed {
  std::string release;
  std::string dir;   // "" when named by release
  std::string root;  // for a release: "" = /
};

std::unexpected<Error> no_modules_directory(const std::string& dir, const std::string& release) {
  return fail(ErrorCode::kNotFound, dir + ": no such modules directory for kernel '" + release + "'");
}

// Where a debug package puts vmlinux-R, below its root.
constexpr std::string_view kDebugBoot = "usr/lib/debug/boot";

// A file named where a release or a modules directory was expected. The
// debug package's ROOT/usr/lib/debug/boot/vmlinux-R is release R below
// ROOT (what the user has at hand after unpacking one, or after looking up
// which file kas reads); any other file is explained: what --kernel takes,
// and the option that takes a file.
Result<Installed> installed_of_file(const std::string& file, KernelNeeds needs) {
  const std::string p = path::normalize(file);
  const std::string_view name = path::basename(p);
  const std::string dir = path::directory(p);
  const bool named_by_release = name.starts_with("vmlinux-") && name.size() > 8;
  if (named_by_release && (dir == kDebugBoot || dir.ends_with("/" + std::string(kDebugBoot)))) {
    Installed k;
    k.release = std::string(name.substr(8));
    k.root = dir.substr(0, dir.size() - kDebugBoot.size());
    if (k.root.empty()) k.root = ".";  // "" would be /
    return k;
  }
  const std::string release = named_by_release ? std::string(name.substr(8)) : "RELEASE";
  return fail(ErrorCode::kInvalidArgument,
              p + " is a file: --kernel takes a release as uname -r prints it (6.1.0-56-amd64), a modules "
                  "directory, or a debug package's vmlinux (ROOT/usr/lib/debug/boot/vmlinux-RELEASE); give " +
                  (needs == KernelNeeds::kDebugInfo ? "--vmlinux " + p + " for this file" : "--nm " + p) +
                  ", or --kernel " + release + " for the installed kernel's files");
}

Result<Installed> installed_of(const KernelName& name, KernelNeeds needs) {
  Installed k;
  if (name.kind == KernelName::Kind::kRunning) {
    k.release = running_release();
    k.root = name.root;
    return k;
  }
  const std::string& where = name.where;
  if (is_regular_file(where) && (where.find('/') != std::string::npos || where.starts_with("vmlinux"))) {
    return installed_of_file(where, needs);
  }
  if (where.find('/') != std::string::npos || is_directory(where)) {
    k.dir = path::normalize(where);
    k.release = std::string(path::basename(k.dir));
    if (!is_directory(k.dir)) return no_modules_directory(k.dir, k.release);
  } else {
    k.release = where;
    k.root = name.root;
  }
  return k;
}

// Debian's linux-image packages ship a one-line placeholder System.map that
// points at the -dbg package; it must not pass for the real thing.
bool is_placeholder_system_map(const std::string& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || st.st_size >= 4096) return false;  // a real one is megabytes
  auto data = read_file(p);
  return data && data->find("The real System.map is in") != std::string::npos;
}

Result<KernelFiles> names_of(const Installed& k, const std::string& system_map) {
  const std::string& release = k.release;
  std::string dir = k.dir;
  if (dir.empty()) {
    dir = k.root.empty() ? "/lib/modules/" + release : path::join(k.root, "lib/modules/" + release);
    // An unpacked debug package alone: its modules hold the same names.
    const std::string debug_modules = path::join(k.root.empty() ? "/" : k.root, "usr/lib/debug/lib/modules/" + release);
    if (!is_directory(dir) && is_directory(debug_modules)) dir = debug_modules;
    if (!is_directory(dir)) return no_modules_directory(dir, release);
  }

  KernelFiles files;
  files.module_dirs.push_back(dir);
  if (!system_map.empty()) {
    if (!is_regular_file(system_map)) return fail(ErrorCode::kNotFound, system_map + ": no such System.map");
    files.vmlinux = system_map;
    return files;
  }
  std::vector<std::string> candidates = {dir + "/System.map",
                                         path::join(dir, "../../../boot/System.map-" + release),
                                         path::join(dir, "../../../usr/lib/debug/boot/System.map-" + release),
                                         "/boot/System.map-" + release,
                                         "/usr/lib/debug/boot/System.map-" + release};
  for (const std::string& c : candidates) {
    if (is_regular_file(c) && !is_placeholder_system_map(c)) {
      files.vmlinux = c;
      return files;
    }
  }
  if (release == running_release() && is_regular_file("/proc/kallsyms")) {
    files.vmlinux = "/proc/kallsyms";
    return files;
  }
  std::string looked;
  for (const std::string& c : candidates) looked += " " + c;
  return fail(ErrorCode::kNotFound, "no System.map for kernel '" + release + "' (looked at" + looked +
                                        "; Debian ships the real one in linux-image-" + release +
                                        "-dbg); pass --system-map FILE");
}

Result<KernelFiles> debug_info_of(const Installed& k) {
  const std::string& release = k.release;
  const std::string debug_modules = "usr/lib/debug/lib/modules/" + release;
  // Where the debug package's usr/lib/debug/boot and usr/lib/debug/lib/modules
  // are: below the root, or beside the debug modules directory named.
  std::string vmlinux;
  std::string modules;
  if (k.dir.empty()) {
    const std::string base = k.root.empty() ? std::string("/") : k.root;
    vmlinux = path::join(base, "usr/lib/debug/boot/vmlinux-" + release);
    modules = path::join(base, debug_modules);
  } else if (k.dir == debug_modules || k.dir.ends_with("/" + debug_modules)) {
    vmlinux = path::join(k.dir, "../../../boot/vmlinux-" + release);
    modules = k.dir;
  } else {
    // The image's modules (ROOT/lib/modules/R) have no DWARF: the debug
    // package's, below the same root, stand in for them.
    vmlinux = path::join(k.dir, "../../../usr/lib/debug/boot/vmlinux-" + release);
    modules = path::join(k.dir, "../../../" + debug_modules);
  }
  if (!is_regular_file(vmlinux)) {
    return fail(ErrorCode::kNotFound, vmlinux + ": no debug vmlinux for kernel '" + release +
                                          "' (Debian: apt-get install linux-image-" + release +
                                          "-dbg; or set DEBUGINFOD_URLS to fetch it by build-id)");
  }
  KernelFiles files;
  files.vmlinux = vmlinux;
  if (is_directory(modules)) files.module_dirs.push_back(modules);
  return files;
}

Result<KernelFiles> build_tree_of(const std::string& objtree) {
  KernelFiles files;
  files.vmlinux = path::join(objtree, "vmlinux");
  if (!is_regular_file(files.vmlinux)) {
    return fail(ErrorCode::kNotFound, files.vmlinux + ": no vmlinux in this build tree (build it, or give --kernel)");
  }
  std::string order = path::join(objtree, "modules.order");
  if (is_regular_file(order)) files.modules_orders.push_back(order);
  return files;
}

}  // namespace

Result<KernelFiles> find_kernel_files(const KernelName& name, KernelNeeds needs) {
  if (name.kind == KernelName::Kind::kBuildTree) return build_tree_of(name.where);
  auto installed = installed_of(name, needs);
  if (!installed) return std::unexpected(installed.error());
  return needs == KernelNeeds::kNames ? names_of(*installed, name.system_map) : debug_info_of(*installed);
}

std::string running_release() {
  struct utsname u {};
  return ::uname(&u) == 0 ? u.release : "";
}

}  // namespace kas
