// How many file descriptors the caches of one process may keep open.
//
// Cached files keep their descriptors (and mappings): a kernel's DWARF
// handles, a kbuild listing. Trimmed by memory alone, a daemon asked about
// a few hundred small kernels held 1,021 of its 1,024 descriptors and then
// failed every request with EMFILE. So the caches are trimmed by the
// descriptors they hold too, within a budget derived from RLIMIT_NOFILE:
// kasd's server takes a quarter of the limit for connections, the caches
// half, and the last quarter is left for the files requests open while
// they run.
#pragma once

#include <cstddef>
#include <optional>

namespace kas {

// Half of RLIMIT_NOFILE's soft limit, at least 16; for an unlimited soft
// limit, that of 65,536. Read at each call (kasd may raise its limit).
[[nodiscard]] size_t cached_descriptor_budget();

// Connections kasd's server serves at once: a quarter of the soft limit, 8
// to 1,024 (1,024 when the limit cannot be read or is unlimited).
[[nodiscard]] size_t connection_budget();

// Descriptors this process can still open before EMFILE: the soft limit
// less those open now (/proc/self/fd); nullopt when either is unknown.
[[nodiscard]] std::optional<size_t> free_descriptors();

}  // namespace kas
