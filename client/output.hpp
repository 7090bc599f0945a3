// Where a command's text goes: stdout, or a file written atomically so that
// make never sees a partial one.
#pragma once

#include <string>

namespace kas::cli {

// `out_path` "" or "-": stdout. Returns the exit status (1 after reporting
// "kas: PATH: reason").
[[nodiscard]] int write_output(const std::string& out_path, const std::string& text);

}  // namespace kas::cli
