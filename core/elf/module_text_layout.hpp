// Where the kernel's module loader puts a module's executable sections, so
// that a module frame's "/SIZE" can be checked as the kernel computed it.
//
// An oops prints NAME+0xOFF/0xSIZE [module], and SIZE is not the ELF
// st_size: find_kallsyms_symbol() (kernel/module/kallsyms.c, 6.1 and 6.12)
// takes the distance from the symbol to the next named symbol of the module
// at a higher runtime address, or to the end of the memory region (core
// text, init text) when none follows. layout_sections() (6.1) and
// __layout_sections() (6.12) of kernel/module/main.c lay the region out:
// every SHF_ALLOC|SHF_EXECINSTR section in section-header order, `.init*`
// ones in the init region, each at the region's size rounded up to its
// sh_addralign; the region ends there, rounded up to a page when
// STRICT_MODULE_RWX (6.1) or always (6.12: module_memory_alloc).
//
// arm64 sizes its `.plt`, `.init.plt` and `.text.ftrace_trampoline` only at
// load (module_frob_arch_sections): past such a section the layout of the
// file is a lower bound (see `resized_at_load`).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace kas {

// One section header, as much as the layout needs.
struct SectionShape {
  std::string_view name;
  uint64_t flags = 0;  // sh_flags
  uint64_t size = 0;
  uint64_t align = 0;  // sh_addralign (0 and 1: none)
};

class ModuleTextLayout {
 public:
  enum class Region : uint8_t { kCore, kInit };
  struct Placement {
    uint32_t section = 0;
    Region region = Region::kCore;
    uint64_t offset = 0;  // from the region's start
    uint64_t size = 0;
    // A section before it in its region, or itself, is sized at load.
    bool after_resized = false;
  };

  // The layout of the sections of an ET_REL module, indexed as in its
  // section header table.
  [[nodiscard]] static ModuleTextLayout of(std::span<const SectionShape> sections);

  // Section `index`'s placement; nullopt for a section that is no module
  // text (data, not allocated, discarded).
  [[nodiscard]] std::optional<Placement> placement(uint32_t index) const;
  // The end of a region's text before rounding to a page.
  [[nodiscard]] uint64_t region_end(Region region) const {
    return region == Region::kCore ? core_end_ : init_end_;
  }
  // Whether the loader sizes a section of the region (arm64's PLTs): its
  // end, and every placement past that section, are then lower bounds.
  [[nodiscard]] bool resized(Region region) const { return resized_[region == Region::kCore ? 0 : 1]; }
  [[nodiscard]] bool empty() const { return placements_.empty(); }

 private:
  std::vector<Placement> placements_;  // by section index
  uint64_t core_end_ = 0;
  uint64_t init_end_ = 0;
  bool resized_[2] = {false, false};
};

// True for the sections arm64's loader sizes (module_frob_arch_sections).
[[nodiscard]] bool sized_at_load(std::string_view section_name);

}  // namespace kas
