// Uniqueness works in rounds over the whole candidate set. Each candidate
// starts at the shortest form (level 0) and only candidates that still share
// an alias move to a longer form, so an alias depends only on which other
// symbols share its stem and location, never on processing order. The last
// level appends an ordinal after sorting by (module, address, location), a
// stable key, so even pathological inputs end unique and reproducible.
#include "core/alias/policy.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "core/alias/decorate.hpp"
#include "core/alias/exclusions.hpp"
#include "core/census/lto.hpp"
#include "core/elf/kallsyms_names.hpp"
#include "core/elf/nm_type.hpp"
#include "core/util/path.hpp"

namespace kas {

namespace {

enum Level : int { kFileLine = 0, kUnitName = 1, kUnitPath = 2, kModule = 3, kOrdinal = 4 };

bool defined_in_own_unit(const AliasCandidate& c) { return c.location.file == c.location.unit; }

std::string spell(const AliasCandidate& c, int level, char separator) {
  std::string alias(c.name);
  alias += separator;
  alias += decorate_path(c.location.file);
  // A home definition's unit is its file: at the module level it adds
  // nothing but length.
  if (level >= kUnitName && !(level >= kModule && defined_in_own_unit(c) && !c.module.empty())) {
    alias += '_';
    alias += decorate_path(level == kUnitName ? path::basename(c.location.unit) : c.location.unit);
  }
  if (level >= kModule && !c.module.empty()) {
    alias += '_';
    alias += decorate_path(c.module);
  }
  alias += '_';
  alias += std::to_string(c.location.line);
  return alias;
}

constexpr size_t kHashTail = 17;  // '_' + 16 hex digits

std::string fnv1a64_hex(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The limit applied to unique aliases (see assign_aliases()).
void fit_kallsyms(std::span<const AliasCandidate> candidates, std::vector<std::string>& alias, AliasLimits* limits) {
  constexpr size_t kMax = kKsymNameLen - 1;
  for (size_t i = 0; i < alias.size(); ++i) {
    if (alias[i].size() <= kMax) continue;
    if (candidates[i].name.size() + 1 + kHashTail > kMax) {
      alias[i].clear();
      if (limits != nullptr) limits->omitted.push_back(i);
      continue;
    }
    alias[i] = alias[i].substr(0, kMax - kHashTail) + "_" + fnv1a64_hex(alias[i]);
    if (limits != nullptr) ++limits->shortened;
  }
}

}  // namespace

bool alias_eligible(std::string_view name, char nm_type, std::string_view section, bool is_module,
                    const Census& census, const AliasOptions& options) {
  if (!options.data && !nm_is_text(nm_type)) return false;
  if (nm_is_undefined(nm_type)) return false;
  if (!census.duplicated(census_name(name, options.lto))) return false;
  if (is_excluded_name(name) || kallsyms_ignores(name)) return false;
  if (is_module && (section.starts_with(".init") || section.starts_with(".exit"))) return false;
  return true;
}

std::vector<const ElfSymbol*> module_alias_symbols(const SectionNames& section_name, const SymbolTable& table,
                                                   const Census& census, const AliasOptions& options) {
  std::vector<const ElfSymbol*> eligible;
  for (const ElfSymbol& sym : table.symbols) {
    if (!sym.defined() || !sym.in_section) continue;
    if (alias_eligible(sym.name, sym.nm_type, section_name(sym.section), true, census, options)) {
      eligible.push_back(&sym);
    }
  }
  return eligible;
}

bool valid_separator(char c) { return separator_problem(c).empty(); }

std::string separator_problem(char c) {
  const std::string quoted = std::string("'") + c + "'";
  if (c == ' ' || (c >= '\t' && c <= '\r')) {
    return "whitespace ends a name in nm listings and in kprobe_events";
  }
  if (c < ' ' || c > '~') return "not a printable ASCII character";
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
      std::string_view("_.$").find(c) != std::string_view::npos) {
    return "symbol names hold " + quoted;
  }
  if (std::string_view(":+/[]*?").find(c) != std::string_view::npos) {
    return "kas's own syntax uses " + quoted + " (MODULE:NAME+OFF/SIZE, [module], globs * and ?)";
  }
  if (c == '#') return "'#' starts a comment in kprobe_events: the kernel would drop the rest of the line";
  if (c == '%') return "'%' starts a suffix in kprobe_events (NAME%return): the kernel refuses any other";
  if (std::string_view("'\"`\\").find(c) != std::string_view::npos) {
    return "quotes and the backslash break the quoting of the perf and bpftrace commands kas probe prints";
  }
  return {};
}

std::vector<std::string> assign_aliases(std::span<const AliasCandidate> candidates, const AliasOptions& options,
                                        AliasLimits* limits) {
  const size_t n = candidates.size();
  std::vector<int> level(n, kFileLine);
  std::vector<std::string> alias(n);
  for (size_t i = 0; i < n; ++i) {
    // A module's copy of a header inline (or of a #included .c) is spelled
    // with its unit's path and the module name from the start: other modules
    // and vmlinux outline the same definition, and a module is aliased
    // without seeing their DWARF, so only this spelling is unique whatever
    // they hold. Module names are unique, and vmlinux aliases never carry one.
    // Likewise a definition in a source file compiled into several modules,
    // and a module's assembly, which cannot be compared: its unit is named
    // after the file of its first line (arm64's aes-modes.S, included by
    // aes-ce.S and aes-neon.S, names the unit in both aes-ce-blk and
    // aes-neon-blk) and its STT_FILE is the object's name.
    const AliasCandidate& c = candidates[i];
    if (!c.module.empty() && (!defined_in_own_unit(c) || c.shared_unit || c.location.from_line_table)) {
      level[i] = kModule;
    }
    alias[i] = spell(candidates[i], level[i], options.separator);
  }

  for (int round = 0; round < kOrdinal; ++round) {
    std::unordered_map<std::string_view, std::vector<size_t>> groups;
    groups.reserve(n);
    for (size_t i = 0; i < n; ++i) groups[alias[i]].push_back(i);

    std::vector<size_t> escalate;
    for (auto& [name, members] : groups) {
      if (members.size() < 2) continue;
      // In the first round, a copy defined in its own unit keeps the short
      // form when it is the only such copy: it is "the" definition.
      size_t home = n;
      if (round == 0) {
        size_t homes = 0;
        for (size_t i : members) {
          if (defined_in_own_unit(candidates[i])) {
            home = i;
            ++homes;
          }
        }
        if (homes != 1) home = n;
      }
      for (size_t i : members) {
        if (i != home) escalate.push_back(i);
      }
    }
    if (escalate.empty()) {
      fit_kallsyms(candidates, alias, limits);
      return alias;
    }
    std::vector<std::string> next_spelling(escalate.size());
    for (size_t k = 0; k < escalate.size(); ++k) {
      size_t i = escalate[k];
      level[i] = std::min<int>(level[i] + 1, kModule);
      next_spelling[k] = spell(candidates[i], level[i], options.separator);
    }
    for (size_t k = 0; k < escalate.size(); ++k) alias[escalate[k]] = std::move(next_spelling[k]);
  }

  // Ordinal: whatever still collides is numbered in a stable order.
  std::unordered_map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < n; ++i) groups[alias[i]].push_back(i);
  std::vector<std::pair<size_t, std::string>> renames;
  for (auto& [name, members] : groups) {
    if (members.size() < 2) continue;
    std::sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      const AliasCandidate& x = candidates[a];
      const AliasCandidate& y = candidates[b];
      return std::tie(x.module, x.address, x.location.unit, x.name) <
             std::tie(y.module, y.address, y.location.unit, y.name);
    });
    for (size_t k = 1; k < members.size(); ++k) renames.emplace_back(members[k], name + "_" + std::to_string(k + 1));
  }
  for (auto& [i, name] : renames) alias[i] = std::move(name);
  fit_kallsyms(candidates, alias, limits);
  return alias;
}

}  // namespace kas
