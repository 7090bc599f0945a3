#include "client/fetch/debuginfo_fetch.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "client/link/program_beside.hpp"
#include "client/fetch/user_cache.hpp"
#include "service/vocabulary.hpp"

namespace kas::cli {

namespace {

// kas-fetch lives beside kas in a build tree, and in libexec once installed
// (KAS_FETCH_FROM_BINDIR: that directory relative to kas's, so any prefix
// works); $KAS_FETCH overrides both.
std::string fetch_binary() { return program_beside_kas("KAS_FETCH", "kas-fetch", {"", KAS_FETCH_FROM_BINDIR}); }

// kas-fetch's exit status when the debuginfod cache it would use is not the
// user's own (fetch_main.cpp).
constexpr int kFetchNoCache = 3;

// Runs kas-fetch NAME=ID...; stderr goes to ours (progress, what is
// missing). Returns build-id -> path for what was found.
Result<std::map<std::string, std::string>> run_fetch(const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  const std::string binary = fetch_binary();
  pid_t child = ::fork();
  if (child < 0) return fail(ErrorCode::kIo, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ::dup2(pipe_fds[1], 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return fail(ErrorCode::kNotFound, binary + ": cannot run it (installed beside kas; needs libdebuginfod1)");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == kFetchNoCache) {
    return fail(ErrorCode::kIo, binary + ": refused its debuginfod cache directory (the reason is above)");
  }
  std::map<std::string, std::string> found;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    size_t space = line.find(' ');
    if (space != std::string::npos) found[line.substr(0, space)] = line.substr(space + 1);
    start = end + 1;
  }
  return found;
}

// The directory of the running kernel's module links,
// CACHE/kas/live/BUILDID/modules, each level checked (user_cache.hpp).
Result<PrivateDir> live_modules_dir(const std::string& build_id) {
  if (build_id.empty() || build_id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return fail(ErrorCode::kBadInput, "'" + build_id + "' is no build-id");
  }
  auto home = user_cache_home();
  if (!home) return std::unexpected(home.error());
  auto top = open_private_dir(*home);
  if (!top) return std::unexpected(top.error());
  return private_subdir(*top, {"kas", "live", build_id, "modules"});
}

// NAME.ko in `dir` -> `target`, replacing the link there, atomically.
Result<void> place_link(const PrivateDir& dir, const std::string& target, const std::string& name) {
  const std::string temp = name + ".tmp." + std::to_string(::getpid());
  ::unlinkat(dir.fd.get(), temp.c_str(), 0);
  if (::symlinkat(target.c_str(), dir.fd.get(), temp.c_str()) != 0 ||
      ::renameat(dir.fd.get(), temp.c_str(), dir.fd.get(), name.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dir.fd.get(), temp.c_str(), 0);
    return fail(ErrorCode::kIo, dir.path + "/" + name + ": cannot link to " + target + ": " + std::strerror(err));
  }
  return {};
}

// The links of `dir` not in `wanted` (modules unloaded since an earlier
// run), removed through its descriptor; anything but a link is left alone:
// kas made none.
void remove_stale_links(const PrivateDir& dir, const std::set<std::string>& wanted) {
  const int listed = ::fcntl(dir.fd.get(), F_DUPFD_CLOEXEC, 0);  // closedir closes it
  DIR* listing = listed < 0 ? nullptr : ::fdopendir(listed);
  if (listing == nullptr) {
    if (listed >= 0) ::close(listed);
    return;
  }
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    struct stat st {};
    if (name == "." || name == ".." || wanted.count(name)) continue;
    if (::fstatat(dir.fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
      stale.push_back(name);
    }
  }
  ::closedir(listing);
  for (const std::string& name : stale) ::unlinkat(dir.fd.get(), name.c_str(), 0);
}

}  // namespace

Result<KernelFiles> fetched_running_kernel(const std::string& sysfs) {
  auto ids = running_build_ids(sysfs);
  if (!ids) return std::unexpected(ids.error());
  // One directory per kernel build, links named after the loaded modules;
  // checked before anything is fetched for it.
  auto dir = live_modules_dir(ids->vmlinux);
  if (!dir) return fail(dir.error().code, dir.error().message + " (where kas --live keeps the fetched modules' names)");
  std::vector<std::string> args = {"vmlinux=" + ids->vmlinux};
  for (const auto& [name, id] : ids->modules) args.push_back(name + "=" + id);
  auto found = run_fetch(args);
  if (!found) return std::unexpected(found.error());
  auto vmlinux = found->find(ids->vmlinux);
  if (vmlinux == found->end()) {
    return fail(ErrorCode::kNotFound, "debuginfod (DEBUGINFOD_URLS=" + std::string(std::getenv("DEBUGINFOD_URLS")) +
                                          ") has no debug info for the running kernel (build-id " + ids->vmlinux + ")");
  }
  std::set<std::string> wanted;
  for (const auto& [name, id] : ids->modules) {
    auto it = found->find(id);
    if (it == found->end()) continue;
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
      return fail(ErrorCode::kBadInput, sysfs + ": '" + name + "' is no module name");
    }
    if (auto r = place_link(*dir, it->second, name + ".ko"); !r) return std::unexpected(r.error());
    wanted.insert(name + ".ko");
  }
  remove_stale_links(*dir, wanted);
  KernelFiles files;
  files.vmlinux = vmlinux->second;
  files.module_dirs.push_back(dir->path);
  return files;
}

}  // namespace kas::cli
