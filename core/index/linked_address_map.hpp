// From a linked image's addresses back to the relocatable object it was
// linked from: kbuild's temporary kallsyms links (.tmp_vmlinux.kallsymsN)
// are stripped of debug info, but vmlinux.o, their main input, has it.
//
// Each section of the object is one input section of the link and is placed
// whole, so a single symbol whose name is unique in both the object and the
// link's nm listing fixes where its section went; every other symbol of the
// section must agree (checked), and duplicated names are then mapped by
// address. Symbols of other inputs (kallsyms tables, linker-script symbols)
// map nowhere.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/nm_listing.hpp"
#include "core/util/result.hpp"

namespace kas {

struct ObjectPlace {
  uint32_t section = 0;  // section index in the object
  uint64_t offset = 0;   // from the section's start
};

class LinkedAddressMap {
 public:
  // Errors: kBadInput when the listing places one object section at two
  // different addresses (the listing is not from a link of this object).
  [[nodiscard]] static Result<LinkedAddressMap> build(const ElfFile& object, const SymbolTable& symbols,
                                                      std::span<const NmLine> linked);

  [[nodiscard]] std::optional<ObjectPlace> to_object(uint64_t linked_address) const;
  [[nodiscard]] size_t placed_sections() const { return placed_.size(); }

 private:
  struct Placed {
    uint64_t start;  // linked address of the section's first byte
    uint64_t size;
    uint32_t section;
  };
  std::vector<Placed> placed_;  // by start
};

}  // namespace kas
