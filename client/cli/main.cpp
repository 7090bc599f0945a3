// kas: the client. Everything but the last-resort error report lives in
// client/cli/kas.cpp, the command table and the core library.
#include <cstdio>
#include <exception>

#include "client/cli/command.hpp"
#include "client/cli/kas.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/bus_fault.hpp"

#ifdef __SANITIZE_ADDRESS__
// A sanitized kas checks for leaks only when asked (ASAN_OPTIONS=detect_leaks=1,
// as tests/cli/leak_check_test.cpp does for every command): kas runs one
// command and exits, LeakSanitizer's scan at exit reads every loaded
// library's data, 12 MB of pages mostly never touched, and took more time
// than most commands (kas --version: 74 ms with it, 30 ms without) in a
// suite that starts kas about a thousand times. kasd, which lives on, and
// the test programs, which run the same code in process, keep the check.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

int main(int argc, char** argv) {
  // Outputs on a file system without O_TMPFILE have a name while written.
  kas::remove_temporaries_on_signals();
  // An input truncated while mapped is an error naming it, not a SIGBUS.
  kas::install_bus_fault_guard();
  try {
    return kas::cli::run_kas(argc, argv);
  } catch (const std::exception& e) {
    // Only bugs and resource exhaustion get here; say so rather than abort.
    std::fprintf(stderr, "kas: internal error: %s\n", e.what());
    return kas::cli::kExitFailure;
  }
}
