// kas::Result<T>: the one way recoverable errors travel through kasd.
//
// Core functions never throw for bad input: they return an Error carrying a
// code (the same enumeration the wire protocol uses) and a message that names
// the file and the reason, so the CLI can print it as-is and the daemon can
// send it back to a client without losing context.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace kas {

enum class ErrorCode {
  kInvalidArgument = 1,  // bad option or request
  kNotFound = 2,         // missing file
  kIo = 3,               // read/write failure
  kBadElf = 4,           // not ELF, truncated, corrupt
  kNoDebugInfo = 5,      // ELF without the DWARF we need
  kBadDwarf = 6,         // DWARF libdw cannot read
  kBadInput = 7,         // malformed nm line, census line, modules.order
  kInternal = 8,         // a bug: should never reach a user
  // Out of descriptors or memory (EMFILE, ENFILE, ENOMEM, too many
  // connections): from kasd it means "cannot serve this now", and kas runs
  // the request itself.
  kExhausted = 9,
  // No daemon could be used (none reachable or startable, one that kept
  // dying, or kExhausted): the request was not run, and kas runs it itself.
  // kas's own: never sent on the wire.
  kUnavailable = 10,
};

struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for `return kas::fail(code, "path: reason")`.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

// Name of an error code, for logs and the CLI ("bad-elf").
[[nodiscard]] const char* error_code_name(ErrorCode code);

// The code of a failed open(2) or similar: kNotFound for ENOENT,
// kExhausted for a process or system out of descriptors or memory, kIo
// otherwise.
[[nodiscard]] ErrorCode errno_code(int err);

}  // namespace kas
