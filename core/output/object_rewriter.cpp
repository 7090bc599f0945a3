// Rewriting an ET_REL object is a symbol-index remap. The gABI requires all
// local symbols to precede the globals (.symtab sh_info = first global), so
// new local aliases are inserted at the boundary, which shifts every global
// by the number of new locals; new global aliases are appended. Everything
// that names a symbol by index is then rewritten with the old->new map:
// r_info of every SHT_REL/SHT_RELA section tied to this symbol table, the
// signature (sh_info) of SHT_GROUP sections, and the parallel
// SHT_SYMTAB_SHNDX array. .strtab grows by the new names.
//
// The output keeps the input's layout (ELF_F_LAYOUT): every section keeps
// its offset and its bytes, except the symbol table, its string table and
// its extended-index table, which grow and are moved past the old end of
// the file, followed by the section header table. All other section data is
// passed through untranslated (elf_rawdata), so it is byte-identical for any
// class and byte order; the symbol and relocation tables go through
// libelf's gelf_* translation, which handles ELF32/ELF64 and either endian.
#include "core/output/object_rewriter.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace kas {

namespace {

// libelf owns nothing we hand it: buffers must outlive elf_update().
struct Buffers {
  std::vector<std::unique_ptr<unsigned char[]>> blocks;
  unsigned char* make(size_t size) {
    blocks.push_back(std::make_unique<unsigned char[]>(std::max<size_t>(size, 1)));
    std::memset(blocks.back().get(), 0, std::max<size_t>(size, 1));
    return blocks.back().get();
  }
};

class ElfWriter {
 public:
  explicit ElfWriter(Elf* elf) : elf_(elf) {}
  ElfWriter(const ElfWriter&) = delete;
  ElfWriter& operator=(const ElfWriter&) = delete;
  ~ElfWriter() {
    if (elf_ != nullptr) elf_end(elf_);
  }
  [[nodiscard]] Elf* get() const { return elf_; }

 private:
  Elf* elf_;
};

uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

Result<void> libelf_error(const std::string& path, const char* what) {
  return fail(ErrorCode::kBadElf, path + ": " + what + ": " + elf_errmsg(-1));
}

}  // namespace

