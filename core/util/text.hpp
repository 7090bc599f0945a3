// Small text helpers shared by the parsers.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace kas::text {

[[nodiscard]] constexpr bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Splits off the first line of `data` (without its '\n') and advances `data`
// past it; `line_no` counts lines consumed. False when `data` is empty.
inline bool next_line(std::string_view& data, std::string_view& line, size_t& line_no) {
  if (data.empty()) return false;
  size_t nl = data.find('\n');
  line = data.substr(0, nl);
  data.remove_prefix(nl == std::string_view::npos ? data.size() : nl + 1);
  ++line_no;
  return true;
}

// "0x1a": how addresses, offsets and sizes are written in messages.
[[nodiscard]] inline std::string hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace kas::text
