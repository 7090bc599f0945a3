// A file that appears at its final path complete or not at all.
//
// Output is written to an unnamed file in the destination directory
// (O_TMPFILE: it has no name until commit(), so no kill of the writer, not
// even SIGKILL, can leave it behind) and given its name by commit(): linked
// straight to the target when there is none, else linked beside it and
// renamed over it (same file system, so rename is atomic). A file system
// without O_TMPFILE gets a named "<name>.tmp.PID.N", which the destructor,
// and SIGINT/SIGTERM/SIGHUP (remove_temporaries_on_signals()), remove.
// Make would otherwise take a truncated output for an up-to-date one.
//
// The destination directory is opened once, when the request starts
// (OutputTarget), and everything after is relative to that descriptor:
// looked up again by its path at commit, a directory its owner swapped for a
// symbolic link meanwhile would take the output wherever the link points
// (a 0700 home of the user writing, replacing a file of theirs there).
//
// A target that exists and is not a regular file (a device such as
// /dev/null, a FIFO, a directory, a symbolic link) is refused: renaming over
// it would replace it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"

namespace kas {

// Where an output goes: the directory it is written in, opened now (its path
// resolved as it is now, symbolic links included, and never again), and its
// name there.
class OutputTarget {
 public:
  // Never fails: a directory that cannot be opened is reported by
  // AtomicFile::create, when the output is written, so that a request's
  // errors come in the order its work meets them (a missing input first).
  [[nodiscard]] static OutputTarget open(const std::string& path);

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  friend class AtomicFile;
  OutputTarget() = default;

  std::string path_;  // as given, for messages
  std::string name_;  // the last component, created in dir_
  Fd dir_;            // O_PATH; invalid when the open failed (errno_)
  int errno_ = 0;
};

// The process's umask (read once, before threads write files). kasd's is
// not its clients': a request carries the client's.
[[nodiscard]] mode_t current_umask();

class AtomicFile {
 public:
  // The output for `path`, its directory opened now, with this process's
  // umask. Errors: kIo naming the path.
  [[nodiscard]] static Result<AtomicFile> create(const std::string& path);
  // The output for a target opened earlier; commit() gives it the mode
  // open(O_CREAT, 0666) would under `umask`. Errors: kIo naming the path.
  // kNamed: the named temporary a file system without O_TMPFILE gets (for
  // tests: every local file system here has O_TMPFILE).
  enum class Temporary { kUnnamed, kNamed };
  [[nodiscard]] static Result<AtomicFile> create(const OutputTarget& target, mode_t umask,
                                                 Temporary temporary = Temporary::kUnnamed);

  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  [[nodiscard]] Result<void> write(std::string_view data);
  // Gives the file its mode (0666 & ~umask, or set_mode's), then its name in
  // the directory opened at the start. After success the object is inert.
  [[nodiscard]] Result<void> commit();

  // Mode for commit() instead of 0666 & ~umask (e.g. the mode of a file
  // being replaced in place).
  void set_mode(mode_t mode) { mode_ = mode & 07777; }

  [[nodiscard]] int fd() const { return fd_.get(); }
  // What to call the output in messages before it is committed.
  [[nodiscard]] std::string temp_path() const {
    return temp_name_.empty() ? path_ + " (unnamed)" : path_ + temp_name_.substr(name_.size());
  }

 private:
  AtomicFile(std::string path, std::string name, Fd dir, std::string temp_name, Fd fd, mode_t mode);

  std::string path_;       // for messages
  std::string name_;       // in dir_
  Fd dir_;                 // the target's directory, as opened at the start
  std::string temp_name_;  // in dir_; "" for an unnamed (O_TMPFILE) file
  Fd fd_;
  bool committed_ = false;
  mode_t mode_;
  int slot_ = -1;  // in the signal handler's list of named temporaries
};

// Installs handlers that remove named temporaries (file systems without
// O_TMPFILE) on SIGINT, SIGTERM and SIGHUP, then die of the signal as
// before. For kas; kasd handles those signals itself.
void remove_temporaries_on_signals();

}  // namespace kas
