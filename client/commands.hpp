// The kas subcommands. Each returns the process exit status: 0 success,
// 1 a failure of the job (bad input, unreadable file: make must stop),
// 2 a usage error.
#pragma once

namespace kas::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int run_vmlinux(int argc, char** argv);
int run_census(int argc, char** argv);
int run_module(int argc, char** argv);
int run_daemon(int argc, char** argv);
int run_lookup(int argc, char** argv);
int run_resolve(int argc, char** argv);
int run_decode(int argc, char** argv);

}  // namespace kas::cli
