#include "client/command_support.hpp"

namespace kas::cli {

void add_routing_options(std::vector<OptionSpec>& specs, Routing& routing) {
  specs.push_back({"no-daemon", 0, nullptr, "run in this process instead of through kasd",
                   [&](const std::string&) { routing.no_daemon = true; return true; }});
  specs.push_back({"socket", 0, "PATH", "kasd's socket (default: $KAS_SOCKET or the per-user one)",
                   [&](const std::string& v) { routing.daemon.socket_path = v; return true; }});
}

void add_alias_options(std::vector<OptionSpec>& specs, AliasOptions& alias) {
  specs.push_back({"data", 0, nullptr, "alias data symbols too, not only text (T/t)",
                   [&](const std::string&) { alias.data = true; return true; }});
  specs.push_back({"lto", 0, nullptr, "LTO build: ignore .llvm.N / .lto_priv.N suffixes",
                   [&](const std::string&) { alias.lto = true; return true; }});
  specs.push_back({"separator", 0, "C", "character between name and location (default '@')",
                   [&](const std::string& v) {
                     if (v.size() != 1) return false;
                     alias.separator = v[0];
                     return true;
                   }});
}

OptionSpec jobs_option(unsigned& jobs) {
  return {"jobs", 'j', "N", "worker threads (default: all cores)",
          [&](const std::string& v) { return parse_unsigned(v, jobs); }};
}

}  // namespace kas::cli
