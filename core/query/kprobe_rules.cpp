#include "core/query/kprobe_rules.hpp"

namespace kas {

std::string KprobeRules::kernel() const {
  if (!version) return "this kernel";
  return "Linux " + std::to_string(version->version) + "." + std::to_string(version->patchlevel);
}

KprobeRules kprobe_rules_for(std::optional<LinuxVersion> version) {
  KprobeRules rules;
  rules.version = version;
  rules.vmlinux_first = version && version->at_least(7, 1);
  return rules;
}

std::string non_unique_refusal() {
  return "kprobe_events refuses it (write(2) fails with EINVAL; tracing/error_log: \"The symbol is not unique\"; "
         "perf_event_open and BPF: EADDRNOTAVAIL)";
}

}  // namespace kas
