// Rewriting an ET_REL object is a symbol-index remap. The gABI requires all
// local symbols to precede the globals (.symtab sh_info = first global), so
// new local aliases are inserted at the boundary, which shifts every global
// by the number of new locals; new global aliases are appended. Everything
// that names a symbol by index is then rewritten with the old->new map:
// r_info of every SHT_REL/SHT_RELA section tied to this symbol table, the
// signature (sh_info) of SHT_GROUP sections, and the parallel
// SHT_SYMTAB_SHNDX array. .strtab grows by the new names.
//
// The output keeps the input's layout: the file is copied as it is (in the
// kernel, copy_file_range), the renumbered relocation sections are written
// over their old bytes, and the grown symbol table, its extended-index table
// and its string table go past the old end of the data, followed by the
// section header table. So every other section keeps its offset and its
// bytes, for any class and byte order. Records are edited in their file form
// (no translation through libelf): moving a symbol is copying its bytes, and
// only r_info, st_name, st_info and a few header fields are decoded. This is
// what keeps a module request cheap: a debug module is mostly DWARF that is
// never looked at, and of its relocation tables only the blocks that name a
// moved symbol are rewritten.
#include "core/output/object_rewriter.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/util/file.hpp"

namespace kas {

namespace {

// Field access in the file's byte order.
class FileOrder {
 public:
  explicit FileOrder(bool big_endian) : big_(big_endian) {}
  [[nodiscard]] uint64_t get(const unsigned char* p, size_t width) const {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v |= uint64_t{p[big_ ? width - 1 - i : i]} << (8 * i);
    return v;
  }
  void put(unsigned char* p, size_t width, uint64_t v) const {
    for (size_t i = 0; i < width; ++i) p[big_ ? width - 1 - i : i] = static_cast<unsigned char>(v >> (8 * i));
  }

