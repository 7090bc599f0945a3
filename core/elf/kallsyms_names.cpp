#include "core/elf/kallsyms_names.hpp"

#include <elf.h>

#include <array>
#include <cctype>

namespace kas {

namespace {

// scripts/kallsyms.c (6.1) is_ignored_symbol() and scripts/mksysmap (6.12,
// which took that list over): the names they drop that a listing may still
// hold (the kallsyms_* tables vary between passes and are never in a pass's
// input; _SDA_BASE_ is ppc's linker base). Each version's list is a subset of
// this union, and no name the other version drops occurs in its kernels.
constexpr std::array<std::string_view, 2> kIgnoredNames = {"_SDA_BASE_", "_SDA2_BASE_"};
constexpr std::array<std::string_view, 8> kIgnoredPrefixes = {
    "__efistub_", "__kvm_nvhe_$",   "__kvm_nvhe_.L",             "__pi_$",
    "__pi_.L",    "__kcfi_typeid_", "__kvm_nvhe___kcfi_typeid_", "__pi___kcfi_typeid_"};
constexpr std::array<std::string_view, 3> kIgnoredSuffixes = {"_from_arm", "_from_thumb", "_veneer"};
constexpr std::array<std::string_view, 2> kIgnoredInfixes = {".long_branch.", ".plt_branch."};

// `$` + one letter of `letters`, alone or followed by '.'.
bool dollar_letter(std::string_view name, std::string_view letters) {
  return name.size() >= 2 && name[0] == '$' && letters.find(name[1]) != std::string_view::npos &&
         (name.size() == 2 || name[2] == '.');
}

// "__" + letters and digits + "Thunk_": lld's ARM, AArch64 and MIPS thunks
// (__AArch64ADRPThunk_, __ARMV7PILongThunk_, __LA25Thunk_...).
bool linker_thunk(std::string_view name) {
  if (!name.starts_with("__")) return false;
  size_t i = 2;
  while (i < name.size() && std::isalnum(static_cast<unsigned char>(name[i]))) ++i;
  return name.substr(0, i).ends_with("Thunk") && name.substr(i).starts_with("_");
}

}  // namespace

bool kallsyms_ignores(std::string_view name) {
  // mksysmap: every `$` name (mapping symbols of any target) and `.L` label.
  if (name.empty() || name.starts_with('$') || name.starts_with(".L")) return true;
  for (std::string_view n : kIgnoredNames) {
    if (name == n) return true;
  }
  for (std::string_view p : kIgnoredPrefixes) {
    if (name.starts_with(p)) return true;
  }
  if (linker_thunk(name)) return true;
  for (std::string_view s : kIgnoredSuffixes) {
    if (name.ends_with(s)) return true;
  }
  for (std::string_view m : kIgnoredInfixes) {
    if (name.find(m) != std::string_view::npos) return true;
  }
  return false;
}

bool is_mapping_symbol(std::string_view name, uint16_t e_machine) {
  switch (e_machine) {
    // bfd's elf32-arm: mapping ($a $t $d) and tag ($b $f $p $m) symbols.
    case EM_ARM: return dollar_letter(name, "atdbfpm");
    case EM_AARCH64: return dollar_letter(name, "xd");
    // RISC-V's $x may carry an ISA string ($xrv64i2p1...) instead of ".N".
    case EM_RISCV: return name.starts_with("$x") || dollar_letter(name, "d");
    default: return false;
  }
}

}  // namespace kas
