// Every symbol of one kernel (vmlinux and all its modules) with its alias
// and, on demand, its source: what `kas lookup / resolve / decode` answer
// from.
//
// Built once per target over its kernel snapshot (the daemon keeps both):
// every binary's symbols from its record (section, value, size, nm type)
// with their census counts, and each duplicated symbol's alias decided by
// the same core/alias calls as `kas vmlinux` and `kas module` (so lookup
// shows the alias the build gives, not a re-derivation): vmlinux's at
// build, a module's when a question first shows one of its symbols (its
// candidates' DWARF is read then, once). Names are sorted for exact and
// prefix matching, aliases once an alias pattern is asked. Source locations
// and inline chains need DWARF, which is read only when a question needs
// it (DwarfSlots). What is decided later is decided once (call_once) and
// final after; concurrent questions are safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/elf/ftrace_sites.hpp"
#include "core/index/kernel_snapshot.hpp"
#include "core/util/file_stamp.hpp"
#include "core/query/answers.hpp"
#include "core/query/dwarf_slots.hpp"
#include "core/query/kprobe_rules.hpp"
#include "core/query/query_target.hpp"
#include "core/util/progress.hpp"
#include "core/util/result.hpp"

namespace kas {

// A module name as kallsyms and the index spell it: kbuild's KBUILD_MODNAME
// turns '-' into '_' ("extcon-core" -> "extcon_core").
[[nodiscard]] std::string normalized_module(std::string_view name);

class SymbolIndex {
 public:
  // Reads the target with `jobs` threads; `progress` (may be empty) hears
  // of each stage's items. Errors: vmlinux's (not found, no DWARF), a
  // module list's or a module's (named).
  [[nodiscard]] static Result<std::shared_ptr<const SymbolIndex>> build(const QueryTarget& target, unsigned jobs,
                                                                         const ProgressFn& progress = {});
  // The same over a snapshot of target.kernel (the daemon's,
  // whose records other requests share): no file is read again.
  [[nodiscard]] static Result<std::shared_ptr<const SymbolIndex>> build(const QueryTarget& target,
                                                                         std::shared_ptr<const KernelSnapshot> snapshot,
                                                                         unsigned jobs, const ProgressFn& progress = {});

  // Definitions whose name (or alias, when the pattern holds the alias
  // separator) matches `pattern`: an exact name or an fnmatch(3) glob. At
  // most `limit` are described (0: no limit); `total` counts all.
  [[nodiscard]] LookupAnswer lookup(std::string_view pattern, size_t limit) const;

  // Each query answered on its own (see ResolveAnswer).
  [[nodiscard]] std::vector<ResolveAnswer> resolve(std::span<const FrameQuery> queries) const;

  // Where a kprobe on each query's one function goes in this kernel
  // (symbol_index_probe.cpp): its alias when the kernel's kallsyms carries
  // aliases (`kernel_has_aliases`: built with the kbuild series); else its
  // name when no other symbol of the kernel has it; else MODULE:NAME when
  // none other of its module has; else the closest uniquely named symbol
  // before it in its section, plus the distance.
  [[nodiscard]] std::vector<ProbeAnswer> probe(std::span<const FrameQuery> queries, bool kernel_has_aliases) const;

  // The sizes the kernel may print for entry `id` as an oops frame's
  // "/SIZE": kallsyms measures a symbol to the next one it lists
  // (symbol_index_extent.cpp). [lo, hi]: lo == hi when exact; hi is
  // UINT64_MAX when the loader decides the rest. nullopt when kallsyms does
  // not measure it (a module's data).
  struct Extent {
    uint64_t lo = 0;
    uint64_t hi = 0;
    [[nodiscard]] bool holds(uint64_t size) const { return lo <= size && size <= hi; }
  };
  [[nodiscard]] std::optional<Extent> kallsyms_extent(uint32_t id) const;

  // vmlinux's link address of `name` (the first definition), for --live's
  // KASLR offset.
  [[nodiscard]] std::optional<uint64_t> vmlinux_address(std::string_view name) const;

  // True when vmlinux, a modules.order, or a binary an answer was read from
  // changed on disk since indexing: rebuild before answering again.
  [[nodiscard]] bool changed() const;
  // The same as an error naming the file ("PATH: changed while being
  // read"): in-process kas, which indexed for this one command, cannot
  // trust answers given meanwhile (they may lack locations or mix two
  // versions) and reports it, as kasd, which reindexes, would.
  [[nodiscard]] Result<void> unchanged() const;

  [[nodiscard]] const QueryTarget& target() const { return target_; }
  [[nodiscard]] size_t binary_count() const { return binaries_.size(); }
  [[nodiscard]] size_t symbol_count() const { return entries_.size(); }
  [[nodiscard]] size_t approximate_bytes() const { return bytes_; }
  // Descriptors its open DWARF handles hold.
  [[nodiscard]] size_t descriptors() const;
  // Closes the DWARF handles of files deleted or replaced since they were
  // opened (they pin the old files' disk space); true when there were any:
  // the index is changed() from then on. Thread-safe.
  bool release_gone() const;

  struct Binary {
    std::string name;  // "vmlinux" or the module name
    std::string path;
    bool relocatable = false;
    FileStamp stamp;
    std::vector<std::string> sections;  // names by index
    std::string strings;                // symbol names (Entry offsets)
  };
  struct Entry {
    uint64_t value = 0;
    uint64_t size = 0;
    uint32_t binary = 0;
    uint32_t section = 0;  // 0 when not in a section (absolute)
    uint32_t name_offset = 0;
    uint32_t name_length = 0;
    uint32_t count = 0;
    uint32_t symtab_index = 0;  // in its binary's .symtab
    char nm_type = '?';
    uint8_t elf_type = 0;  // STT_*: a function or a variable to DWARF
  };

