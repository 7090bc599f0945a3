// A file that appears at its final path complete or not at all.
//
// Output is written to an unnamed file in the destination directory
// (O_TMPFILE: it has no name until commit(), so no kill of the writer, not
// even SIGKILL, can leave it behind) and given its name by commit(): linked
// straight to the target when there is none, else linked beside it and
// renamed over it (same file system, so rename is atomic). A file system
// without O_TMPFILE gets a named "<path>.tmp.XXXXXX", which the destructor,
// and SIGINT/SIGTERM/SIGHUP (remove_temporaries_on_signals()), remove.
// Make would otherwise take a truncated output for an up-to-date one.
//
// A target that exists and is not a regular file (a device such as
// /dev/null, a FIFO, a directory, a symbolic link) is refused: renaming over
// it would replace it.
#pragma once

#include <string>
#include <string_view>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"

namespace kas {

class AtomicFile {
 public:
  // The output for `path`. Errors: kIo naming the path.
  [[nodiscard]] static Result<AtomicFile> create(const std::string& path);

  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  [[nodiscard]] Result<void> write(std::string_view data);
  // Gives the file the mode a plain open(O_CREAT, 0666) would (umask applied),
  // then renames it over the target. After success the object is inert.
  [[nodiscard]] Result<void> commit();

  // Mode for commit() instead of 0666 & ~umask (e.g. the mode of a file
  // being replaced in place).
  void set_mode(unsigned mode) { mode_ = mode; }

  [[nodiscard]] int fd() const { return fd_.get(); }
  // What to call the output in messages before it is committed.
  [[nodiscard]] std::string temp_path() const { return temp_path_.empty() ? path_ + " (unnamed)" : temp_path_; }

 private:
  AtomicFile(std::string path, std::string temp_path, Fd fd);

  std::string path_;
  std::string temp_path_;  // "" for an unnamed (O_TMPFILE) file
  Fd fd_;
  bool committed_ = false;
  int mode_ = -1;
  int slot_ = -1;  // in the signal handler's list of named temporaries
};

// Installs handlers that remove named temporaries (file systems without
// O_TMPFILE) on SIGINT, SIGTERM and SIGHUP, then die of the signal as
// before. For kas; kasd handles those signals itself.
void remove_temporaries_on_signals();

}  // namespace kas
