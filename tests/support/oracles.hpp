// Independent oracles over real binaries: binutils nm with sizes, and
// elfutils eu-addr2line's lines and inline chains. (binutils 2.40's
// addr2line names the including file for code of a .c #included by another
// .c, fs/compat_binfmt_elf.c in the fixture, so elfutils' is the one used.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kas::test {

// The binutils tool of `path`'s machine ("nm" -> "aarch64-linux-gnu-nm" for
// an aarch64 file), as kbuild runs ${CROSS_COMPILE}nm: a host nm for every
// target would also list ARM mapping symbols, which the target's hides.
[[nodiscard]] std::string binutils_for(const std::string& path, const std::string& tool);

// `nm OPTIONS PATH` with the nm of `path`'s machine, told to use gcc's LTO
// plugin. Told none, nm tries every plugin of /usr/lib/bfd-plugins on each
// file, and LLVMgold, one per LLVM installed, costs a quarter of a second a
// run with four LLVMs, ten times what nm does with the file. (The fixtures'
// LLVM bitcode is read with llvm-nm.)
[[nodiscard]] std::vector<std::string> nm_command(const std::vector<std::string>& options, const std::string& path);

struct SizedSymbol {
  uint64_t value = 0;
  uint64_t size = 0;
  char type = '?';
  std::string name;
};
// nm -S --defined-only: the symbols that have a size.
[[nodiscard]] std::vector<SizedSymbol> nm_sized(const std::string& path);

struct SourceLine {
  std::string function;
  std::string file;  // as printed: absolute, with "./" and ".." left in
  uint32_t line = 0;
};
// eu-addr2line -f -i at `address` (an offset in `section` when given, for
// relocatable objects): innermost first.
[[nodiscard]] std::vector<SourceLine> eu_addr2line(const std::string& path, uint64_t address,
                                                   const std::string& section = {});
// The same at each of `addresses`, in one run of eu-addr2line (-a): their
// chains, in the order given.
[[nodiscard]] std::vector<std::vector<SourceLine>> eu_addr2line(const std::string& path,
                                                                const std::vector<uint64_t>& addresses,
                                                                const std::string& section = {});

}  // namespace kas::test
