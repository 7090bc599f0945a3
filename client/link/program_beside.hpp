// Where kas finds the programs it runs (kasd, kas-fetch): the same rule for
// a build tree and an installation.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace kas::cli {

// $`env` when set; else the first directory of `dirs` (relative to kas's
// own directory, "" for that directory itself) holding an executable `name`,
// normalized; else `name`, for PATH.
[[nodiscard]] std::string program_beside_kas(const char* env, std::string_view name,
                                             std::initializer_list<std::string_view> dirs);

}  // namespace kas::cli
