// Where ftrace can attach in a kernel binary: the call sites its compiler
// recorded (-mrecord-mcount's __mcount_loc, objtool's for Clang, arm64's
// -fpatchable-function-entry __patchable_function_entries), which the kernel
// reads at boot (ftrace_init: __start_mcount_loc..__stop_mcount_loc of
// vmlinux) or when it loads a module.
//
// kprobe_events refuses a function with none: __register_trace_kprobe()
// (kernel/trace/trace_kprobe.c, 6.1 and 6.12) calls within_notrace_func(),
// true when ftrace_location_range() finds no site in the function holding the
// address, unless CONFIG_KPROBE_EVENTS_ON_NOTRACE. The kernel's `inline` is
// notrace (compiler_types.h), so every out-of-line copy of a header's static
// inline is such a function, and so is everything built without the ftrace
// flags (kernel/trace/, noinstr code).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/elf/elf_file.hpp"
#include "core/util/result.hpp"

namespace kas {

struct FtraceSites {
  // False when the binary records no call site at all (a kernel without
  // ftrace, or a file that is no kernel binary): nothing can be told then.
  bool recorded = false;
  // (section, offset) of each site, sorted: a module's are section offsets;
  // vmlinux's are link addresses, with section 0.
  std::vector<std::pair<uint32_t, uint64_t>> sites;
  // How far before its function a site may lie: arm64's
  // DYNAMIC_FTRACE_WITH_CALL_OPS records the first of two pre-function NOPs
  // (-fpatchable-function-entry=4,2), 8 bytes before the symbol, which
  // ftrace_call_adjust() moves into the function.
  uint64_t before = 0;

  // Whether [start, start + size) of `section` (0 for vmlinux addresses)
  // holds a site.
  [[nodiscard]] bool any_in(uint32_t section, uint64_t start, uint64_t size) const;
};

// The kernel's kprobe blacklist, as far as a binary shows it: text areas
// populate_kprobe_blacklist() (kernel/kprobes.c) and the arch's
// arch_populate_kprobe_blacklist() add whole (__kprobes_text, __noinstr_text;
// x86 and arm64 __entry_text; arm64 __irqentry_text, __hyp_text,
// __hyp_idmap_text), vmlinux's NOKPROBE_SYMBOL() list (_kprobe_blacklist,
// between __start_ and __stop_kprobe_blacklist), and a module's .kprobes.text
// and .noinstr.text sections (kprobes_module_callback). register_kprobe()
// refuses an address there with -EINVAL, whatever the name.
struct KprobeBlacklist {
  std::vector<std::pair<uint64_t, uint64_t>> areas;  // vmlinux [start, end)
  std::vector<uint64_t> functions;                    // vmlinux NOKPROBE_SYMBOL entries, sorted
  std::vector<uint32_t> sections;                     // a module's blacklisted sections, sorted

  // Whether a function at `value` of `section` (0 for vmlinux) is listed.
  [[nodiscard]] bool holds(uint32_t section, uint64_t value) const;
};
[[nodiscard]] Result<KprobeBlacklist> read_kprobe_blacklist(const ElfFile& file);

// Reads `file`'s sites: vmlinux's between its __start_mcount_loc and
// __stop_mcount_loc symbols (with its RELA relocations applied where the
// link left them to boot, as arm64's relocatable kernel does), a module's
// from the relocations of its __mcount_loc or __patchable_function_entries
// section. Errors: kBadElf naming the file when those are unreadable.
[[nodiscard]] Result<FtraceSites> read_ftrace_sites(const ElfFile& file);

}  // namespace kas
