// kas probe: where a kprobe on one definition goes in a kernel that may not
// carry aliases, using only names that kernel's kallsyms resolves the same
// way on every boot.
//
// What the kernel accepts for a name is kprobe_rules.hpp's: a plain SYM
// must be unique over vmlinux and every module (a module loaded later could
// otherwise make it ambiguous), or from Linux 7.1 on only in vmlinux when
// vmlinux defines it; MOD:SYM must be unique in its module. SYM+OFFS is
// then resolved as kallsyms address plus OFFS, and x86's can_probe() only
// asks that the address starts an instruction: the start of the function
// after SYM does. Both KASLR and module loading move a section as a whole,
// so an anchor in the same section keeps the distance on every boot.
//
// SYM+OFFS need not be SYM's own: _kprobe_addr() (kernel/kprobes.c, 6.1 and
// 6.12) re-bases the address on the kallsyms symbol holding it
// (kallsyms_lookup_size_offset()) before arch_adjust_kprobe_addr() sees it.
// So ANCHOR+0xOFF landing on a function's first byte is that function's
// entry: x86 moves the probe past its ENDBR64 (IBT) as for NAME+0, and a
// return probe on it passes kprobe_on_func_entry() (no BAD_RETPROBE). The
// location is therefore the function's exact address, IBT or not.
#include <algorithm>

#include "core/alias/exclusions.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/kallsyms_names.hpp"
#include "core/dwarf/locator.hpp"
#include "core/elf/nm_type.hpp"
#include "core/query/kprobe_rules.hpp"
#include "core/query/symbol_index.hpp"
#include "core/util/text.hpp"

namespace kas {

std::vector<ProbeAnswer> SymbolIndex::probe(std::span<const FrameQuery> queries, bool kernel_has_aliases) const {
  std::vector<ProbeAnswer> answers;
  answers.reserve(queries.size());
  for (const FrameQuery& q : queries) answers.push_back(probe_one(q, kernel_has_aliases));
  return answers;
}

const SymbolIndex::Traced& SymbolIndex::traced(uint32_t binary) const {
  Traced& slot = traced_[binary];
  std::call_once(slot.once, [&] {
    auto file = ElfFile::open(binaries_[binary].path);
    if (!file) return;
    auto sites = read_ftrace_sites(*file);
    auto blacklist = read_kprobe_blacklist(*file);
    if (!file->unchanged()) return;
    if (sites && sites->recorded) slot.sites = std::move(*sites);
    if (blacklist) slot.blacklist = std::move(*blacklist);
  });
  return slot;
}

bool SymbolIndex::kprobe_blacklisted(uint32_t id) const {
  const Entry& e = entries_[id];
  return traced(e.binary).blacklist.holds(binaries_[e.binary].relocatable ? e.section : 0, e.value);
}

std::optional<bool> SymbolIndex::ftrace_traceable(uint32_t id) const {
  const Entry& e = entries_[id];
  const Traced& slot = traced(e.binary);
  if (!slot.sites) return std::nullopt;
  const uint32_t section = binaries_[e.binary].relocatable ? e.section : 0;
  if (slot.sites->any_in(section, e.value, e.size)) return true;
  // within_notrace_func() judges a GCC part (NAME.cold, NAME.part.N) by the
  // function its name starts with.
  const std::string_view name = name_of(e);
  if (size_t dot = name.find('.'); dot != std::string_view::npos && dot > 0) {
    const std::string_view base = name.substr(0, dot);
    auto lo = std::lower_bound(by_name_.begin(), by_name_.end(), base,
                               [&](uint32_t other, std::string_view n) { return name_of(entries_[other]) < n; });
    for (auto it = lo; it != by_name_.end() && name_of(entries_[*it]) == base; ++it) {
      const Entry& b = entries_[*it];
      if (b.binary == e.binary && slot.sites->any_in(section == 0 ? 0 : b.section, b.value, b.size)) return true;
    }
  }
  return false;
}

std::string SymbolIndex::plain_name_verdict(const FrameQuery& q) const {
  const std::string name = q.symbol;
  // (Called with several functions of that name left: given a module, all
  // of them are in it.)
  if (q.module_given) {
    return "'" + q.module + ":" + name + "' is not unique in its module either: " + non_unique_refusal();
  }
  const size_t in_vmlinux = exact_count(name, 0);
  if (kprobe_rules_.vmlinux_first && in_vmlinux == 1) {
    return "a plain '" + name + "' is vmlinux's on " + kprobe_rules_.kernel() +
           " (trace_kprobe.c counts vmlinux alone when it defines the name)";
  }
  if (in_vmlinux > 1 || exact_count(name, std::nullopt) > 1) return "a plain '" + name + "': " + non_unique_refusal();
  return "a plain '" + name + "' is unique to the kernel";
}

size_t SymbolIndex::exact_count(std::string_view name, std::optional<uint32_t> binary) const {
  auto lo = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [&](uint32_t id, std::string_view n) { return name_of(entries_[id]) < n; });
  size_t n = 0;
  for (auto it = lo; it != by_name_.end() && name_of(entries_[*it]) == name; ++it) {
    if (!binary || entries_[*it].binary == *binary) ++n;
  }
  return n;
}

