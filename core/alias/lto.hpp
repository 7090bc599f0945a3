// Suffixes an LTO link appends to promoted local symbols.
//
// Clang ThinLTO renames a promoted static "foo" to "foo.llvm.123456789" and
// GCC LTO to "foo.lto_priv.0"; the number changes from link to link, so it
// must neither split the census nor leak into an alias. GCC's own clone
// suffixes (.constprop.N, .isra.N, .part.N, .cold) and static locals
// (__key.N) are real names and are kept. Applied only in LTO builds.
#pragma once

#include <string_view>

namespace kas {

// "foo.llvm.1234" -> "foo", "foo.lto_priv.0" -> "foo"; anything else as is.
[[nodiscard]] std::string_view strip_lto_suffix(std::string_view name);

// The name the census counts: stripped in LTO builds, as is otherwise.
[[nodiscard]] inline std::string_view census_name(std::string_view name, bool lto) {
  return lto ? strip_lto_suffix(name) : name;
}

}  // namespace kas
