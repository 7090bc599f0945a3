#include "core/dwarf/locator.hpp"

#include <dwarf.h>
#include <gelf.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace kas {

namespace {

struct Pending {
  size_t query;
  uint64_t address;
  bool function;
};

std::optional<SourceLocation> decl_location(const DebugInfo& info, Dwarf_Die die, const SourceTree& tree,
                                           const std::string& unit) {
  Dwarf_Die holder;
  if (!info.integrated(die, DW_AT_decl_file, holder)) return std::nullopt;
  Dwarf_Attribute attr;
  Dwarf_Word file_index = 0;
  Dwarf_Word line = 0;
  if (dwarf_formudata(dwarf_attr(&holder, DW_AT_decl_file, &attr), &file_index) != 0) return std::nullopt;
  if (dwarf_formudata(dwarf_attr(&holder, DW_AT_decl_line, &attr), &line) != 0 || line == 0) return std::nullopt;
  // The file index refers to the line table of the unit holding the
  // attribute, which differs from the symbol's unit for cross-unit origins.
  Dwarf_Die holder_cu;
  if (dwarf_diecu(&holder, &holder_cu, nullptr, nullptr) == nullptr) return std::nullopt;
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(&holder_cu, &files, &nfiles) != 0 || file_index >= nfiles) return std::nullopt;
  const char* name = dwarf_filesrc(files, file_index, nullptr, nullptr);
  if (name == nullptr) return std::nullopt;
  SourceLocation loc;
  loc.file = tree.relativize(name, comp_dir_of(&holder_cu));
  loc.line = static_cast<uint32_t>(line);
  loc.unit = unit;
  return loc;
}

// The first line-table row inside [begin, end): where assembly without a
// defining entry is located. A row before `begin` belongs to the code
// before the symbol (another function, or its alignment), so it is never
// taken.
std::optional<SourceLocation> line_table_location(Dwarf_Die* cu, uint64_t begin, uint64_t end,
                                                  const SourceTree& tree, const std::string& unit) {
  Dwarf_Lines* lines = nullptr;
  size_t count = 0;
  if (dwarf_getsrclines(cu, &lines, &count) != 0) return std::nullopt;
  auto address_of = [&](size_t i) {
    Dwarf_Addr a = 0;
    dwarf_lineaddr(dwarf_onesrcline(lines, i), &a);
    return a;
  };
  // libdw sorts a unit's rows by address.
  size_t lo = 0;
  size_t hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (address_of(mid) < begin) lo = mid + 1; else hi = mid;
  }
  for (size_t i = lo; i < count; ++i) {
    Dwarf_Line* row = dwarf_onesrcline(lines, i);
    Dwarf_Addr address = 0;
    if (row == nullptr || dwarf_lineaddr(row, &address) != 0 || address >= end) return std::nullopt;
    bool end_sequence = false;
    int line = 0;
    if (dwarf_lineendsequence(row, &end_sequence) != 0 || end_sequence) continue;
    if (dwarf_lineno(row, &line) != 0 || line <= 0) continue;
    const char* name = dwarf_linesrc(row, nullptr, nullptr);
    if (name == nullptr) continue;
    SourceLocation loc;
    loc.file = tree.relativize(name, comp_dir_of(cu));
    loc.line = static_cast<uint32_t>(line);
    loc.unit = unit;
    loc.from_line_table = true;
    return loc;
  }
  return std::nullopt;
}

