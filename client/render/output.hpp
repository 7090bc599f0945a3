// Where a command's text goes: stdout, or a file written atomically so that
// make never sees a partial one. Chosen when the command starts: the file's
// directory is opened then and not looked up again (core/util/atomic_file).
#pragma once

#include <optional>
#include <string>

#include "core/util/atomic_file.hpp"

namespace kas::cli {

class Output {
 public:
  // `out_path` "" or "-": stdout.
  explicit Output(const std::string& out_path);
  // Returns the exit status (1 after reporting "kas: PATH: reason").
  [[nodiscard]] int write(const std::string& text) const;

 private:
  std::optional<OutputTarget> file_;
};

}  // namespace kas::cli
