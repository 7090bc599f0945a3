#include "core/elf/build_id.hpp"

#include <cstring>

namespace kas {

std::string build_id_of(const ElfFile& file) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 1; i < file.section_count(); ++i) {
    GElf_Shdr shdr;
    if (!file.section_header(i, shdr) || shdr.sh_type != SHT_NOTE) continue;
    Elf_Data* data = elf_getdata(elf_getscn(file.elf(), i), nullptr);
    if (data == nullptr) continue;
    GElf_Nhdr note;
    size_t offset = 0;
    size_t name_offset = 0;
    size_t desc_offset = 0;
    while ((offset = gelf_getnote(data, offset, &note, &name_offset, &desc_offset)) > 0) {
      const auto* bytes = static_cast<const unsigned char*>(data->d_buf);
      if (note.n_type != NT_GNU_BUILD_ID || note.n_namesz != 4 ||
          std::memcmp(bytes + name_offset, "GNU", 4) != 0) {
        continue;
      }
      std::string hex;
      for (size_t k = 0; k < note.n_descsz; ++k) {
        hex += kHex[bytes[desc_offset + k] >> 4];
        hex += kHex[bytes[desc_offset + k] & 0xf];
      }
      return hex;
    }
  }
  return {};
}

std::string build_id_from_notes(std::span<const unsigned char> notes) {
  static const char kHex[] = "0123456789abcdef";
  auto align4 = [](size_t n) { return (n + 3) & ~size_t{3}; };
  size_t offset = 0;
  while (notes.size() - offset >= 12) {
    uint32_t namesz = 0;
    uint32_t descsz = 0;
    uint32_t type = 0;
    std::memcpy(&namesz, notes.data() + offset, 4);
    std::memcpy(&descsz, notes.data() + offset + 4, 4);
    std::memcpy(&type, notes.data() + offset + 8, 4);
    size_t name_at = offset + 12;
    size_t desc_at = name_at + align4(namesz);
    if (namesz > notes.size() || descsz > notes.size() || desc_at + descsz > notes.size()) return {};
    if (type == NT_GNU_BUILD_ID && namesz == 4 && std::memcmp(notes.data() + name_at, "GNU", 4) == 0) {
      std::string hex;
      for (size_t k = 0; k < descsz; ++k) {
        hex += kHex[notes[desc_at + k] >> 4];
        hex += kHex[notes[desc_at + k] & 0xf];
      }
      return hex;
    }
    offset = desc_at + align4(descsz);
  }
  return {};
}

}  // namespace kas
