// kas probe: where a kprobe on one definition goes in a kernel that may not
// carry aliases, using only names that kernel's kallsyms resolves the same
// way on every boot.
//
// What the kernel accepts (kernel/trace/trace_kprobe.c, __trace_kprobe_create):
// "p:EVENT [MOD:]SYM[+OFFS]". Linux 6.1.192 refuses a SYM without "MOD:"
// that more than one kallsyms entry, vmlinux's or a loaded module's, is
// named (number_of_same_symbols(), EADDRNOTAVAIL); it does not check
// "MOD:SYM", and kallsyms_lookup_name() then takes the module's first SYM.
// Linux 6.12 checks both (validate_probe_symbol(): a MOD:SYM must be unique
// in its module). So a probe location is a name no other symbol shares:
// vmlinux-wide and over every module for a plain SYM (a module loaded later
// could otherwise make it ambiguous), module-wide for MOD:SYM. SYM+OFFS is
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
#include "core/elf/kallsyms_names.hpp"
#include "core/elf/nm_type.hpp"
#include "core/query/symbol_index.hpp"
#include "core/util/text.hpp"

namespace kas {

std::vector<ProbeAnswer> SymbolIndex::probe(std::span<const FrameQuery> queries, bool kernel_has_aliases) const {
  std::vector<ProbeAnswer> answers;
  answers.reserve(queries.size());
  for (const FrameQuery& q : queries) answers.push_back(probe_one(q, kernel_has_aliases));
  return answers;
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
  for (uint32_t id : named(q.symbol)) {
    const Entry& e = entries_[id];
    if (q.module_given && binaries_[e.binary].name != normalized_module(q.module)) continue;
    if (nm_is_text(e.nm_type)) ids.push_back(id);
  }
  if (ids.size() != 1) {
    // Every definition of the name, as lookup lists them, to choose from.
    answer.candidates = describe(named(q.symbol));
    answer.error = ids.empty() ? "no function named '" + q.symbol + "'" +
                                     (q.module_given ? " in " + normalized_module(q.module) : std::string())
                               : "'" + q.symbol + "' names " + std::to_string(ids.size()) +
                                     " functions: give its alias (kas lookup " + q.symbol + ")";
    return answer;
  }
  const uint32_t id = ids.front();
  const Entry& e = entries_[id];
  if (e.size != 0 && q.offset >= e.size) {
    answer.error = "offset " + hex(q.offset) + " is past the end of '" + q.symbol + "' (size " + hex(e.size) + ")";
    return answer;
  }
  answer.symbol = describe(std::span<const uint32_t>(&id, 1)).front();
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
  if (exact_count(name, std::nullopt) == 1 || (in_module && exact_count(name, e.binary) == 1)) {
    answer.how = in_module ? "module" : "unique";
    answer.location = module_prefix + std::string(name) + plus;
    return answer;
  }
  // The closest symbol before it in its section whose name is unique
  // (kernel-wide for vmlinux, module-wide with MOD:) and that kallsyms lists.
  const Entry* anchor = nullptr;
  const std::span<const Entry> own(entries_.data() + first_entry_[e.binary],
                                   first_entry_[e.binary + 1] - first_entry_[e.binary]);
  for (const Entry& other : own) {
    if (other.section != e.section || other.value > e.value || other.section == 0) continue;
    if (anchor != nullptr && other.value <= anchor->value) continue;
    const std::string_view other_name = name_of(other);
    if (other_name.empty() || kallsyms_ignores(other_name) || is_excluded_name(other_name)) continue;
    if (other_name.find(target_.alias.separator) != std::string_view::npos) continue;  // an alias symbol
    if (exact_count(other_name, in_module ? std::optional(e.binary) : std::nullopt) != 1) continue;
    anchor = &other;
  }
  if (anchor == nullptr) {
    answer.error = "no uniquely named symbol before '" + std::string(name) + "' in its section: no probe location "
                   "but its address";
    return answer;
  }
  answer.how = "anchor";
  answer.anchor = std::string(name_of(*anchor));
  answer.anchor_offset = e.value - anchor->value + q.offset;
  answer.location = module_prefix + answer.anchor + "+" + hex(answer.anchor_offset);
  return answer;
}

}  // namespace kas
