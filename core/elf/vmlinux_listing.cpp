#include "core/elf/vmlinux_listing.hpp"

#include <cinttypes>
#include <cstdio>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"

namespace kas {

namespace {

bool starts_with_elf_magic(std::string_view data) { return data.size() >= 4 && data.substr(0, 4) == "\x7f" "ELF"; }

// The names scripts/mksysmap (6.1) leaves out of System.map.
bool mksysmap_lists(const ElfSymbol& sym) {
  if (!sym.nm_visible) return false;
  switch (sym.nm_type) {
    case 'a': case 'N': case 'U': case 'w': return false;
    default: break;
  }
  const std::string_view name = sym.name;
  for (std::string_view prefix : {"$", ".L", "__crc_", "__kstrtab_", "__kstrtabns_"}) {
    if (name.substr(0, prefix.size()) == prefix) return false;
  }
  return !name.empty() && name != "L0";
}

}  // namespace

std::string_view VmlinuxListing::data() const {
  return synthesized_ ? std::string_view(*synthesized_) : mapped_->data();
}

Result<void> VmlinuxListing::unchanged() const {
  return mapped_ ? mapped_->unchanged() : Result<void>{};
}

Result<bool> VmlinuxListing::is_elf(const std::string& path) {
  auto mapped = MappedFile::open(path);
  if (!mapped) return std::unexpected(mapped.error());
  return starts_with_elf_magic(mapped->data());
}

Result<VmlinuxListing> VmlinuxListing::from_symbols(const SymbolTable& table, const std::string& path) {
  VmlinuxListing listing;
  listing.synthesized_ = std::make_unique<std::string>();
  std::string& text = *listing.synthesized_;
  text.reserve(table.symbols.size() * 40);
  char address[32];
  for (const ElfSymbol& sym : table.symbols) {
    if (!mksysmap_lists(sym)) continue;
    std::snprintf(address, sizeof address, "%016" PRIx64 " ", sym.value);
    text += address;
    text += sym.nm_type;
    text += ' ';
    text += sym.name;
    text += '\n';
  }
  auto lines = parse_nm_listing(listing.data(), path);
  if (!lines) return std::unexpected(lines.error());
  listing.lines_ = std::move(*lines);
  return listing;
}

Result<VmlinuxListing> VmlinuxListing::open(const std::string& path) {
  auto mapped = MappedFile::open(path);
  if (!mapped) return std::unexpected(mapped.error());
  if (starts_with_elf_magic(mapped->data())) {
    auto file = ElfFile::open(path);
    if (!file) return std::unexpected(file.error());
    auto table = read_symbols(*file);
    if (!table) return std::unexpected(table.error());
    auto listing = from_symbols(*table, path);  // a copy of the names
    if (auto same = file->unchanged(); !same) return std::unexpected(same.error());
    return listing;
  }
  VmlinuxListing listing;
  listing.mapped_.emplace(std::move(*mapped));
  auto lines = parse_nm_listing(listing.data(), path);
  if (!lines) return std::unexpected(lines.error());
  listing.lines_ = std::move(*lines);
  return listing;
}

}  // namespace kas