 private:
  bool big_;
};

// Where the fields we edit live, per ELF class.
struct ClassLayout {
  size_t word;            // address-sized fields: 4 or 8
  size_t sym_size;        // sizeof(ElfN_Sym)
  size_t sym_info;        // offset of st_info
  size_t rel_info;        // offset of r_info
  size_t rel_size;        // sizeof(ElfN_Rel)
  size_t rela_size;       // sizeof(ElfN_Rela)
  size_t shdr_size;       // sizeof(ElfN_Shdr)
  size_t shdr_offset;     // offset of sh_offset (sh_size follows it)
  size_t shdr_info;       // offset of sh_info
  size_t ehdr_shoff;      // offset of e_shoff
  unsigned rsym_shift;    // r_info >> shift = symbol index
};
constexpr ClassLayout kElf64{8, 24, 4, 8, 16, 24, 64, 24, 44, 40, 32};
constexpr ClassLayout kElf32{4, 16, 12, 4, 8, 12, 40, 16, 28, 32, 8};

uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

}  // namespace

Result<void> write_object_with_symbols(const ElfFile& input, std::span<const NewSymbol> symbols, int out_fd,
                                       const std::string& out_path) {
  Elf* in = input.elf();
  const std::string& in_path = input.path();
  if (!input.is_relocatable()) {
    return fail(ErrorCode::kInvalidArgument, in_path + ": not a relocatable object (ET_REL); aliases are added "
                                                       "to a module's .o before its final link");
  }
  const std::span<const unsigned char> file_image = input.image();
  if (file_image.empty()) return fail(ErrorCode::kBadElf, in_path + ": cannot read the file image");
  const unsigned char* image = file_image.data();
  const size_t image_size = file_image.size();
  const GElf_Ehdr& ehdr = input.header();
  const ClassLayout& L = gelf_getclass(in) == ELFCLASS64 ? kElf64 : kElf32;
  const FileOrder order(ehdr.e_ident[EI_DATA] == ELFDATA2MSB);
  auto bad = [&](const std::string& what) { return fail(ErrorCode::kBadElf, in_path + ": " + what); };

  // Section headers as libelf decodes them, checked against the file size
  // once, so that every later access to the image is in bounds.
  const size_t count = input.section_count();
  std::vector<GElf_Shdr> shdrs(count);
  for (size_t i = 0; i < count; ++i) {
    if (!input.section_header(i, shdrs[i])) return bad("cannot read section header " + std::to_string(i));
    const GElf_Shdr& s = shdrs[i];
    if (i != 0 && s.sh_type != SHT_NOBITS && (s.sh_offset > image_size || s.sh_size > image_size - s.sh_offset)) {
      return bad("section " + std::to_string(i) + " extends past the end of the file");
    }
    // The new layout aligns each section: an alignment that is no power of
    // two (the ELF rule), or one past 4 GiB, would wrap the file offsets.
    if (s.sh_addralign > 1 && ((s.sh_addralign & (s.sh_addralign - 1)) != 0 || s.sh_addralign > (uint64_t{1} << 32))) {
      return bad("section " + std::to_string(i) + " has an impossible alignment (" + std::to_string(s.sh_addralign) +
                 ")");
    }
  }
  if (ehdr.e_ehsize < L.ehdr_shoff + L.word || ehdr.e_ehsize > image_size) return bad("bad ELF header size");
  if (ehdr.e_shentsize != L.shdr_size || ehdr.e_shoff > image_size ||
      uint64_t{count} * L.shdr_size > image_size - ehdr.e_shoff) {
    return bad("section header table extends past the end of the file");
  }

  size_t symtab = 0;
  for (size_t i = 1; i < count && symtab == 0; ++i) {
    if (shdrs[i].sh_type == SHT_SYMTAB) symtab = i;
  }
  if (symtab == 0) return bad("no symbol table (.symtab)");
  const size_t strtab = shdrs[symtab].sh_link;
  if (strtab == 0 || strtab >= count || shdrs[strtab].sh_type != SHT_STRTAB) return bad(".symtab has no string table");
  size_t shndx = 0;
  for (size_t i = 1; i < count; ++i) {
    if (shdrs[i].sh_type == SHT_SYMTAB_SHNDX && shdrs[i].sh_link == symtab) shndx = i;
  }
  if (shdrs[symtab].sh_entsize != L.sym_size) return bad(".symtab has an unexpected entry size");

  const size_t old_count = shdrs[symtab].sh_size / L.sym_size;
  const size_t first_global = std::min<size_t>(shdrs[symtab].sh_info, old_count);
  size_t new_locals = 0;
  for (const NewSymbol& s : symbols) {
    if (s.source_index == 0 || s.source_index >= old_count) {
      return fail(ErrorCode::kInvalidArgument, in_path + ": alias '" + s.name + "' names symbol index " +
                                                   std::to_string(s.source_index) + ", outside .symtab");
    }
    if (!s.global) ++new_locals;
  }
  const size_t shift = new_locals;
  const size_t new_count = old_count + symbols.size();
  auto remap = [&](uint64_t old_index) { return old_index < first_global ? old_index : old_index + shift; };
  // Slot of the n-th new symbol: locals at the old boundary, globals at the end.
  std::vector<size_t> slots;
  size_t nth_local = 0;
  size_t nth_global = 0;
  for (const NewSymbol& s : symbols) {
    slots.push_back(s.global ? old_count + shift + nth_global++ : first_global + nth_local++);
  }

  // New .strtab: old bytes + the new names.
  const unsigned char* old_strtab = image + shdrs[strtab].sh_offset;
  std::vector<unsigned char> strtab_out(old_strtab, old_strtab + shdrs[strtab].sh_size);
  std::vector<uint32_t> name_offsets;
  for (const NewSymbol& s : symbols) {
    name_offsets.push_back(static_cast<uint32_t>(strtab_out.size()));
    strtab_out.insert(strtab_out.end(), s.name.begin(), s.name.end());
    strtab_out.push_back('\0');
  }

  // New .symtab: entries moved as bytes; a new one copies its source and
  // changes its name and binding.
  const unsigned char* old_syms = image + shdrs[symtab].sh_offset;
  std::vector<unsigned char> symtab_out(new_count * L.sym_size);
  // (An empty table has no buffer to copy to: memcpy must not see null.)
  if (first_global > 0) std::memcpy(symtab_out.data(), old_syms, first_global * L.sym_size);
  if (old_count > first_global) {
    std::memcpy(symtab_out.data() + (first_global + shift) * L.sym_size, old_syms + first_global * L.sym_size,
                (old_count - first_global) * L.sym_size);
  }
  for (size_t n = 0; n < symbols.size(); ++n) {
    unsigned char* entry = symtab_out.data() + slots[n] * L.sym_size;
    std::memcpy(entry, old_syms + symbols[n].source_index * L.sym_size, L.sym_size);
    order.put(entry, 4, name_offsets[n]);
    unsigned char type = entry[L.sym_info] & 0xf;
    entry[L.sym_info] = static_cast<unsigned char>(((symbols[n].global ? STB_GLOBAL : STB_LOCAL) << 4) | type);
  }

  // New SHT_SYMTAB_SHNDX: the parallel array, moved the same way.
  std::vector<unsigned char> shndx_out;
  if (shndx != 0) {
    const unsigned char* old_words = image + shdrs[shndx].sh_offset;
    const size_t in_words = shdrs[shndx].sh_size / 4;
    shndx_out.assign(new_count * 4, 0);
    for (size_t k = 0; k < old_count && k < in_words; ++k) std::memcpy(&shndx_out[remap(k) * 4], old_words + k * 4, 4);
    for (size_t n = 0; n < symbols.size(); ++n) {
      if (symbols[n].source_index < in_words) {
        std::memcpy(&shndx_out[slots[n] * 4], old_words + symbols[n].source_index * 4, 4);
      }
    }
  }

  // Everything but the three grown tables stays where it is.
  uint64_t end_of_data = ehdr.e_ehsize;
  for (size_t i = 1; i < count; ++i) {
    if (shdrs[i].sh_type == SHT_NOBITS || i == symtab || i == strtab || i == shndx) continue;
    end_of_data = std::max<uint64_t>(end_of_data, shdrs[i].sh_offset + shdrs[i].sh_size);
  }
  if (auto r = copy_file_contents(input.fd(), file_image.first(std::min<uint64_t>(end_of_data, image_size)), out_fd,
                                  out_path);
      !r) {
    return r;
  }

  // Relocations naming a shifted global, renumbered over their old bytes.
  // Only blocks that change are written: debug relocations (most of a large
  // module's) name section symbols, which are locals and do not move.
  constexpr size_t kBlockEntries = 4096;
  std::vector<unsigned char> edited;
  for (size_t i = 1; i < count && shift > 0; ++i) {
    const GElf_Shdr& s = shdrs[i];
    if ((s.sh_type != SHT_REL && s.sh_type != SHT_RELA) || s.sh_link != symtab) continue;
    const size_t entry = s.sh_type == SHT_RELA ? L.rela_size : L.rel_size;
    if (s.sh_entsize != entry) return bad("relocation section " + std::to_string(i) + " has an unexpected entry size");
    const uint64_t type_mask = (uint64_t{1} << L.rsym_shift) - 1;
    const unsigned char* rel = image + s.sh_offset;
    const size_t entries = s.sh_size / entry;
    for (size_t first = 0; first < entries; first += kBlockEntries) {
      const size_t last = std::min(entries, first + kBlockEntries);
      auto moves = [&](size_t k) { return (order.get(rel + k * entry + L.rel_info, L.word) >> L.rsym_shift) >= first_global; };
      size_t k = first;
      while (k < last && !moves(k)) ++k;
      if (k == last) continue;
      edited.assign(rel + first * entry, rel + last * entry);
      for (; k < last; ++k) {
        unsigned char* info = edited.data() + (k - first) * entry + L.rel_info;
        uint64_t r_info = order.get(info, L.word);
        uint64_t sym = r_info >> L.rsym_shift;
        if (sym >= first_global) order.put(info, L.word, (remap(sym) << L.rsym_shift) | (r_info & type_mask));
      }
      if (auto r = write_at(out_fd, edited, s.sh_offset + first * entry, out_path); !r) return r;
    }
  }

  // The grown tables, then the section header table.
  uint64_t cursor = end_of_data;
  std::vector<uint64_t> new_offset(count, 0);
  const std::pair<size_t, const std::vector<unsigned char>*> tables[] = {
      {symtab, &symtab_out}, {shndx, &shndx_out}, {strtab, &strtab_out}};
  for (const auto& [index, bytes] : tables) {
    if (index == 0) continue;
    cursor = align_up(cursor, std::max<uint64_t>(shdrs[index].sh_addralign, 1));
    new_offset[index] = cursor;
    if (auto r = write_at(out_fd, *bytes, cursor, out_path); !r) return r;
    cursor += bytes->size();
  }
  const uint64_t shoff = align_up(cursor, L.word);
  std::vector<unsigned char> headers(image + ehdr.e_shoff, image + ehdr.e_shoff + count * L.shdr_size);
  for (const auto& [index, bytes] : tables) {
    if (index == 0) continue;
    unsigned char* h = headers.data() + index * L.shdr_size;
    order.put(h + L.shdr_offset, L.word, new_offset[index]);
    order.put(h + L.shdr_offset + L.word, L.word, bytes->size());
  }
  order.put(headers.data() + symtab * L.shdr_size + L.shdr_info, 4, first_global + shift);
  for (size_t i = 1; i < count; ++i) {
    if (shdrs[i].sh_type == SHT_GROUP && shdrs[i].sh_link == symtab) {
      order.put(headers.data() + i * L.shdr_size + L.shdr_info, 4, remap(shdrs[i].sh_info));
    }
  }
  if (auto r = write_at(out_fd, headers, shoff, out_path); !r) return r;

  std::vector<unsigned char> header(image, image + ehdr.e_ehsize);
  order.put(header.data() + L.ehdr_shoff, L.word, shoff);
  return write_at(out_fd, header, 0, out_path);
}

}  // namespace kas
