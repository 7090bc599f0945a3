// Whole-file decompression of the formats kernels compress modules with
// (CONFIG_MODULE_COMPRESS_XZ/_GZIP/_ZSTD: Debian 6.12 installs X.ko.xz,
// Ubuntu, Fedora and Arch X.ko.zst). A compressed module is recognised by
// its magic bytes, not by its name.
#pragma once

#include <string>
#include <string_view>

#include "core/util/memory_budget.hpp"
#include "core/util/result.hpp"

namespace kas {

enum class Compression { kNone, kXz, kGzip, kZstd };

// The format `head` (the file's first bytes; 6 are enough) starts with.
[[nodiscard]] Compression compression_of(std::string_view head);

// "xz", "gzip", "zstd" (for messages).
[[nodiscard]] std::string_view compression_name(Compression c);

// The decompressed content of `data`, compressed as `c` (not kNone). A
// module larger than `limit` once decompressed is refused rather than let
// fill memory; so is one that outgrows `reserved` (kasd's budget: the
// caller holds it as long as the content, at its size on return). Errors:
// kBadElf naming `path`, the format and the reason (corrupt or truncated
// stream, over the limit or the budget, out of memory). Throws Cancelled
// when the calling request is (core/util/request_context.hpp).
[[nodiscard]] Result<std::string> decompress(std::string_view data, Compression c, const std::string& path,
                                             size_t limit = size_t{1} << 31, MemoryReservation* reserved = nullptr);

}  // namespace kas
