// Parsing of `nm` text: the vmlinux symbol list kbuild feeds to kallsyms
// (`nm -n` filtered by scripts/mksysmap), also /proc/kallsyms and System.map.
//
// Lines are kept as views into the caller's buffer so that output can repeat
// every input line byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace kas {

struct NmLine {
  std::string_view text;     // the whole line, without its newline
  std::string_view address;  // hex digits as written; empty for undefined symbols
  uint64_t value = 0;
  char type = '?';
  std::string_view name;
  std::string_view module;   // "[mod]" suffix of /proc/kallsyms, without brackets
};

// Parses `data` (the contents of `path`, used in messages). Accepts
// "ADDR TYPE NAME", "ADDR TYPE NAME\t[MODULE]" and nm's undefined form
// "<spaces> U NAME". Empty lines are skipped. Error: kBadInput naming
// "path:line" and what is wrong.
[[nodiscard]] Result<std::vector<NmLine>> parse_nm_listing(std::string_view data, const std::string& path);

}  // namespace kas