ProbeAnswer SymbolIndex::probe_one(const FrameQuery& q, bool kernel_has_aliases) const {
  ProbeAnswer answer;
  answer.query = q;
  using text::hex;
  if (q.by_address) {
    answer.error = "a probe is named by a symbol or an alias, not by an address (" + q.text + ")";
    return answer;
  }
  std::vector<uint32_t> ids;
  std::vector<uint32_t> functions;
  size_t variables_typed_text = 0;
  for (uint32_t id : named(q.symbol)) {
    if (!nm_is_text(entries_[id].nm_type)) continue;
    // A variable nm calls text (7.x's x86 .data is executable) is no code
    // a kprobe can go on: register_kprobe wants kernel text.
    if (sought_as_function(entries_[id].elf_type, entries_[id].nm_type)) {
      functions.push_back(id);
    } else {
      ++variables_typed_text;
    }
  }
  if (functions.empty() && variables_typed_text > 0) {
    answer.candidates = describe(named(q.symbol));
    answer.error = "'" + q.symbol + "' is a variable (ELF STT_OBJECT), though nm and kallsyms type it text (its "
                   "data section is executable): kprobes go on code (register_kprobe refuses an address outside "
                   "kernel text)";
    return answer;
  }
  std::string narrowed;
  for (uint32_t id : select(functions, q, narrowed)) ids.push_back(id);
  if (!narrowed.empty()) {
    answer.candidates = describe(functions);
    answer.error = narrowed;
    return answer;
  }
  // A plain name vmlinux defines once is vmlinux's to a 7.1+ kernel
  // (kprobe_rules.hpp), whatever the modules hold: so is it to kas.
  if (ids.size() > 1 && kprobe_rules_.vmlinux_first && !q.module_given && exact_count(q.symbol, 0) == 1) {
    std::erase_if(ids, [&](uint32_t id) { return entries_[id].binary != 0; });
  }
  if (ids.size() != 1) {
    // Every definition of the name, as lookup lists them, to choose from.
    answer.candidates = describe(named(q.symbol));
    answer.error = ids.empty() ? "no function named '" + q.symbol + "'" +
                                     (q.module_given ? " in " + normalized_module(q.module) : std::string())
                               : "'" + q.symbol + "' names " + std::to_string(ids.size()) +
                                     " functions: give its alias (kas lookup " + q.symbol + "); " +
                                     plain_name_verdict(q);
    return answer;
  }
  const uint32_t id = ids.front();
  const Entry& e = entries_[id];
  if (e.size != 0 && q.offset >= e.size) {
    answer.error = "offset " + hex(q.offset) + " is past the end of '" + q.symbol + "' (size " + hex(e.size) + ")";
    return answer;
  }
  // A function without an ftrace call site (a header's inline: the
  // kernel's `inline` is notrace; kernel/trace/): kprobe_events refuses
  // every location in it, so none is printed.
  if (!probes_notrace_) {
    if (auto traced = ftrace_traceable(id); traced && !*traced) {
      answer.error = "'" + std::string(name_of(e)) + "'" + (e.binary == 0 ? "" : " in " + binaries_[e.binary].name) +
                     " is notrace (no ftrace call site: a header's inline, or code built without ftrace such as "
                     "kernel/trace/): kprobe_events refuses it (trace_kprobe.c, within_notrace_func) unless the "
                     "kernel has CONFIG_KPROBE_EVENTS_ON_NOTRACE";
      return answer;
    }
  }
  if (kprobe_blacklisted(id)) {
    answer.error = "'" + std::string(name_of(e)) + "'" + (e.binary == 0 ? "" : " in " + binaries_[e.binary].name) +
                   " is on the kernel's kprobe blacklist (NOKPROBE_SYMBOL, or entry, irqentry, noinstr or kprobes "
                   "text): register_kprobe refuses it (kernel/kprobes.c, within_kprobe_blacklist)";
    return answer;
  }
  // No DWARF for a probe: symbols and aliases decide it, and a module's
  // debug info read on first use would cost more than the rest together.
  answer.symbol = describe(std::span<const uint32_t>(&id, 1), false).front();
  if (answer.symbol.note.empty()) answer.symbol.note = "file and line not read for a probe (kas lookup shows them)";
  const std::string_view name = name_of(e);
  const bool in_module = e.binary != 0;
  const std::string module_prefix = in_module ? binaries_[e.binary].name + ":" : std::string();
  const std::string plus = q.offset != 0 ? "+" + hex(q.offset) : std::string();

  if (kernel_has_aliases && !answer.symbol.alias.empty()) {
    answer.how = "alias";
    answer.location = answer.symbol.alias + plus;
    return answer;
  }
  // A module's symbol is named with its module even when unique: the probe
  // can then be made before the module is loaded.
  // Uniqueness is only known over what was read: with vmlinux alone, a
  // module may define the name too (sunrpc's c_show beside vmlinux's), and
  // the kernel then refuses the plain name. Said as such, never "unique".
  // From 7.1 on a plain name vmlinux defines once is vmlinux's, whatever
  // the modules hold (kprobe_rules.hpp): "vmlinux-first" when a module
  // defines it too, or when no module was read to tell.
  const bool modules_read = !target_.kernel.modules_orders.empty() || !target_.kernel.module_dirs.empty();
  const bool vmlinux_first = kprobe_rules_.vmlinux_first && !in_module;
  const size_t everywhere = exact_count(name, std::nullopt);
  if (everywhere == 1 || (in_module && exact_count(name, e.binary) == 1) ||
      (vmlinux_first && exact_count(name, 0) == 1)) {
    if (in_module) {
      answer.how = "module";
    } else if (vmlinux_first) {
      answer.how = everywhere == 1 && modules_read ? "unique" : "vmlinux-first";
    } else {
      answer.how = modules_read ? "unique" : "unique-in-vmlinux";
    }
    answer.location = module_prefix + std::string(name) + plus;
    return answer;
  }
  // The closest symbol before it in its section whose name is unique
  // (kernel-wide for vmlinux, module-wide with MOD:) and that kallsyms lists.
  const std::span<const Entry> own(entries_.data() + first_entry_[e.binary],
                                   first_entry_[e.binary + 1] - first_entry_[e.binary]);
  // Nearest first, ties in entry order; a heap, since usually the first
  // candidate or two qualify (sorting all of vmlinux's .text would not).
  std::vector<const Entry*> before;
  std::vector<const Entry*> after;
  for (const Entry& other : own) {
    if (other.section != e.section || other.section == 0) continue;
    (other.value <= e.value ? before : after).push_back(&other);
  }
  auto first_unique = [&](std::vector<const Entry*>& candidates, bool nearest_is_highest) -> const Entry* {
    // a < b: b comes out of the heap first.
    auto later = [&](const Entry* a, const Entry* b) {
      if (a->value != b->value) return nearest_is_highest ? a->value < b->value : a->value > b->value;
      return a > b;  // the same address: the earlier entry first
    };
    std::make_heap(candidates.begin(), candidates.end(), later);
    for (auto end = candidates.end(); end != candidates.begin(); --end) {
      std::pop_heap(candidates.begin(), end, later);
      const Entry* other = *(end - 1);
      const std::string_view other_name = name_of(*other);
      if (other_name.empty() || kallsyms_ignores(other_name) || is_excluded_name(other_name)) continue;
      if (other_name.find(target_.alias.separator) != std::string_view::npos) continue;  // an alias symbol
      // (a plain anchor counted as the kernel counts it: vmlinux alone from 7.1)
      const std::optional<uint32_t> counted_in =
          in_module || vmlinux_first ? std::optional(e.binary) : std::nullopt;
      if (exact_count(other_name, counted_in) != 1) continue;
      return other;
    }
    return nullptr;
  };
  const Entry* anchor = first_unique(before, true);
  if (anchor == nullptr) {
    // kprobe_events takes no negative offset (traceprobe_split_symbol_offset
    // and the "offset < 0" check of __trace_kprobe_create): a symbol after
    // it can only place its runtime address (--address).
    answer.error = "no uniquely named symbol before '" + std::string(name) + "' in its section: no location the "
                   "kernel takes by name";
    if (const Entry* next = first_unique(after, false)) {
      answer.anchor = std::string(name_of(*next));
      answer.anchor_offset = next->value - e.value - q.offset;
      answer.anchor_after = true;
      answer.error += " (--address with --live gives its runtime address, from " + answer.anchor + ")";
    }
    return answer;
  }
  answer.how = modules_read || in_module || vmlinux_first ? "anchor" : "anchor-in-vmlinux";
  answer.anchor = std::string(name_of(*anchor));
  answer.anchor_offset = e.value - anchor->value + q.offset;
  answer.location = module_prefix + answer.anchor + "+" + hex(answer.anchor_offset);
  return answer;
}

}  // namespace kas
