// Parsing what people and kernel logs write for a code location:
//   ffffffff8c4f76d0           an address (vmlinux, or the running kernel with --live)
//   name_show+0x1a/0x40        a symbol, offset and the symbol's size (oops frames)
//   name_show@drivers_uio_uio_c_215+0x10   an alias
//   uio:name_show+0x1a         a symbol of module uio
//   name_show+0x1a/0x40 [uio]  the oops form of a module frame
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/query/answers.hpp"
#include "core/util/result.hpp"

namespace kas {

// One query as given to `kas resolve`. Error kInvalidArgument naming the
// text and what is wrong.
[[nodiscard]] Result<FrameQuery> parse_frame_spec(std::string_view text);
// Each of `texts` (a command's operands); the first error.
[[nodiscard]] Result<std::vector<FrameQuery>> parse_frame_specs(std::span<const std::string> texts);

// The rules the spellings share, for `kas lookup`'s patterns too: a module
// name as MODULE: prefixes it (letters, digits, '_', '-'; not empty), and
// whether what follows a name's '@' is perf's source file (it holds a '.'
// or '/', which an alias's decoration never does).
[[nodiscard]] bool is_module_name(std::string_view text);
[[nodiscard]] bool names_source_file(std::string_view after_at);

// A stack frame found in one line of a kernel log: where it is in the line
// (so the annotation can follow it) and the query. The frame of an oops
// line without "[module]" is vmlinux's; every frame but the faulting
// instruction's ("RIP:", "pc :", "ip:", "EIP:") is a return address.
struct LogFrame {
  size_t begin = 0;
  size_t end = 0;
  FrameQuery query;
  // x86's "? " frame: a stale return address found on the stack, which the
  // unwinder could not vouch for.
  bool unreliable = false;
  // An unreliable frame at its symbol's very end (OFF == SIZE): %pB names
  // the function before a code pointer (the next function's start), where
  // no instruction and no line is.
  [[nodiscard]] bool stale_pointer() const {
    return unreliable && query.return_address && query.has_size && query.offset == query.size;
  }
};
[[nodiscard]] std::optional<LogFrame> find_log_frame(std::string_view line);

}  // namespace kas
