// Opening a file that a request names, for reading.
#pragma once

#include <string>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"

namespace kas {

// Opens `path` read-only (close-on-exec; O_NONBLOCK, so that a FIFO never
// blocks: callers refuse what is not a regular file). A path through one of
// /proc's magic links (/proc/self/fd/N, /proc/PID/cwd/..., /dev/stdin) is
// refused: through kasd it would name kasd's descriptors, files that kasd
// holds open which the asking user may no longer reach, and kas refuses it
// in process too so that both give the same answer. Symbolic links are
// followed as usual. Errors: kNotFound (ENOENT), kIo; the message names the
// path and the reason.
[[nodiscard]] Result<Fd> open_input(const std::string& path);

}  // namespace kas