 private:
  [[nodiscard]] std::string_view name_of(const Entry& e) const;
  // Entry `id`'s alias ("" for none); its binary's aliases must be decided.
  [[nodiscard]] std::string_view alias_of(uint32_t id) const;
  // Decides the aliases of a module (once; vmlinux's are decided at build),
  // or of the binaries of `ids`, in parallel.
  void ensure_aliases(uint32_t binary) const;
  void ensure_aliases(std::span<const uint32_t> ids) const;
  // Entries with an alias sorted by it: every binary's aliases decided first.
  [[nodiscard]] const std::vector<uint32_t>& by_alias() const;
  // `ids` without the entries that are aliases themselves (a module linked
  // by a kbuild with aliases holds them as symbols).
  [[nodiscard]] std::vector<uint32_t> visible(std::vector<uint32_t> ids) const;
  // With `locations`, file/line/unit from the binaries' DWARF (read on
  // first use: tens of milliseconds for a module); without, symbols only.
  [[nodiscard]] std::vector<SymbolDefinition> describe(std::span<const uint32_t> ids, bool locations = true) const;
  [[nodiscard]] ResolveAnswer resolve_one(const FrameQuery& query) const;
  // `ids` narrowed by the query's module, perf source and livepatch sympos
  // (symbol_index_select.cpp); empty with `error` saying why when the
  // narrowing leaves none of a non-empty `ids`.
  [[nodiscard]] std::vector<uint32_t> select(std::vector<uint32_t> ids, const FrameQuery& q, std::string& error) const;
  // Whether livepatch counts the entry in its object (a module's .init
  // symbols are gone from its kallsyms by then), and its 1-based position
  // there in kallsyms order (0 when not counted).
  [[nodiscard]] bool livepatch_counts(const Entry& e) const;
  [[nodiscard]] uint32_t sympos_of(uint32_t id) const;
  // Whether ftrace can attach in entry `id`'s function, as kprobe_events
  // asks (symbol_index_probe.cpp): nullopt when its binary records no call
  // site (nothing to tell from).
  [[nodiscard]] std::optional<bool> ftrace_traceable(uint32_t id) const;
  [[nodiscard]] ProbeAnswer probe_one(const FrameQuery& query, bool kernel_has_aliases) const;
  // What the kernel makes of a probe on `query`'s name as given (plain or
  // MOD:NAME) when it names several functions (after select), for the
  // refusal's text.
  [[nodiscard]] std::string plain_name_verdict(const FrameQuery& query) const;
  // Definitions named exactly `name` in `binary` (any binary when nullopt).
  [[nodiscard]] size_t exact_count(std::string_view name, std::optional<uint32_t> binary) const;
  // Entries named `name` (or, with the separator, aliased so); in an LTO
  // kernel also those the link renamed (name.llvm.N, full LTO's name.N).
  [[nodiscard]] std::vector<uint32_t> named(std::string_view name) const;
  [[nodiscard]] std::optional<uint32_t> vmlinux_symbol_at(uint64_t address) const;
  void check_binary(uint32_t binary) const;

  QueryTarget target_;
  std::vector<std::pair<std::string, FileStamp>> input_stamps_;
  std::vector<Binary> binaries_;  // vmlinux first
  std::vector<Entry> entries_;
  std::vector<uint32_t> first_entry_;   // binary b's entries are [first_entry_[b], first_entry_[b + 1])
  std::vector<uint32_t> by_name_;       // entry ids sorted by name
  std::vector<uint32_t> vmlinux_by_address_;
  std::unique_ptr<DwarfSlots> dwarf_;
  // What a module's aliases are decided from: its record and the census.
  std::shared_ptr<const KernelSnapshot> snapshot_;
  unsigned jobs_ = 1;
  struct Aliases {
    std::once_flag once;  // decided; everything below is final after it
    std::unordered_map<uint32_t, std::string> of_entry;  // entry id -> alias
    std::unordered_set<uint32_t> hidden;                 // entries that are aliases themselves
    std::string error;                                   // why none could be decided (no DWARF)
  };
  std::unique_ptr<Aliases[]> aliases_;  // per binary
  struct Traced {
    std::once_flag once;               // read; what follows is final after it
    std::optional<FtraceSites> sites;  // none when unreadable or unrecorded
    KprobeBlacklist blacklist;         // empty when unreadable
  };
  // Reads entry `id`'s binary's ftrace sites and kprobe blacklist (once).
  [[nodiscard]] const Traced& traced(uint32_t binary) const;
  // Whether the kernel's kprobe blacklist holds entry `id`'s function.
  [[nodiscard]] bool kprobe_blacklisted(uint32_t id) const;
  std::unique_ptr<Traced[]> traced_;   // per binary, read on a probe's first need
  // The kernel's CONFIG_KPROBE_EVENTS_ON_NOTRACE (from its config, when
  // found): kprobe_events then takes notrace functions too.
  bool probes_notrace_ = false;
  // How its kprobe_events counts a name (its release, read from vmlinux).
  KprobeRules kprobe_rules_;
  mutable std::once_flag by_alias_once_;
  mutable std::vector<uint32_t> by_alias_;  // ids of entries with an alias, sorted by alias
  mutable std::atomic<bool> stale_{false};
  // The first binary found changed since indexing (UINT32_MAX: none).
  mutable std::atomic<uint32_t> first_stale_{UINT32_MAX};
  size_t bytes_ = 0;
};

}  // namespace kas
