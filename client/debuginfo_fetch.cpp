#include "client/debuginfo_fetch.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "client/program_beside.hpp"
#include "core/query/live_kernel.hpp"

namespace kas::cli {

namespace {

// kas-fetch lives beside kas in a build tree, and in libexec once installed
// (KAS_FETCH_FROM_BINDIR: that directory relative to kas's, so any prefix
// works); $KAS_FETCH overrides both.
std::string fetch_binary() { return program_beside_kas("KAS_FETCH", "kas-fetch", {"", KAS_FETCH_FROM_BINDIR}); }

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

// $XDG_CACHE_HOME/kas or ~/.cache/kas.
std::string cache_home() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') return std::string(xdg) + "/kas";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : "/tmp") + "/.cache/kas";
}

// `link` -> `target`, replacing what is there, atomically.
Result<void> place_link(const std::string& target, const std::string& link) {
  std::string temp = link + ".tmp." + std::to_string(::getpid());
  ::unlink(temp.c_str());
  if (::symlink(target.c_str(), temp.c_str()) != 0 || ::rename(temp.c_str(), link.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return fail(ErrorCode::kIo, link + ": cannot link to " + target + ": " + std::strerror(err));
  }
  return {};
}

}  // namespace

Result<KernelFiles> fetched_running_kernel(const std::string& sysfs) {
  auto ids = running_build_ids(sysfs);
  if (!ids) return std::unexpected(ids.error());
  std::vector<std::string> args = {"vmlinux=" + ids->vmlinux};
  for (const auto& [name, id] : ids->modules) args.push_back(name + "=" + id);
  auto found = run_fetch(args);
  if (!found) return std::unexpected(found.error());
  auto vmlinux = found->find(ids->vmlinux);
  if (vmlinux == found->end()) {
    return fail(ErrorCode::kNotFound, "debuginfod (DEBUGINFOD_URLS=" + std::string(std::getenv("DEBUGINFOD_URLS")) +
                                          ") has no debug info for the running kernel (build-id " + ids->vmlinux + ")");
  }
  // One directory per kernel build: links named after the loaded modules.
  const std::string dir = cache_home() + "/live/" + ids->vmlinux;
  std::error_code ec;
  std::filesystem::create_directories(dir + "/modules", ec);
  if (ec) return fail(ErrorCode::kIo, dir + ": cannot create: " + ec.message());
  std::map<std::string, bool> wanted;
  for (const auto& [name, id] : ids->modules) {
    auto it = found->find(id);
    if (it == found->end()) continue;
    if (auto r = place_link(it->second, dir + "/modules/" + name + ".ko"); !r) return std::unexpected(r.error());
    wanted[name + ".ko"] = true;
  }
  // Modules unloaded since an earlier run: not part of this kernel's view.
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/modules", ec)) {
    if (!wanted.count(entry.path().filename().string())) std::filesystem::remove(entry.path(), ec);
  }
  KernelFiles files;
  files.vmlinux = vmlinux->second;
  files.module_dirs.push_back(dir + "/modules");
  return files;
}

}  // namespace kas::cli
