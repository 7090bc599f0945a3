// The alias rules: which symbols get an alias, and which unique name each gets.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/census/census.hpp"
#include "core/census/lto.hpp"
#include "core/dwarf/locator.hpp"
#include "core/elf/symtab.hpp"

namespace kas {

struct AliasOptions {
  char separator = '@';
  bool data = false;  // alias every symbol type, not only text (T/t)
  Lto lto = Lto::kDetect;  // which LTO suffixes names carry (resolved per kernel: see lto_detect.hpp)
};

// Eligibility: the (LTO-stripped) name is duplicated in the census, the type
// is text unless data aliases are on, the name is not compiler-generated,
// and (for modules) the section is not discarded after load (.init*/.exit*).
// `section` may be empty when unknown (vmlinux nm input).
[[nodiscard]] bool alias_eligible(std::string_view name, char nm_type, std::string_view section, bool is_module,
                                  const Census& census, const AliasOptions& options);

// The symbols of a module (relocatable object) that get an alias: every
// defined symbol in a section that alias_eligible() accepts with its
// section's name, in .symtab order. The module engine and the daemon's
// index both select with this, so the index covers what a request needs.
using SectionNames = std::function<std::string_view(uint32_t section)>;
[[nodiscard]] std::vector<const ElfSymbol*> module_alias_symbols(const SectionNames& section_name,
                                                                 const SymbolTable& table, const Census& census,
                                                                 const AliasOptions& options);

// A symbol that will get an alias, with what the uniqueness rule may use.
struct AliasCandidate {
  std::string_view name;   // the alias stem: the symbol's census name (no LTO number)
  std::string_view module; // "" for vmlinux
  uint64_t address = 0;    // or section-relative key; only orders final ties
  SourceLocation location;
  // The unit's source file is also compiled into another module (kbuild
  // lets one .c be linked into several modules): same names, same lines.
  // (A module's assembly is treated so without it: see assign_aliases.)
  bool shared_unit = false;
};

// A separator is one printable, non-space ASCII character that no symbol
// name holds ([A-Za-z0-9_.$]) and that kas's own syntax does not use
// (MODULE:NAME+OFF/SIZE, [module], globs *?): else nm lines or specs with
// aliases would not read back as one name. Nor may the tracers that take
// the alias read it specially: '#' starts a comment in kprobe_events (the
// kernel drops the rest of the line) and '%' a suffix (%return, anything
// else refused: trace_kprobe_create()), and quotes and the backslash break
// the quoting of the perf and bpftrace commands kas probe prints.
[[nodiscard]] bool valid_separator(char c);

// Why `c` is no valid separator, for a user ("" when it is one).
[[nodiscard]] std::string separator_problem(char c);

// KSYM_NAME_LEN (include/linux/kallsyms.h; 512 in 6.1 and 6.12): the
// kernel's scripts/kallsyms drops a name this long or longer ("too long for
// kallsyms") and goes on, so such an alias would silently be lost.
inline constexpr size_t kKsymNameLen = 512;

// What the length limit did to an assign_aliases() result.
struct AliasLimits {
  size_t shortened = 0;          // cut to fit, with a hash of the whole alias
  std::vector<size_t> omitted;   // candidates left without an alias (their name alone is too long)
};

// Assigns each candidate an alias unique among all candidates:
//   NAME@FILE_LINE; when several share it, those defined outside their
//   unit's own source (header inlines, a .c #included by another .c) add the
//   unit's file name, NAME@FILE_UNIT_LINE (a copy defined in its own unit
//   keeps the short form); still shared: the unit's path; still shared: the
//   module name; still shared: an ordinal by (module, address).
// A module's symbol defined outside its own unit starts at the module form
// (see policy.cpp). Deterministic: depends only on the candidate set, not on
// its order.
// Last, an alias of kKsymNameLen characters or more is cut to its first 494
// characters plus '_' and 16 hex digits of a 64-bit FNV-1a hash of the whole
// alias (511 in all): still NAME + separator + the start of its location,
// the same for vmlinux and modules. A NAME too long to leave room for that
// gets no alias ("" in the result; listed in `limits`).
[[nodiscard]] std::vector<std::string> assign_aliases(std::span<const AliasCandidate> candidates,
                                                      const AliasOptions& options, AliasLimits* limits = nullptr);

}  // namespace kas
