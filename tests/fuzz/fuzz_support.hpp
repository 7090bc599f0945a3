// What the fuzz targets share: inputs as files (kas reads objects by path),
// and a scratch directory with no rights, so that a fuzzed request naming a
// real path can neither read nor replace anything that matters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kas::fuzz {

// Once per process: an empty working directory under $TMPDIR (else /tmp);
// as root, also drops to uid/gid 65534 (requests the dispatcher answers
// open what they name).
void enter_scratch();

// `data` as an unnamed regular file (memfd): a path kas can open, valid
// until the next call on this thread.
[[nodiscard]] std::string as_file(const uint8_t* data, size_t size);

}  // namespace kas::fuzz
