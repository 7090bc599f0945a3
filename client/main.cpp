// kas: the client. Dispatches a subcommand; everything else lives in
// commands.cpp and the core library.
#include <cstdio>
#include <cstring>
#include <exception>

#include "client/commands.hpp"

namespace {

void print_usage(FILE* to) {
  std::fprintf(to,
               "usage: kas COMMAND [OPTIONS]\n\n"
               "Unique, probe-able aliases for duplicated kernel symbols.\n\n"
               "commands:\n"
               "  vmlinux   add alias lines to vmlinux's nm listing (kallsyms input)\n"
               "  module    add alias symbols to a module object (before its final link)\n"
               "  census    count symbol names over vmlinux and modules (name:count)\n"
               "  lookup    every definition of a symbol: binary, address, file:line, alias\n"
               "  resolve   function, file:line and inline chain at an address or func+off/size\n"
               "  decode    annotate the stack frames of a kernel log or oops (stdin)\n"
               "  daemon    start, stop or query kasd (used by the other commands by default)\n\n"
               "'kas COMMAND --help' describes each command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kas::cli;
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsage;
  }
  const char* command = argv[1];
  try {
    if (std::strcmp(command, "vmlinux") == 0) return run_vmlinux(argc, argv);
    if (std::strcmp(command, "census") == 0) return run_census(argc, argv);
    if (std::strcmp(command, "module") == 0) return run_module(argc, argv);
    if (std::strcmp(command, "daemon") == 0) return run_daemon(argc, argv);
    if (std::strcmp(command, "lookup") == 0) return run_lookup(argc, argv);
    if (std::strcmp(command, "resolve") == 0) return run_resolve(argc, argv);
    if (std::strcmp(command, "decode") == 0) return run_decode(argc, argv);
    if (std::strcmp(command, "--help") == 0 || std::strcmp(command, "-h") == 0 || std::strcmp(command, "help") == 0) {
      print_usage(stdout);
      return kExitOk;
    }
    if (std::strcmp(command, "--version") == 0) {
      std::printf("kas %s\n", KAS_BUILD_ID);
      return kExitOk;
    }
  } catch (const std::exception& e) {
    // Only bugs and resource exhaustion get here; say so rather than abort.
    std::fprintf(stderr, "kas: internal error: %s\n", e.what());
    return kExitFailure;
  }
  std::fprintf(stderr, "kas: unknown command '%s'\n\n", command);
  print_usage(stderr);
  return kExitUsage;
}
