// kas: the client. Everything but the last-resort error report lives in
// client/cli/kas.cpp, the command table and the core library.
#include <cstdio>
#include <exception>

#include "client/cli/command.hpp"
#include "client/cli/kas.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/bus_fault.hpp"

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
