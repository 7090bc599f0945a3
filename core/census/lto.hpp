// Suffixes an LTO link appends to local symbols, and which ones a kernel has.
//
// Clang ThinLTO renames a promoted static "foo" to "foo.llvm.123456789" and
// GCC LTO to "foo.lto_priv.0". Clang full LTO merges every unit into one
// module, where two statics named "foo" cannot coexist: the link renames
// them "foo.49514", "foo.56508". The numbers change from link to link, so
// they must neither split the census nor leak into an alias. GCC's own
// clone suffixes (.constprop.N, .isra.N, .part.N, .cold) and its static
// locals (__key.N) are real names and are kept: a bare ".N" is dropped only
// from a full-LTO kernel, which GCC never builds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kas {

enum class Lto : uint8_t {
  kDetect,  // a request's default: decided from the kernel's files (lto_detect.hpp)
  kNone,    // names as they are
  kThin,    // drop .llvm.N and .lto_priv.N
  kFull,    // those, and a bare .N
};

// "foo.llvm.1234" -> "foo", "foo.lto_priv.0" -> "foo"; with kFull also
// "foo.49514" -> "foo" (but never "foo.constprop.0" -> "foo.constprop").
// kNone and kDetect: the name as is.
[[nodiscard]] std::string_view strip_lto_suffix(std::string_view name, Lto lto);

// The name the census counts and the alias is spelled with.
[[nodiscard]] inline std::string_view census_name(std::string_view name, Lto lto) {
  return strip_lto_suffix(name, lto);
}

// "detect", "none", "thin", "full" (the --lto values), and back.
[[nodiscard]] std::string_view lto_spelling(Lto lto);
[[nodiscard]] std::optional<Lto> parse_lto(std::string_view text);

}  // namespace kas
