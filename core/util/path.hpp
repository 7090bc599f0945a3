// Lexical path arithmetic for paths read from DWARF.
//
// DWARF paths describe the machine that built the kernel, not this one, so
// these functions never touch the file system (except real_path, which says
// so): "a/b/../c" becomes "a/c" even if "a/b" does not exist here.
#pragma once

#include <string>
#include <string_view>

namespace kas::path {

// Collapses "//", "." and "dir/..". Keeps leading ".." of relative paths;
// ".." above "/" stays at "/". "" and "." normalize to "".
[[nodiscard]] std::string normalize(std::string_view p);

[[nodiscard]] bool is_absolute(std::string_view p);

// normalize(base + "/" + p), or normalize(p) when p is absolute.
[[nodiscard]] std::string join(std::string_view base, std::string_view p);

// If normalized `p` is `dir` or below it, returns the rest ("" for equal) in
// `rest` and true. Both arguments must be normalized. An empty `dir` is the
// root of relative paths: every relative path is below it.
[[nodiscard]] bool strip_prefix(std::string_view p, std::string_view dir, std::string& rest);

// Last component ("fs/binfmt_elf.c" -> "binfmt_elf.c").
[[nodiscard]] std::string_view basename(std::string_view p);

// Everything before the last component: "a/b/c" -> "a/b", "/c" -> "/",
// "c" -> "." (the directory a file named so is created in).
[[nodiscard]] std::string directory(std::string_view p);

// realpath(3) of `p`, or "" when it does not exist here.
[[nodiscard]] std::string real_path(const std::string& p);

}  // namespace kas::path
