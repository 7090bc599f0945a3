// What every kas subcommand shares: the error report, daemon routing, and
// the option groups that mean the same in each command.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "client/commands.hpp"
#include "client/connection.hpp"
#include "client/options.hpp"
#include "core/alias/policy.hpp"
#include "core/util/result.hpp"

namespace kas::cli {

// "kas: MESSAGE" on stderr; the job's failure status.
inline int report(const Error& error) {
  std::fprintf(stderr, "kas: %s\n", error.message.c_str());
  return kExitFailure;
}

struct Routing {
  bool no_daemon = false;
  DaemonOptions daemon;
};

void add_routing_options(std::vector<OptionSpec>& specs, Routing& routing);
void add_alias_options(std::vector<OptionSpec>& specs, AliasOptions& alias);
[[nodiscard]] OptionSpec jobs_option(unsigned& jobs);

// Through the daemon unless told otherwise or none can be used.
template <typename Remote, typename Local>
auto routed(const Routing& routing, Remote remote, Local local) -> decltype(local()) {
  if (!routing.no_daemon && std::getenv("KAS_NO_DAEMON") == nullptr) {
    if (auto answer = remote()) return std::move(*answer);
  }
  return local();
}

}  // namespace kas::cli
