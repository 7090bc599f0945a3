#include "core/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "core/util/path.hpp"
#include "core/util/proc_status.hpp"

namespace kas {

namespace {

// Named temporaries, for the signal handler to remove: each slot holds the
// directory descriptor and the name in it (the handler only reads them and
// calls unlinkat, which is async-signal-safe and follows no path but the
// name). The descriptor stays open while its slot is filled.
struct Temporary {
  int dir = -1;
  char name[NAME_MAX + 1] = {};
};
constexpr size_t kSlots = 64;
std::atomic<Temporary*> g_temporaries[kSlots];

int remember(int dir, const std::string& name) {
  if (name.size() > NAME_MAX) return -1;
  auto* t = new (std::nothrow) Temporary;
  if (t == nullptr) return -1;
  t->dir = dir;
  std::memcpy(t->name, name.c_str(), name.size() + 1);
  for (size_t i = 0; i < kSlots; ++i) {
    Temporary* expected = nullptr;
    if (g_temporaries[i].compare_exchange_strong(expected, t)) return static_cast<int>(i);
  }
  delete t;
  return -1;  // full: the destructor still removes it
}

void forget(int slot) {
  if (slot >= 0) delete g_temporaries[slot].exchange(nullptr);
}

extern "C" void remove_temporaries_and_die(int sig) {
  for (auto& slot : g_temporaries) {
    if (Temporary* t = slot.load()) ::unlinkat(t->dir, t->name, 0);
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

// A name beside `name` for a temporary: not guessable, so that whoever else
// writes in the directory cannot take it first (O_EXCL would then fail).
std::string temporary_name(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  thread_local std::mt19937 random{std::random_device{}()};
  char suffix[64];
  std::snprintf(suffix, sizeof suffix, ".tmp.%d.%u.%08x", static_cast<int>(::getpid()), counter.fetch_add(1),
                static_cast<unsigned>(random()));
  return name + suffix;
}

// Gives the unnamed file `fd` the name `name` in `dir`. -1 with errno set
// (EEXIST: the name is taken).
int link_unnamed(int fd, int dir, const std::string& name) {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, proc.c_str(), dir, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return 0;
  if (errno != ENOENT) return -1;
  return ::linkat(fd, "", dir, name.c_str(), AT_EMPTY_PATH);  // no /proc
}

// A fresh name beside `name` for the unnamed file `fd`, linked. "" with
// errno set when it cannot be linked.
std::string link_beside(int fd, int dir, const std::string& name) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = temporary_name(name);
    if (link_unnamed(fd, dir, temp) == 0) return temp;
    if (errno != EEXIST) return {};
  }
  errno = EEXIST;
  return {};
}

mode_t read_umask() {
  // /proc/self/status says it without changing it (Linux 4.7 on); setting it
  // to read it back would race with any thread creating a file meanwhile.
  if (auto field = proc_status_field("self", "Umask")) {
    unsigned mask = 0;
    if (std::sscanf(field->c_str(), "%o", &mask) == 1) return static_cast<mode_t>(mask & 0777);
  }
  mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

}  // namespace

mode_t current_umask() {
  static const mode_t mask = read_umask();
  return mask;
}

void remove_temporaries_on_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = remove_temporaries_and_die;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

OutputTarget OutputTarget::open(const std::string& path) {
  OutputTarget target;
  target.path_ = path;
  target.name_ = std::string(path::basename(path));
  // O_PATH: the directory is only written in, never listed, so it needs no
  // read permission (as open(O_CREAT) needs none).
  target.dir_ = Fd(::open(path::directory(path).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!target.dir_.valid()) target.errno_ = errno;
  return target;
}

AtomicFile::AtomicFile(std::string path, std::string name, Fd dir, std::string temp_name, Fd fd, mode_t mode)
    : path_(std::move(path)),
      name_(std::move(name)),
      dir_(std::move(dir)),
      temp_name_(std::move(temp_name)),
      fd_(std::move(fd)),
      mode_(mode) {
  if (!temp_name_.empty()) slot_ = remember(dir_.get(), temp_name_);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      name_(std::move(other.name_)),
      dir_(std::move(other.dir_)),
      temp_name_(std::move(other.temp_name_)),
      fd_(std::move(other.fd_)),
      committed_(std::exchange(other.committed_, true)),
      mode_(other.mode_),
      slot_(std::exchange(other.slot_, -1)) {}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_name_.empty()) {
    fd_.reset();
    ::unlinkat(dir_.get(), temp_name_.c_str(), 0);
  }
  forget(slot_);  // before dir_ closes: the slot names it
}

Result<AtomicFile> AtomicFile::create(const std::string& path) {
  return create(OutputTarget::open(path), current_umask());
}

Result<AtomicFile> AtomicFile::create(const OutputTarget& target, mode_t umask, Temporary temporary) {
  const std::string& path = target.path_;
  if (!target.dir_.valid()) {
    return fail(ErrorCode::kIo, path + ": cannot create output: cannot open its directory " +
                                    path::directory(path) + ": " + std::strerror(target.errno_));
  }
  const std::string& name = target.name_;
  if (name.empty() || name == "." || name == "..") {
    return fail(ErrorCode::kIo, path + ": names a directory: kas writes a file (give its name)");
  }
  const int dir = target.dir_.get();
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
    return fail(ErrorCode::kIo, path + ": exists and is " + kind_of(st.st_mode) +
                                    ": kas replaces only regular files (remove it, or write elsewhere)");
  }
  // Its own copy of the directory: the target may go before the file does.
  Fd own_dir(::fcntl(dir, F_DUPFD_CLOEXEC, 0));
  if (!own_dir.valid()) return fail(ErrorCode::kIo, path + ": cannot create output: " + std::strerror(errno));
  const mode_t mode = 0666 & ~umask;
  int fd = -1;
  errno = EOPNOTSUPP;
  if (temporary == Temporary::kUnnamed) fd = ::openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) return AtomicFile(path, name, std::move(own_dir), std::string(), Fd(fd), mode);
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return fail(ErrorCode::kIo, path + ": cannot create output: " + std::strerror(errno));
  }
  // No O_TMPFILE on this file system: a named temporary, never one that is
  // there already (O_EXCL), nor a symbolic link (O_NOFOLLOW).
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = temporary_name(name);
    fd = ::openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) return AtomicFile(path, name, std::move(own_dir), std::move(temp), Fd(fd), mode);
    if (errno != EEXIST) break;
  }
  return fail(ErrorCode::kIo, path + ": cannot create output: " + std::strerror(errno));
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
  if (::fchmod(fd_.get(), mode_) != 0) {
    return fail(ErrorCode::kIo, path_ + ": cannot set mode: " + std::strerror(errno));
  }
  const int dir = dir_.get();
  if (temp_name_.empty()) {
    // Unnamed: no target yet takes its name at once; else a name beside it
    // (for the instant until the rename; SIGINT/SIGTERM remove it too).
    if (link_unnamed(fd_.get(), dir, name_) != 0) {
      if (errno != EEXIST) return fail(ErrorCode::kIo, path_ + ": cannot create output: " + std::strerror(errno));
      const std::string temp = link_beside(fd_.get(), dir, name_);
      if (temp.empty()) return fail(ErrorCode::kIo, path_ + ": cannot create output: " + std::strerror(errno));
      const int slot = remember(dir, temp);
      const bool renamed = ::renameat(dir, temp.c_str(), dir, name_.c_str()) == 0;
      const int err = errno;
      if (!renamed) ::unlinkat(dir, temp.c_str(), 0);
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
  if (::renameat(dir, temp_name_.c_str(), dir, name_.c_str()) != 0) {
    return fail(ErrorCode::kIo, path_ + ": cannot rename output into place: " + std::strerror(errno));
  }
  committed_ = true;
  return {};
}

}  // namespace kas
