// Opening a file that a request names, for reading: the one place that
// decides how an input is opened and what is refused, so that every reader
// (ELF files, DWARF, mapped listings, whole-file reads) gives the same
// answer, with the same error code, for the same path.
#pragma once

#include <sys/stat.h>

#include <string>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"

namespace kas {

// An input open for reading, with what fstat(2) said of it when opened.
struct RegularInput {
  Fd fd;
  struct stat st {};
};

// Opens `path` read-only (close-on-exec; O_NONBLOCK, so that a FIFO never
// blocks before it is refused) and refuses what is not a regular file. A
// path through one of /proc's magic links (/proc/self/fd/N,
// /proc/PID/cwd/..., /dev/stdin) is refused: through kasd it would name
// kasd's descriptors, files that kasd holds open which the asking user may
// no longer reach, and kas refuses it in process too so that both give the
// same answer. Symbolic links are followed as usual.
// Errors, the message naming the path and the reason: kNotFound when
// nothing is there (callers fall back on it: kas --live), kExhausted when
// out of descriptors or memory, kIo for everything else, a directory, a
// FIFO or a device included ("PATH: not a regular file").
[[nodiscard]] Result<RegularInput> open_regular_input(const std::string& path);

}  // namespace kas
