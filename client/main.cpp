// kas: the client. Everything but the last-resort error report lives in
// client/kas.cpp, the command table and the core library.
#include <cstdio>
#include <exception>

#include "client/command.hpp"
#include "client/kas.hpp"

int main(int argc, char** argv) {
  try {
    return kas::cli::run_kas(argc, argv);
  } catch (const std::exception& e) {
    // Only bugs and resource exhaustion get here; say so rather than abort.
    std::fprintf(stderr, "kas: internal error: %s\n", e.what());
    return kas::cli::kExitFailure;
  }
}
