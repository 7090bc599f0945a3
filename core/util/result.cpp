#include "core/util/result.hpp"

#include <cerrno>

namespace kas {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kBadElf: return "bad-elf";
    case ErrorCode::kNoDebugInfo: return "no-debug-info";
    case ErrorCode::kBadDwarf: return "bad-dwarf";
    case ErrorCode::kBadInput: return "bad-input";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kExhausted: return "exhausted";
    case ErrorCode::kUnavailable: return "unavailable";
  }
  return "unknown";
}

ErrorCode errno_code(int err) {
  switch (err) {
    case ENOENT: return ErrorCode::kNotFound;
    case EMFILE:
    case ENFILE:
    case ENOMEM: return ErrorCode::kExhausted;
    default: return ErrorCode::kIo;
  }
}

}  // namespace kas
