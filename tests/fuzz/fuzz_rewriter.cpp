// The object rewriter: any object kas can read gets alias symbols for its
// first defined symbols, written to a scratch file, which must read back as
// ELF with those symbols.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/output/object_rewriter.hpp"
#include "core/util/fd.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = kas::ElfFile::open(kas::fuzz::as_file(data, size));
  if (!file || !file->is_relocatable()) return 0;
  auto table = kas::read_symbols(*file);
  if (!table) return 0;
  std::vector<kas::NewSymbol> added;
  for (const kas::ElfSymbol& sym : table->symbols) {
    if (!sym.defined() || sym.name.empty()) continue;
    added.push_back({std::string(sym.name) + "@fuzz_c_1", sym.index, (added.size() & 1) != 0});
    if (added.size() == 4) break;
  }
  kas::Fd out(::memfd_create("kas-fuzz-out", MFD_CLOEXEC));
  if (!out.valid()) __builtin_trap();
  if (!kas::write_object_with_symbols(*file, added, out.get(), "fuzz-out.o")) return 0;
  auto back = kas::ElfFile::open("/proc/self/fd/" + std::to_string(out.get()));
  if (!back) __builtin_trap();  // kas wrote something it cannot read
  auto symbols = kas::read_symbols(*back);
  if (!symbols || symbols->symbols.size() < table->symbols.size() + added.size()) __builtin_trap();
  return 0;
}
