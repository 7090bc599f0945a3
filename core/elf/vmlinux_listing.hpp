// vmlinux's symbols for the census: an nm listing (scripts/mksysmap output,
// System.map, /proc/kallsyms), or an ELF file read as mksysmap would list it.
// kbuild links modules before any System.map exists, but vmlinux.o (what
// modpost reads) is there: `--nm vmlinux.o` gives its names.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/elf/nm_listing.hpp"
#include "core/elf/symtab.hpp"
#include "core/util/mapped_file.hpp"
#include "core/util/result.hpp"

namespace kas {

class VmlinuxListing {
 public:
  // Errors: the file's (cannot open), parse_nm_listing's for text, and
  // ElfFile/read_symbols' for an ELF file.
  [[nodiscard]] static Result<VmlinuxListing> open(const std::string& path);
  // The listing of an ELF file whose symbols are already read (`path` for
  // messages). Error: parse_nm_listing's.
  [[nodiscard]] static Result<VmlinuxListing> from_symbols(const SymbolTable& table, const std::string& path);
  // Whether `path` is an ELF file (read through from_symbols) rather than
  // nm text. Error: the file's.
  [[nodiscard]] static Result<bool> is_elf(const std::string& path);

  [[nodiscard]] std::span<const NmLine> lines() const { return lines_; }
  [[nodiscard]] std::string_view data() const;
  // Fails when the listing file was rewritten since it was read (lines()
  // views its mapping); always fine for one made from an ELF file.
  [[nodiscard]] Result<void> unchanged() const;

 private:
  std::optional<MappedFile> mapped_;            // a text listing
  std::unique_ptr<std::string> synthesized_;    // an ELF file's, as text (stable under moves)
  std::vector<NmLine> lines_;                   // views into one of the two
};

}  // namespace kas
