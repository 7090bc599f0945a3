// Which build this kas or kasd is: the handshake compares the two, so a kas
// never takes a daemon of other code for its own.
#pragma once

namespace kas {

// VERSION+HASH, HASH over the libraries the programs are linked from
// (cmake/build-id.cmake writes the definition, linked into kas and kasd).
[[nodiscard]] const char* this_build_id();

}  // namespace kas
