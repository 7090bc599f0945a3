// Why by descriptor: issue 27's attack planted
// /tmp/.cache/kas/live/BUILDID/modules as a link to a directory of the
// victim's; kas, run as root with HOME unset, listed "its" modules
// directory through the link and removed every file there. Checking a path
// and then using it leaves the gap between the two; a descriptor opened
// with O_NOFOLLOW and checked with fstat is the directory that is then
// written, whatever the path names a moment later.
#include "client/fetch/user_cache.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace kas::cli {

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

// The checks of a directory kas writes in; `fd` is open on it.
Result<void> check_private(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(ErrorCode::kIo, path + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return fail(ErrorCode::kIo, path + ": not a directory");
  const uid_t me = ::geteuid();
  if (st.st_uid != me) {
    return fail(ErrorCode::kIo, path + ": belongs to uid " + std::to_string(st.st_uid) + ", not to you (uid " +
                                    std::to_string(me) + "): kas keeps its cache only in a directory of yours");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(ErrorCode::kIo, path + ": mode " + mode +
                                    ": writable by others, who could replace what kas keeps there (chmod go-w)");
  }
  return {};
}

std::string home_of_real_uid() {
  std::vector<char> buf(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(::getuid(), &entry, buf.data(), buf.size(), &found) != 0 || found == nullptr) return {};
  return found->pw_dir != nullptr ? found->pw_dir : "";
}

}  // namespace

Result<std::string> user_cache_home() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') return std::string(xdg);
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return std::string(home) + "/.cache";
  const std::string home = home_of_real_uid();
  if (home.empty() || home[0] != '/') {
    return fail(ErrorCode::kNotFound, "no cache directory: HOME is not set and uid " + std::to_string(::getuid()) +
                                          " has no home in the password database");
  }
  return (home == "/" ? "" : home) + "/.cache";
}

Result<PrivateDir> open_private_dir(const std::string& path) {
  if (path.empty() || path[0] != '/') return fail(ErrorCode::kIo, "'" + path + "': not an absolute path");
  // Only the last component: a home or an $XDG_CACHE_HOME's parent that is
  // missing is a mistake to report, not to paper over.
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail(ErrorCode::kIo, path + ": cannot create: " + std::strerror(errno));
  }
  Fd fd(::open(path.c_str(), kDirFlags | O_NOFOLLOW));
  if (!fd.valid() && errno == ELOOP) {
    // A link the user made to keep the cache elsewhere is theirs to make;
    // one another user planted (in a sticky /tmp only its owner can) is not.
    struct stat link {};
    if (::lstat(path.c_str(), &link) == 0 && link.st_uid != ::geteuid()) {
      return fail(ErrorCode::kIo, path + ": a symbolic link of uid " + std::to_string(link.st_uid) +
                                      ", not yours (uid " + std::to_string(::geteuid()) + ")");
    }
    fd = Fd(::open(path.c_str(), kDirFlags));
  }
  if (!fd.valid()) return fail(ErrorCode::kIo, path + ": cannot open: " + std::strerror(errno));
  if (auto r = check_private(fd.get(), path); !r) return std::unexpected(r.error());
  return PrivateDir{std::move(fd), path};
}

Result<PrivateDir> private_subdir(const PrivateDir& top, const std::vector<std::string>& names) {
  int parent = top.fd.get();
  PrivateDir dir;
  std::string path = top.path;
  for (const std::string& name : names) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, path + ": '" + name + "' is not one directory name");
    }
    path += "/" + name;
    if (::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
      return fail(ErrorCode::kIo, path + ": cannot create: " + std::strerror(errno));
    }
    Fd fd(::openat(parent, name.c_str(), kDirFlags | O_NOFOLLOW));
    if (!fd.valid()) {
      const int err = errno;
      return fail(ErrorCode::kIo, path + ": cannot open: " +
                                      (err == ELOOP || err == ENOTDIR ? std::string("not a directory but a link or file")
                                                                      : std::string(std::strerror(err))));
    }
    if (auto r = check_private(fd.get(), path); !r) return std::unexpected(r.error());
    dir.fd = std::move(fd);
    parent = dir.fd.get();
  }
  dir.path = path;
  if (names.empty()) return fail(ErrorCode::kInternal, "private_subdir: no names");
  return dir;
}

}  // namespace kas::cli
