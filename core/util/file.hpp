// Whole-file reads and atomic whole-file writes.
#pragma once

#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace kas {

// Reads `path` entirely. Errors: kNotFound, kIo (message names the path).
[[nodiscard]] Result<std::string> read_file(const std::string& path);

// Writes `data` to `path` through an AtomicFile: readers see the old file or
// the complete new one, never a prefix.
[[nodiscard]] Result<void> write_file_atomic(const std::string& path, std::string_view data);

// Writes `data` to stdout entirely (retrying short writes). Error: kIo.
[[nodiscard]] Result<void> write_stdout(std::string_view data);

}  // namespace kas
