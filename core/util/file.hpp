// Whole-file reads and atomic whole-file writes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace kas {
class OutputTarget;
}

namespace kas {

// Reads `path` entirely, a regular file (see open_regular_input). Errors:
// kNotFound, kExhausted, kIo (the message names the path).
[[nodiscard]] Result<std::string> read_file(const std::string& path);

// Writes `data` to `path` through an AtomicFile: readers see the old file or
// the complete new one, never a prefix.
[[nodiscard]] Result<void> write_file_atomic(const std::string& path, std::string_view data);
// The same into a target whose directory was opened earlier, under this
// process's umask.
[[nodiscard]] Result<void> write_file_atomic(const OutputTarget& target, std::string_view data);

// Writes `data` at `offset` of `fd` entirely (pwrite, short writes retried).
// Error: kIo naming `path`.
[[nodiscard]] Result<void> write_at(int fd, std::span<const unsigned char> data, uint64_t offset,
                                    const std::string& path);

// Copies `image`, the contents of the file open as `in_fd` (mapped), to
// offset 0 of `out_fd` (`path`): in the kernel with copy_file_range where
// the file systems allow it, from the mapping otherwise. Error: kIo.
[[nodiscard]] Result<void> copy_file_contents(int in_fd, std::span<const unsigned char> image, int out_fd,
                                              const std::string& path);

// Whether `path` names a regular file / a directory (symlinks followed);
// false when it cannot be stat'ed.
[[nodiscard]] bool is_regular_file(const std::string& path);
[[nodiscard]] bool is_directory(const std::string& path);

// Writes `data` to stdout entirely (retrying short writes). Error: kIo.
[[nodiscard]] Result<void> write_stdout(std::string_view data);

}  // namespace kas
