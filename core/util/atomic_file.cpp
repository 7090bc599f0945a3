#include "core/util/atomic_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/util/path.hpp"

namespace kas {

namespace {

mode_t current_umask() {
  // umask can only be read by setting it; done once, before threads write.
  static const mode_t mask = [] {
    mode_t m = ::umask(022);
    ::umask(m);
    return m;
  }();
  return mask;
}

// Named temporaries, for the signal handler to remove: slots hold strdup()ed
// paths; the handler only reads them and calls unlink (async-signal-safe).
constexpr size_t kSlots = 64;
std::atomic<char*> g_temporaries[kSlots];

int remember(const std::string& path) {
  char* copy = ::strdup(path.c_str());
  if (copy == nullptr) return -1;
  for (size_t i = 0; i < kSlots; ++i) {
    char* expected = nullptr;
    if (g_temporaries[i].compare_exchange_strong(expected, copy)) return static_cast<int>(i);
  }
  std::free(copy);
  return -1;  // full: the destructor still removes it
}

void forget(int slot) {
  if (slot >= 0) std::free(g_temporaries[slot].exchange(nullptr));
}

extern "C" void remove_temporaries_and_die(int sig) {
  for (auto& slot : g_temporaries) {
    if (char* path = slot.load()) ::unlink(path);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

const char* kind_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// A fresh name beside `path` for the unnamed file `fd`, linked (EEXIST:
// another name). "" with errno set when it cannot be linked.
std::string link_beside(int fd, const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  for (int attempt = 0; attempt < 100; ++attempt) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp.%d.%u", static_cast<int>(::getpid()), counter.fetch_add(1));
    const std::string name = path + suffix;
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return name;
    if (errno == ENOENT && ::linkat(fd, "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH) == 0) return name;  // no /proc
    if (errno != EEXIST) return {};
  }
  errno = EEXIST;
  return {};
}

}  // namespace

void remove_temporaries_on_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = remove_temporaries_and_die;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

AtomicFile::AtomicFile(std::string path, std::string temp_path, Fd fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(std::move(fd)) {
  if (!temp_path_.empty()) slot_ = remember(temp_path_);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::move(other.fd_)),
      committed_(std::exchange(other.committed_, true)),
      mode_(other.mode_),
      slot_(std::exchange(other.slot_, -1)) {}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_path_.empty()) {
    fd_.reset();
    ::unlink(temp_path_.c_str());
  }
  forget(slot_);
}

Result<AtomicFile> AtomicFile::create(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return fail(ErrorCode::kIo, path + ": exists and is " + kind_of(st.st_mode) +
                                    ": kas replaces only regular files (remove it, or write elsewhere)");
  }
  int fd = ::open(path::directory(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) return AtomicFile(path, std::string(), Fd(fd));
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return fail(ErrorCode::kIo, path + ": cannot create output: " + std::strerror(errno));
  }
  // No O_TMPFILE on this file system: a named temporary.
  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  fd = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) {
    return fail(ErrorCode::kIo, path + ": cannot create output: " + std::strerror(errno));
  }
  return AtomicFile(path, std::string(buf.data()), Fd(fd));
}
Result<void> AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, path_ + ": write failed: " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<void> AtomicFile::commit() {
  mode_t mode = mode_ >= 0 ? static_cast<mode_t>(mode_) : (0666 & ~current_umask());
  if (::fchmod(fd_.get(), mode) != 0) {
    return fail(ErrorCode::kIo, path_ + ": cannot set mode: " + std::strerror(errno));
  }
  if (temp_path_.empty()) {
    // Unnamed: no target yet takes its name at once; else a name beside it
    // (for the instant until the rename; SIGINT/SIGTERM remove it too).
    const std::string proc = "/proc/self/fd/" + std::to_string(fd_.get());
    int linked = ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW);
    if (linked != 0 && errno == ENOENT) linked = ::linkat(fd_.get(), "", AT_FDCWD, path_.c_str(), AT_EMPTY_PATH);
    if (linked != 0) {
      if (errno != EEXIST) return fail(ErrorCode::kIo, path_ + ": cannot create output: " + std::strerror(errno));
      const std::string name = link_beside(fd_.get(), path_);
      if (name.empty()) return fail(ErrorCode::kIo, path_ + ": cannot create output: " + std::strerror(errno));
      const int slot = remember(name);
      const bool renamed = ::rename(name.c_str(), path_.c_str()) == 0;
      const int err = errno;
      if (!renamed) ::unlink(name.c_str());
      forget(slot);
      if (!renamed) return fail(ErrorCode::kIo, path_ + ": cannot rename output into place: " + std::strerror(err));
    }
    committed_ = true;
    if (::close(fd_.release()) != 0) return fail(ErrorCode::kIo, path_ + ": write failed: " + std::strerror(errno));
    return {};
  }
  // close() reports delayed write errors (NFS, full disk): check it.
  if (::close(fd_.release()) != 0) {
    return fail(ErrorCode::kIo, path_ + ": write failed: " + std::strerror(errno));
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return fail(ErrorCode::kIo, path_ + ": cannot rename output into place: " + std::strerror(errno));
  }
  committed_ = true;
  return {};
}

}  // namespace kas
