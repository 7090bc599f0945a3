// The ELF reader: headers, section names and the symbol table of any bytes.
#include <cstddef>
#include <cstdint>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = kas::ElfFile::open(kas::fuzz::as_file(data, size));
  if (!file) return 0;
  for (size_t i = 0; i < file->section_count(); ++i) (void)file->section_name(i);
  auto table = kas::read_symbols(*file);
  if (!table) return 0;
  size_t chars = 0;
  for (const kas::ElfSymbol& sym : table->symbols) {
    chars += sym.name.size();
    (void)file->section_name(sym.section);
  }
  return chars == static_cast<size_t>(-1) ? 1 : 0;
}
