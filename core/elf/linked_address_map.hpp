// From a linked image's addresses back to the relocatable object it was
// linked from: kbuild's temporary kallsyms links (.tmp_vmlinux.kallsymsN)
// are stripped of debug info, but vmlinux.o, their main input, has it.
//
// Symbols whose names are unique in both the object and the link's nm
// listing are anchors. When every anchor of an object section moved by the
// same amount, the section was placed whole (the usual case) and all of it
// maps. 6.1 links vmlinux.a, not vmlinux.o (one input section per object),
// and a linker script may place another section of an object between two
// objects' .text: then the section maps piece by piece, each run of anchors
// that moved together covering the addresses between them, and an address
// between runs that disagree maps nowhere (its symbol gets no alias rather
// than a wrong one). Symbols of other inputs (kallsyms tables,
// linker-script symbols) map nowhere.
//
// Clang LTO builds compile with -ffunction-sections, and ld -r merges the
// input sections of one name: vmlinux.o's .text.id_show holds every static
// id_show and nothing else, so no anchor. Such a section is placed by its
// shape: the one base address at which the listing holds each of its
// symbols, by name and kind (text or data), at the same offsets, leaving out
// addresses an anchored section already explains. Exactly one base must fit:
// a lone function whose name has two unexplained text copies, or a shape
// found twice, maps nowhere.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/elf/nm_listing.hpp"
#include "core/util/result.hpp"

namespace kas {

struct ObjectPlace {
  uint32_t section = 0;  // section index in the object
  uint64_t offset = 0;   // from the section's start
};

class LinkedAddressMap {
 public:
  // Errors: kBadInput when the listing and the object have no uniquely
  // named symbol in common (the listing is not from a link of this object).
  [[nodiscard]] static Result<LinkedAddressMap> build(const ElfFile& object, const SymbolTable& symbols,
                                                      std::span<const NmLine> linked);

  [[nodiscard]] std::optional<ObjectPlace> to_object(uint64_t linked_address) const;
  // Sections placed whole, and pieces of sections that were not.
  [[nodiscard]] size_t whole_sections() const { return whole_; }
  [[nodiscard]] size_t pieces() const { return pieces_.size(); }

 private:
  struct Piece {
    uint64_t start;   // linked address of the piece's first byte
    uint64_t end;     // past its last byte
    uint64_t offset;  // where `start` is in the object section
    uint32_t section;
  };
  using AnchorMap = std::map<uint32_t, std::vector<std::pair<uint64_t, uint64_t>>>;  // section -> (offset, linked)
  void place_by_shape(const ElfFile& object, const SymbolTable& symbols, std::span<const NmLine> linked,
                      const AnchorMap& anchors);

  std::vector<Piece> pieces_;  // by start
  size_t whole_ = 0;
};

}  // namespace kas
