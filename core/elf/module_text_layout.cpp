// The module loader's text layout (see the header for the kernel code it
// follows). Only SHF_ALLOC|SHF_EXECINSTR sections are placed: an address in
// a module's text lies in its core or init text region, and the next
// symbol or the region's end is what kallsyms measures a size to.
#include "core/elf/module_text_layout.hpp"

#include <elf.h>

#include <algorithm>

namespace kas {

namespace {

uint64_t align_up(uint64_t value, uint64_t align) {
  if (align <= 1 || (align & (align - 1)) != 0) return value;
  return (value + align - 1) & ~(align - 1);
}

}  // namespace

bool sized_at_load(std::string_view section_name) {
  return section_name == ".plt" || section_name == ".init.plt" || section_name == ".text.ftrace_trampoline";
}

ModuleTextLayout ModuleTextLayout::of(std::span<const SectionShape> sections) {
  ModuleTextLayout layout;
  for (size_t i = 0; i < sections.size(); ++i) {
    const SectionShape& s = sections[i];
    constexpr uint64_t kText = SHF_ALLOC | SHF_EXECINSTR;
    if ((s.flags & kText) != kText) continue;
    // module_init_layout_section(): ".init" names (the .exit ones stay in
    // core with CONFIG_MODULE_UNLOAD, which every kernel kas serves has).
    const Region region = s.name.starts_with(".init") ? Region::kInit : Region::kCore;
    uint64_t& end = region == Region::kCore ? layout.core_end_ : layout.init_end_;
    bool& after = layout.resized_[region == Region::kCore ? 0 : 1];
    after = after || sized_at_load(s.name);
    Placement p;
    p.section = static_cast<uint32_t>(i);
    p.region = region;
    p.offset = align_up(end, s.align);
    p.size = s.size;
    p.after_resized = after;
    end = p.offset + s.size;
    layout.placements_.push_back(p);
  }
  return layout;
}

std::optional<ModuleTextLayout::Placement> ModuleTextLayout::placement(uint32_t index) const {
  auto it = std::lower_bound(placements_.begin(), placements_.end(), index,
                             [](const Placement& p, uint32_t i) { return p.section < i; });
  if (it == placements_.end() || it->section != index) return std::nullopt;
  return *it;
}

}  // namespace kas