// Address named by a variable's location when it is a plain DW_OP_addr.
std::optional<uint64_t> variable_address(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (dwarf_attr(die, DW_AT_location, &attr) == nullptr) return std::nullopt;
  Dwarf_Op* ops = nullptr;
  size_t nops = 0;
  if (dwarf_getlocation(&attr, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_addr) return std::nullopt;
  return ops[0].number;
}

bool is_scope_with_definitions(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block || tag == DW_TAG_namespace ||
         tag == DW_TAG_module;
}

// A wanted function: the symbol's extent, and the best subprogram so far.
struct WantedFunction {
  uint64_t begin;
  uint64_t end;
  size_t query;
  std::string_view stem;  // the name without GCC's ".isra.0"-like suffixes
  std::optional<Dwarf_Die> die;
  uint64_t distance = UINT64_MAX;  // |entry start - begin| of `die`
};

// Walks one unit, matching definitions against the wanted symbols.
class UnitWalker {
 public:
  // `functions` sorted by begin.
  UnitWalker(std::vector<WantedFunction>& functions, std::map<uint64_t, std::vector<size_t>>& variables,
             std::unordered_map<size_t, Dwarf_Die>& found)
      : functions_(functions), variables_(variables), found_(found) {
    for (const WantedFunction& f : functions_) {
      longest_ = std::max(longest_, f.end - f.begin);
      if (!f.stem.empty()) stems_.insert(f.stem);
    }
  }

  // The unit's rangeless definition of `stem`, if the walk met one.
  [[nodiscard]] std::optional<Dwarf_Die> rangeless(std::string_view stem) const {
    auto it = rangeless_.find(stem);
    if (it == rangeless_.end()) return std::nullopt;
    return it->second;
  }

  void walk(Dwarf_Die* parent, int depth) {
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0) return;
    do {
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_subprogram && exact_ < functions_.size()) match_function(&child);
      if (tag == DW_TAG_variable && !variables_.empty()) match_variable(&child);
      bool descend = is_scope_with_definitions(tag) && (tag != DW_TAG_subprogram || !variables_.empty());
      if (descend && depth < 64 && dwarf_haschildren(&child)) walk(&child, depth + 1);
      // Only an entry starting exactly at a function's symbol or at a
      // variable's address is final: once all are, the rest of the unit
      // cannot change the answer.
      if (exact_ == functions_.size() && variables_.empty()) return;
    } while (dwarf_siblingof(&child, &child) == 0);
  }

 private:
  // Offers the subprogram range [low, high) to every symbol it intersects.
  void offer(uint64_t low, uint64_t high, Dwarf_Die* die) {
    uint64_t from = low >= longest_ ? low - longest_ : 0;
    auto it = std::lower_bound(functions_.begin(), functions_.end(), from,
                               [](const WantedFunction& f, uint64_t a) { return f.begin < a; });
    for (; it != functions_.end() && it->begin < high; ++it) {
      if (it->end <= low) continue;
      uint64_t distance = low >= it->begin ? low - it->begin : it->begin - low;
      if (distance >= it->distance) continue;  // ties: the first entry found
      if (distance == 0) ++exact_;
      it->distance = distance;
      it->die = *die;
    }
  }

  void match_function(Dwarf_Die* die) {
    Dwarf_Addr base = 0;
    Dwarf_Addr start = 0;
    Dwarf_Addr end = 0;
    ptrdiff_t it = 0;
    bool any = false;
    while ((it = dwarf_ranges(die, it, &base, &start, &end)) > 0) {
      any = true;
      offer(start, std::max(end, start + 1), die);
    }
    Dwarf_Addr low = 0;
    if (!any && dwarf_lowpc(die, &low) == 0) {
      offer(low, low + 1, die);  // low_pc without high_pc
    } else if (!any && !stems_.empty() && !dwarf_hasattr(die, DW_AT_declaration)) {
      const char* name = dwarf_diename(die);
      if (name != nullptr && stems_.count(name) != 0) rangeless_.emplace(name, *die);
    }
  }

  void match_variable(Dwarf_Die* die) {
    auto address = variable_address(die);
    if (!address) return;
    auto it = variables_.find(*address);
    if (it == variables_.end()) return;
    for (size_t q : it->second) found_.emplace(q, *die);
    variables_.erase(it);
  }

  std::vector<WantedFunction>& functions_;
  std::map<uint64_t, std::vector<size_t>>& variables_;
  std::unordered_map<size_t, Dwarf_Die>& found_;
  uint64_t longest_ = 1;
  size_t exact_ = 0;
  std::unordered_set<std::string_view> stems_;
  std::unordered_map<std::string_view, Dwarf_Die> rangeless_;  // first met of each stem
};

// rustc names a unit "ROOT/@/CRATE.HASH-cgu.N": the crate's root source,
// then the codegen unit. HASH changes with the toolchain and its flags, so
// an alias must not carry it: the unit is "ROOT/@/CRATE", whose basename is
// the crate. The kernel compiles every crate with -Ccodegen-units=1, so a
// crate is one unit.
std::string_view without_codegen_unit(std::string_view name) {
  size_t at = name.rfind("/@/");
  if (at == std::string_view::npos) return name;
  size_t dot = name.find('.', at + 3);
  if (dot == std::string_view::npos || name.find("-cgu.", dot) == std::string_view::npos) return name;
  return name.substr(0, dot);
}

std::string unit_of(Dwarf_Die* cu, const SourceTree& tree) {
  const char* unit_name = dwarf_diename(cu);
  if (unit_name == nullptr) return {};
  std::string_view name = unit_name;
  Dwarf_Word language = 0;
  Dwarf_Attribute attr;
  if (dwarf_formudata(dwarf_attr(cu, DW_AT_language, &attr), &language) == 0 && language == DW_LANG_Rust) {
    name = without_codegen_unit(name);
  }
  return tree.relativize(name, comp_dir_of(cu));
}

