// How lookup / resolve / decode answers are shown: an aligned table for
// people (colours only when asked or on a terminal) and JSON for scripts.
//
// JSON schema (stable; doc/json-output.md describes every field):
//   lookup:  {"schema":"kas-lookup/1","results":[{"pattern":S,"total":N,"definitions":[DEF...]}]}
//   resolve: {"schema":"kas-resolve/1","results":[{"query":S,"error":S|null,"ambiguous":B,
//             "candidates":[{"symbol":DEF,"offset":N,"frames":[{"function":S,"file":S,"line":N}]}]}]}
//   DEF: {"binary","path","name","type","section","address" (hex string),"relocatable",
//         "size","count","alias" (S|null),"file" (S|null),"line" (N|null),"unit" (S|null),"note" (S|null)}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "service/vocabulary.hpp"

namespace kas::cli {

struct Style {
  bool color = false;
  // SGR sequences, empty without colour.
  [[nodiscard]] std::string_view bold() const { return color ? "\033[1m" : ""; }
  [[nodiscard]] std::string_view dim() const { return color ? "\033[2m" : ""; }
  [[nodiscard]] std::string_view green() const { return color ? "\033[32m" : ""; }
  [[nodiscard]] std::string_view yellow() const { return color ? "\033[33m" : ""; }
  [[nodiscard]] std::string_view red() const { return color ? "\033[31m" : ""; }
  [[nodiscard]] std::string_view cyan() const { return color ? "\033[36m" : ""; }
  [[nodiscard]] std::string_view reset() const { return color ? "\033[0m" : ""; }
};

// --color=auto|always|never for stream `fd`; false for an invalid word.
[[nodiscard]] bool parse_color(const std::string& word, int fd, bool& color);

[[nodiscard]] std::string lookup_table(const std::vector<std::string>& patterns,
                                       const std::vector<LookupAnswer>& answers, const Style& style,
                                       bool vmlinux_only = false);
[[nodiscard]] std::string lookup_json(const std::vector<std::string>& patterns,
                                      const std::vector<LookupAnswer>& answers);

[[nodiscard]] std::string resolve_text(const std::vector<ResolveAnswer>& answers, const Style& style);
[[nodiscard]] std::string resolve_json(const std::vector<ResolveAnswer>& answers);

// The log line with its frame annotated: " at FILE:LINE" (and the alias of
// a duplicated name), then one line per inlined call, innermost first,
// each starting with the line's prefix before the frame (the timestamp).
[[nodiscard]] std::string decode_line(std::string_view line, const LogFrame& frame, const ResolveAnswer& answer,
                                      const Style& style);

}  // namespace kas::cli
