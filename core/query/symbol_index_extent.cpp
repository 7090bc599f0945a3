// The "/SIZE" of an oops frame as the kernel computes it, per definition.
//
// %pS and %pB print NAME+0xOFF/0xSIZE where SIZE is kallsyms' idea of the
// symbol's extent, not its ELF st_size: get_symbol_pos() (kernel/kallsyms.c)
// takes the distance to the next vmlinux kallsyms entry at a higher address,
// find_kallsyms_symbol() (kernel/module/kallsyms.c) the distance to the next
// named symbol of the module at a higher runtime address, else to the end of
// its text region. Functions are padded (x86-64 aligns them to 16 bytes), so
// the two differ for nearly every frame; both are accepted, and the kallsyms
// one is what tells same-named definitions of one binary apart in real logs.
//
// vmlinux's entries are those scripts/mksysmap and scripts/kallsyms keep.
// A module's runtime layout comes from its section headers
// (ModuleTextLayout), which is exact on x86-64; arm64 sizes its PLT
// sections at load, so past one of them only a lower bound is known.
#include <algorithm>
#include <limits>

#include "core/elf/kallsyms_names.hpp"
#include "core/query/symbol_index.hpp"

namespace kas {

namespace {

constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();
// The largest page a module region may be rounded up to (arm64 64K pages).
constexpr uint64_t kLargestPage = 65536;

// A name in vmlinux's /proc/kallsyms: mksysmap drops nm's a, N, U and w
// lines and a few prefixes, kallsyms.c absolute symbols and its own list.
bool vmlinux_kallsyms_lists(std::string_view name, char type) {
  if (type == 'a' || type == 'A' || type == 'N' || type == 'n' || type == 'U' || type == 'w' || type == 'v') {
    return false;
  }
  if (kallsyms_ignores(name) || name == "L0") return false;
  return !(name.starts_with("__crc_") || name.starts_with("__kstrtab_") || name.starts_with("__kstrtabns_"));
}

uint64_t round_up(uint64_t value, uint64_t align) { return (value + align - 1) / align * align; }

}  // namespace

std::optional<SymbolIndex::Extent> SymbolIndex::kallsyms_extent(uint32_t id) const {
  const Entry& e = entries_[id];
  if (e.binary == 0) {
    auto it = std::lower_bound(vmlinux_by_address_.begin(), vmlinux_by_address_.end(), e.value,
                               [&](uint32_t other, uint64_t v) { return entries_[other].value < v; });
    for (; it != vmlinux_by_address_.end(); ++it) {
      const Entry& next = entries_[*it];
      if (next.value > e.value && vmlinux_kallsyms_lists(name_of(next), next.nm_type)) {
        return Extent{next.value - e.value, next.value - e.value};
      }
    }
    // The last symbol: measured to _etext, _einittext or _end.
    return Extent{e.size, kUnbounded};
  }

  const ModuleTextLayout& layout = snapshot_->modules()[e.binary - 1]->text_layout();
  const auto own = layout.placement(e.section);
  if (!own) return std::nullopt;
  const uint64_t start = own->offset + e.value;
  std::optional<uint64_t> next;
  bool next_shifted = false;
  for (uint32_t other = first_entry_[e.binary]; other < first_entry_[e.binary + 1]; ++other) {
    const Entry& o = entries_[other];
    if (o.section == 0 || kallsyms_ignores(name_of(o))) continue;
    const auto placed = layout.placement(o.section);
    if (!placed || placed->region != own->region) continue;
    const uint64_t at = placed->offset + o.value;
    if (at > start && (!next || at < *next)) {
      next = at;
      // A section the loader sizes lies between the two.
      next_shifted = placed->after_resized && !own->after_resized;
    }
  }
  if (next) return Extent{*next - start, next_shifted ? kUnbounded : *next - start};
  const uint64_t end = layout.region_end(own->region);
  return Extent{end - start, layout.resized(own->region) ? kUnbounded : round_up(end, kLargestPage) - start};
}

}  // namespace kas
