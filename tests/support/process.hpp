// Runs a real program (kas, nm, gcc, llvm-dwarfdump) and captures its output.
#pragma once

#include <string>
#include <vector>

namespace kas::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) with `argv`, in `cwd` when not empty.
[[nodiscard]] ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd = {});

// Starts argv in the background, stdout/stderr to the given files. Returns
// the pid; wait_process() gives its exit code (128 + signal when killed).
[[nodiscard]] int spawn_process(const std::vector<std::string>& argv, const std::string& out_path,
                                const std::string& err_path, const std::string& cwd = {});
[[nodiscard]] int wait_process(int pid);

// The kas binary under test.
[[nodiscard]] std::string kas_binary();

// Splits text into lines (no trailing empty line).
[[nodiscard]] std::vector<std::string> split_lines(const std::string& text);

}  // namespace kas::test