void locate_orphan_data(const DebugInfo& info, const SourceTree& tree, std::span<const LocateQuery> queries,
                        const std::vector<size_t>& orphans, std::vector<std::optional<SourceLocation>>& results) {
  std::vector<WantedFunction> functions;
  std::map<uint64_t, std::vector<size_t>> variables;
  for (size_t q : orphans) variables[queries[q].address].push_back(q);
  Dwarf_CU* unit = nullptr;
  Dwarf_Die cu;
  uint8_t unit_type = 0;
  while (!variables.empty() && dwarf_get_units(info.dwarf(), unit, &unit, nullptr, &unit_type, &cu, nullptr) == 0) {
    if (unit_type != DW_UT_compile && unit_type != DW_UT_partial) continue;
    info.prepare(cu);
    std::unordered_map<size_t, Dwarf_Die> found;
    UnitWalker walker(functions, variables, found);
    walker.walk(&cu, 0);
    if (found.empty()) continue;
    std::string unit_name = unit_of(&cu, tree);
    for (auto& [q, die] : found) {
      results[q] = decl_location(info, die, tree, unit_name);
      if (results[q]) results[q]->die_offset = dwarf_dieoffset(&die);
    }
  }
}

}  // namespace

bool sought_as_function(uint8_t elf_type, char nm_type) {
  switch (elf_type) {
    case STT_FUNC:
    case STT_GNU_IFUNC:
      return true;
    case STT_OBJECT:
    case STT_TLS:
    case STT_COMMON:
      return false;
    default:
      return nm_type == 'T' || nm_type == 't';
  }
}

std::vector<std::optional<SourceLocation>> locate(const DebugInfo& info, const SourceTree& tree,
                                                  std::span<const LocateQuery> queries) {
  std::vector<std::optional<SourceLocation>> results(queries.size());
  auto end_of = [&](const LocateQuery& q) { return q.address + std::max<uint64_t>(q.size, 1); };

  // Group queries by unit so each unit is walked once.
  std::map<Dwarf_Off, std::vector<size_t>> by_unit;
  std::vector<size_t> orphan_data;
  for (size_t i = 0; i < queries.size(); ++i) {
    Dwarf_Die cu;
    bool found = queries[i].function ? info.unit_within(queries[i].address, end_of(queries[i]), cu)
                                     : info.unit_at(queries[i].address, cu);
    if (found) {
      by_unit[dwarf_dieoffset(&cu)].push_back(i);
    } else if (!queries[i].function) {
      orphan_data.push_back(i);
    }
  }

  for (const auto& [cu_offset, members] : by_unit) {
    Dwarf_Die cu;
    if (dwarf_offdie(info.dwarf(), cu_offset, &cu) == nullptr) continue;
    info.prepare(cu);
    std::string unit = unit_of(&cu, tree);

    std::vector<WantedFunction> functions;
    std::map<uint64_t, std::vector<size_t>> variables;
    for (size_t q : members) {
      if (queries[q].function) {
        std::string_view name = queries[q].name;
        functions.push_back({queries[q].address, end_of(queries[q]), q, name.substr(0, name.find('.')), std::nullopt});
      } else {
        variables[queries[q].address].push_back(q);
      }
    }
    std::sort(functions.begin(), functions.end(), [](const WantedFunction& a, const WantedFunction& b) {
      return std::tie(a.begin, a.query) < std::tie(b.begin, b.query);
    });
    std::unordered_map<size_t, Dwarf_Die> found;
    UnitWalker walker(functions, variables, found);
    walker.walk(&cu, 0);
    for (const WantedFunction& f : functions) {
      if (f.die) {
        found.emplace(f.query, *f.die);
      } else if (auto die = walker.rangeless(f.stem)) {
        found.emplace(f.query, *die);
      }
    }

    for (size_t q : members) {
      auto it = found.find(q);
      if (it != found.end()) {
        results[q] = decl_location(info, it->second, tree, unit);
        if (results[q]) results[q]->die_offset = dwarf_dieoffset(&it->second);
      }
      // Assembly: no subprogram, or (GNU as 2.40+) one without DW_AT_decl_*.
      if (!results[q] && queries[q].function) {
        results[q] = line_table_location(&cu, queries[q].address, end_of(queries[q]), tree, unit);
      }
      // A variable inside the code range of a unit that does not define it
      // (a data section that also holds code) is sought everywhere.
      if (!results[q] && !queries[q].function) orphan_data.push_back(q);
    }
  }
  // Unit address ranges cover code only, so variables are usually not
  // found by address: search the variables of every unit, once for all.
  if (!orphan_data.empty()) locate_orphan_data(info, tree, queries, orphan_data, results);
  return results;
}

}  // namespace kas