Result<void> write_object_with_symbols(const ElfFile& input, std::span<const NewSymbol> symbols, int out_fd,
                                       const std::string& out_path) {
  Elf* in = input.elf();
  const std::string& in_path = input.path();
  if (!input.is_relocatable()) {
    return fail(ErrorCode::kInvalidArgument, in_path + ": not a relocatable object (ET_REL); aliases are added "
                                                       "to a module's .o before its final link");
  }

  // Locate the symbol table and its companions.
  size_t symtab_index = 0;
  GElf_Shdr symtab_shdr{};
  for (size_t i = 1; i < input.section_count(); ++i) {
    GElf_Shdr shdr;
    if (input.section_header(i, shdr) && shdr.sh_type == SHT_SYMTAB) {
      symtab_index = i;
      symtab_shdr = shdr;
      break;
    }
  }
  if (symtab_index == 0) return fail(ErrorCode::kBadElf, in_path + ": no symbol table (.symtab)");
  size_t strtab_index = symtab_shdr.sh_link;
  size_t shndx_index = 0;
  for (size_t i = 1; i < input.section_count(); ++i) {
    GElf_Shdr shdr;
    if (input.section_header(i, shdr) && shdr.sh_type == SHT_SYMTAB_SHNDX && shdr.sh_link == symtab_index) {
      shndx_index = i;
    }
  }

  Elf_Data* sym_in = elf_getdata(elf_getscn(in, symtab_index), nullptr);
  Elf_Data* shndx_in = shndx_index != 0 ? elf_getdata(elf_getscn(in, shndx_index), nullptr) : nullptr;
  Elf_Data* str_in = elf_rawdata(elf_getscn(in, strtab_index), nullptr);
  if (sym_in == nullptr || str_in == nullptr) return libelf_error(in_path, "cannot read the symbol table");
  const size_t old_count = symtab_shdr.sh_entsize == 0 ? 0 : symtab_shdr.sh_size / symtab_shdr.sh_entsize;
  const size_t first_global = std::min<size_t>(symtab_shdr.sh_info, old_count);

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
  auto remap = [&](size_t old_index) { return old_index < first_global ? old_index : old_index + shift; };

  // New string table: old bytes + the new names.
  std::vector<uint32_t> name_offsets;
  std::string appended;
  for (const NewSymbol& s : symbols) {
    name_offsets.push_back(static_cast<uint32_t>(str_in->d_size + appended.size()));
    appended += s.name;
    appended += '\0';
  }

  int elf_class = gelf_getclass(in);
  ElfWriter out(elf_begin(out_fd, ELF_C_WRITE, nullptr));
  if (out.get() == nullptr) return libelf_error(out_path, "cannot create ELF");
  if (gelf_newehdr(out.get(), elf_class) == nullptr) return libelf_error(out_path, "cannot create ELF header");
  GElf_Ehdr ehdr = input.header();
  elf_flagelf(out.get(), ELF_C_SET, ELF_F_LAYOUT);

  Buffers buffers;
  uint64_t end_of_data = ehdr.e_ehsize;
  std::vector<GElf_Shdr> out_shdrs(input.section_count());
  std::vector<Elf_Scn*> out_scns(input.section_count(), nullptr);

  for (size_t i = 1; i < input.section_count(); ++i) {
    Elf_Scn* in_scn = elf_getscn(in, i);
    GElf_Shdr shdr;
    if (in_scn == nullptr || gelf_getshdr(in_scn, &shdr) == nullptr) {
      return libelf_error(in_path, "cannot read section header");
    }
    Elf_Scn* scn = elf_newscn(out.get());
    if (scn == nullptr) return libelf_error(out_path, "cannot add section");
    out_scns[i] = scn;
    Elf_Data* data = elf_newdata(scn);
    if (data == nullptr) return libelf_error(out_path, "cannot add section data");
    data->d_version = EV_CURRENT;
    data->d_off = 0;

    if (i == symtab_index) {
      size_t entsize = gelf_fsize(out.get(), ELF_T_SYM, 1, EV_CURRENT);
      data->d_type = ELF_T_SYM;
      data->d_size = new_count * entsize;
      data->d_buf = buffers.make(data->d_size);
      data->d_align = shdr.sh_addralign;
      for (size_t k = 0; k < old_count; ++k) {
        GElf_Sym sym;
        if (gelf_getsym(sym_in, static_cast<int>(k), &sym) == nullptr) return libelf_error(in_path, "bad symbol");
        if (gelf_update_sym(data, static_cast<int>(remap(k)), &sym) == 0) return libelf_error(out_path, "symbol");
      }
      auto place = [&](const NewSymbol& s, size_t at, size_t nth) -> Result<void> {
        GElf_Sym src;
        if (gelf_getsym(sym_in, static_cast<int>(s.source_index), &src) == nullptr) {
          return libelf_error(in_path, "bad symbol");
        }
        GElf_Sym sym = src;
        sym.st_name = name_offsets[nth];
        sym.st_info = GELF_ST_INFO(s.global ? STB_GLOBAL : STB_LOCAL, GELF_ST_TYPE(src.st_info));
        if (gelf_update_sym(data, static_cast<int>(at), &sym) == 0) return libelf_error(out_path, "symbol");
        return {};
      };
      size_t nth = 0;
      size_t nth_local = 0;
      size_t nth_global = 0;
      for (const NewSymbol& s : symbols) {
        size_t at = s.global ? old_count + shift + nth_global++ : first_global + nth_local++;
        if (auto r = place(s, at, nth++); !r) return r;
      }
      shdr.sh_size = data->d_size;
      shdr.sh_info = static_cast<GElf_Word>(first_global + shift);
    } else if (i == strtab_index) {
      data->d_type = ELF_T_BYTE;
      data->d_size = str_in->d_size + appended.size();
      unsigned char* buf = buffers.make(data->d_size);
      if (str_in->d_size > 0) std::memcpy(buf, str_in->d_buf, str_in->d_size);
      std::memcpy(buf + str_in->d_size, appended.data(), appended.size());
      data->d_buf = buf;
      data->d_align = 1;
      shdr.sh_size = data->d_size;
    } else if (i == shndx_index && shndx_in != nullptr) {
      data->d_type = ELF_T_WORD;
      data->d_size = new_count * sizeof(Elf32_Word);
      auto* out_words = reinterpret_cast<Elf32_Word*>(buffers.make(data->d_size));
      const auto* in_words = static_cast<const Elf32_Word*>(shndx_in->d_buf);
      size_t in_words_count = shndx_in->d_size / sizeof(Elf32_Word);
      for (size_t k = 0; k < old_count && k < in_words_count; ++k) out_words[remap(k)] = in_words[k];
      size_t nth_local = 0;
      size_t nth_global = 0;
      for (const NewSymbol& s : symbols) {
        Elf32_Word x = s.source_index < in_words_count ? in_words[s.source_index] : 0;
        size_t at = s.global ? old_count + shift + nth_global++ : first_global + nth_local++;
        out_words[at] = x;
      }
      data->d_buf = out_words;
      data->d_align = 4;
      shdr.sh_size = data->d_size;
    } else if ((shdr.sh_type == SHT_REL || shdr.sh_type == SHT_RELA) && shdr.sh_link == symtab_index &&
               shift > 0) {
      Elf_Data* rel_in = elf_getdata(in_scn, nullptr);
      if (rel_in == nullptr) return libelf_error(in_path, "cannot read relocations");
      bool rela = shdr.sh_type == SHT_RELA;
      data->d_type = rela ? ELF_T_RELA : ELF_T_REL;
      data->d_size = rel_in->d_size;
      data->d_buf = buffers.make(data->d_size);
      data->d_align = shdr.sh_addralign;
      size_t n = shdr.sh_entsize == 0 ? 0 : shdr.sh_size / shdr.sh_entsize;
      for (size_t k = 0; k < n; ++k) {
        int idx = static_cast<int>(k);
        if (rela) {
          GElf_Rela r;
          if (gelf_getrela(rel_in, idx, &r) == nullptr) return libelf_error(in_path, "bad relocation");
          r.r_info = GELF_R_INFO(remap(GELF_R_SYM(r.r_info)), GELF_R_TYPE(r.r_info));
          if (gelf_update_rela(data, idx, &r) == 0) return libelf_error(out_path, "relocation");
        } else {
          GElf_Rel r;
          if (gelf_getrel(rel_in, idx, &r) == nullptr) return libelf_error(in_path, "bad relocation");
          r.r_info = GELF_R_INFO(remap(GELF_R_SYM(r.r_info)), GELF_R_TYPE(r.r_info));
          if (gelf_update_rel(data, idx, &r) == 0) return libelf_error(out_path, "relocation");
        }
      }
    } else {
      // Untouched bytes: NOBITS has none, everything else is copied raw.
      Elf_Data* raw = shdr.sh_type == SHT_NOBITS ? nullptr : elf_rawdata(in_scn, nullptr);
      data->d_type = ELF_T_BYTE;
      data->d_buf = raw == nullptr ? nullptr : raw->d_buf;
      data->d_size = raw == nullptr ? shdr.sh_size : raw->d_size;
      data->d_align = 1;
      if (shdr.sh_type == SHT_GROUP && shdr.sh_link == symtab_index) {
        shdr.sh_info = static_cast<GElf_Word>(remap(shdr.sh_info));
      }
    }
    out_shdrs[i] = shdr;
    if (shdr.sh_type != SHT_NOBITS && i != symtab_index && i != strtab_index && i != shndx_index) {
      end_of_data = std::max<uint64_t>(end_of_data, shdr.sh_offset + shdr.sh_size);
    }
  }

  // Grown tables move past the old data; everything else keeps its offset.
  uint64_t cursor = end_of_data;
  for (size_t i : {symtab_index, shndx_index, strtab_index}) {
    if (i == 0) continue;
    GElf_Shdr& shdr = out_shdrs[i];
    cursor = align_up(cursor, std::max<uint64_t>(shdr.sh_addralign, 1));
    shdr.sh_offset = cursor;
    cursor += shdr.sh_size;
  }
  for (size_t i = 1; i < input.section_count(); ++i) {
    if (gelf_update_shdr(out_scns[i], &out_shdrs[i]) == 0) return libelf_error(out_path, "section header");
  }
  ehdr.e_shoff = align_up(cursor, elf_class == ELFCLASS32 ? 4 : 8);
  ehdr.e_phoff = 0;
  ehdr.e_phnum = 0;
  if (gelf_update_ehdr(out.get(), &ehdr) == 0) return libelf_error(out_path, "ELF header");
  // Section counts past SHN_LORESERVE live in section 0's header.
  if (input.section_count() >= SHN_LORESERVE) {
    GElf_Shdr zero;
    Elf_Scn* scn0 = elf_getscn(out.get(), 0);
    GElf_Shdr in_zero;
    if (scn0 != nullptr && gelf_getshdr(scn0, &zero) != nullptr && input.section_header(0, in_zero)) {
      zero.sh_size = in_zero.sh_size;
      zero.sh_link = in_zero.sh_link;
      gelf_update_shdr(scn0, &zero);
    }
  }
  if (elf_update(out.get(), ELF_C_WRITE) < 0) return libelf_error(out_path, "cannot write");
  return {};
}

}  // namespace kas
