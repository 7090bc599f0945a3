#include "core/util/open_input.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace kas {

namespace {

// openat2(2) (Linux 5.6) has no glibc wrapper in Debian 12.
int open_without_magic_links(const std::string& path) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
}

Result<Fd> open_input(const std::string& path) {
  Fd fd(open_without_magic_links(path));
  if (!fd.valid() && (errno == ENOSYS || errno == EPERM)) {
    // A kernel before 5.6, or a seccomp filter that does not know openat2:
    // nothing else resolves paths without magic links.
    fd = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  }
  if (fd.valid()) return fd;
  const int err = errno;
  if (err == ELOOP) {
    // ELOOP is also a loop of ordinary links: tell them apart by whether
    // the usual resolution gets through.
    Fd plain(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (plain.valid()) {
      return fail(ErrorCode::kIo, path + ": cannot open: it goes through a /proc magic link (a /proc/PID/fd/N, "
                                         "/dev/fd/N, cwd or root): name the file itself");
    }
  }
  return fail(errno_code(err), path + ": cannot open: " + std::strerror(err));
}

}  // namespace

Result<RegularInput> open_regular_input(const std::string& path) {
  auto opened = open_input(path);
  if (!opened) return std::unexpected(opened.error());
  RegularInput input{std::move(*opened), {}};
  if (::fstat(input.fd.get(), &input.st) != 0) {
    return fail(ErrorCode::kIo, path + ": cannot stat: " + std::strerror(errno));
  }
  if (!S_ISREG(input.st.st_mode)) return fail(ErrorCode::kIo, path + ": not a regular file");
  return input;
}

}  // namespace kas
