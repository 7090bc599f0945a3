#include "tests/fuzz/fuzz_support.hpp"

#include <grp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace kas::fuzz {

void enter_scratch() {
  static bool done = false;
  if (done) return;
  done = true;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/kas-fuzz.XXXXXX";
  char* dir = pattern.data();
  if (::mkdtemp(dir) == nullptr || ::chdir(dir) != 0) {
    std::perror("kas fuzz: scratch directory");
    std::abort();
  }
  if (::geteuid() == 0) {
    if (::chown(dir, 65534, 65534) != 0 || ::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 ||
        ::setuid(65534) != 0) {
      std::perror("kas fuzz: dropping root");
      std::abort();
    }
  }
}

std::string as_file(const uint8_t* data, size_t size) {
  thread_local int fd = -1;
  if (fd >= 0) ::close(fd);
  fd = ::memfd_create("kas-fuzz", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  for (size_t at = 0; at < size;) {
    const ssize_t n = ::write(fd, data + at, size - at);
    if (n <= 0) std::abort();
    at += static_cast<size_t>(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace kas::fuzz
