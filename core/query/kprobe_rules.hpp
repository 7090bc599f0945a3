// How a kernel's kprobe_events resolves a symbol name, by release: the one
// place that says which Linux counts what (kernel/trace/trace_kprobe.c).
//
// "p:EVENT [MOD:]SYM[+OFFS]": number_of_same_symbols() counts the kallsyms
// entries named SYM (any type, data included), and validate_probe_symbol()
// refuses a count above one with -EADDRNOTAVAIL (kprobe_events: write(2)
// fails with EINVAL and tracing/error_log says "The symbol is not unique",
// NON_UNIQ_SYMBOL; perf_event_open and BPF get EADDRNOTAVAIL) and a count
// of zero with -ENOENT.
//   - MOD:SYM counts MOD's symbols only (6.12 and later; 6.1 does not check
//     MOD:SYM at all and takes the module's first SYM).
//   - A plain SYM counts vmlinux and every loaded module, except from
//     Linux 7.1 on: when vmlinux defines SYM, vmlinux alone is counted
//     (7.3 trace_kprobe.c:777-783, "If the symbol is found in vmlinux, use
//     vmlinux resolution only"; upstream 1870ddcd94b0, "Prefer vmlinux
//     symbols over module symbols for unqualified kprobes"). A stable
//     series may carry that fix too (7.0.y does); kas assumes it only from
//     7.1, and the locations it gives then hold on either kind of kernel.
#pragma once

#include <optional>
#include <string>

#include "core/elf/linux_version.hpp"

namespace kas {

struct KprobeRules {
  std::optional<LinuxVersion> version;  // nullopt: vmlinux names none
  // A plain SYM that vmlinux defines is counted in vmlinux alone.
  bool vmlinux_first = false;

  // "Linux 7.3" (or "this kernel" when the version is unknown), for messages.
  [[nodiscard]] std::string kernel() const;
};

[[nodiscard]] KprobeRules kprobe_rules_for(std::optional<LinuxVersion> version);

// What the kernel answers a probe on a name it counts `count` (> 1) times.
[[nodiscard]] std::string non_unique_refusal();

}  // namespace kas
