#include "core/dwarf/locator.hpp"

#include <dwarf.h>

#include <algorithm>
#include <map>
#include <unordered_map>

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

std::optional<SourceLocation> line_table_location(Dwarf_Die* cu, uint64_t address, const SourceTree& tree,
                                                  const std::string& unit) {
  Dwarf_Line* row = dwarf_getsrc_die(cu, address);
  if (row == nullptr) return std::nullopt;
  Dwarf_Addr row_address = 0;
  int line = 0;
  if (dwarf_lineaddr(row, &row_address) != 0 || row_address > address) return std::nullopt;
  if (dwarf_lineno(row, &line) != 0 || line <= 0) return std::nullopt;
  const char* name = dwarf_linesrc(row, nullptr, nullptr);
  if (name == nullptr) return std::nullopt;
  SourceLocation loc;
  loc.file = tree.relativize(name, comp_dir_of(cu));
  loc.line = static_cast<uint32_t>(line);
  loc.unit = unit;
  loc.from_line_table = true;
  return loc;
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

// Walks one unit, matching definitions against the wanted addresses.
class UnitWalker {
 public:
  UnitWalker(std::map<uint64_t, std::vector<size_t>>& functions, std::map<uint64_t, std::vector<size_t>>& variables,
             std::unordered_map<size_t, Dwarf_Die>& found)
      : functions_(functions), variables_(variables), found_(found) {}

  void walk(Dwarf_Die* parent, int depth) {
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0) return;
    do {
      int tag = dwarf_tag(&child);
      if (tag == DW_TAG_subprogram) match_function(&child);
      if (tag == DW_TAG_variable && !variables_.empty()) match_variable(&child);
      bool descend = is_scope_with_definitions(tag) && (tag != DW_TAG_subprogram || !variables_.empty());
      if (descend && depth < 64 && dwarf_haschildren(&child)) walk(&child, depth + 1);
      // Each address is claimed by the first entry found, so once all are
      // claimed the rest of the unit cannot change the answer.
      if (functions_.empty() && variables_.empty()) return;
    } while (dwarf_siblingof(&child, &child) == 0);
  }

 private:
  void claim(std::map<uint64_t, std::vector<size_t>>& wanted, uint64_t address, Dwarf_Die* die) {
    auto it = wanted.find(address);
    if (it == wanted.end()) return;
    for (size_t q : it->second) found_.emplace(q, *die);
    wanted.erase(it);
  }

  void match_function(Dwarf_Die* die) {
    if (functions_.empty()) return;
    Dwarf_Addr low = 0;
    if (dwarf_lowpc(die, &low) == 0) claim(functions_, low, die);
    Dwarf_Attribute attr;
    if (dwarf_attr(die, DW_AT_ranges, &attr) != nullptr) {
      Dwarf_Addr base = 0;
      Dwarf_Addr start = 0;
      Dwarf_Addr end = 0;
      ptrdiff_t it = 0;
      while ((it = dwarf_ranges(die, it, &base, &start, &end)) > 0) claim(functions_, start, die);
    }
  }

  void match_variable(Dwarf_Die* die) {
    if (auto address = variable_address(die)) claim(variables_, *address, die);
  }

  std::map<uint64_t, std::vector<size_t>>& functions_;
  std::map<uint64_t, std::vector<size_t>>& variables_;
  std::unordered_map<size_t, Dwarf_Die>& found_;
};

std::string unit_of(Dwarf_Die* cu, const SourceTree& tree) {
  const char* unit_name = dwarf_diename(cu);
  return unit_name == nullptr ? std::string() : tree.relativize(unit_name, comp_dir_of(cu));
}

void locate_orphan_data(const DebugInfo& info, const SourceTree& tree, std::span<const LocateQuery> queries,
                        const std::vector<size_t>& orphans, std::vector<std::optional<SourceLocation>>& results) {
  std::map<uint64_t, std::vector<size_t>> functions;
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

std::vector<std::optional<SourceLocation>> locate(const DebugInfo& info, const SourceTree& tree,
                                                  std::span<const LocateQuery> queries) {
  std::vector<std::optional<SourceLocation>> results(queries.size());

  // Group queries by unit so each unit is walked once.
  std::map<Dwarf_Off, std::vector<size_t>> by_unit;
  std::vector<size_t> orphan_data;
  for (size_t i = 0; i < queries.size(); ++i) {
    Dwarf_Die cu;
    if (info.unit_at(queries[i].address, cu)) {
      by_unit[dwarf_dieoffset(&cu)].push_back(i);
    } else if (!queries[i].function) {
      orphan_data.push_back(i);
    }
  }
  // Unit address ranges cover code only, so data symbols are usually not
  // found by address: search the variables of every unit (only with --data).
  if (!orphan_data.empty()) locate_orphan_data(info, tree, queries, orphan_data, results);

  for (const auto& [cu_offset, members] : by_unit) {
    Dwarf_Die cu;
    if (dwarf_offdie(info.dwarf(), cu_offset, &cu) == nullptr) continue;
    info.prepare(cu);
    std::string unit = unit_of(&cu, tree);

    std::map<uint64_t, std::vector<size_t>> functions;
    std::map<uint64_t, std::vector<size_t>> variables;
    for (size_t q : members) (queries[q].function ? functions : variables)[queries[q].address].push_back(q);
    std::unordered_map<size_t, Dwarf_Die> found;
    UnitWalker walker(functions, variables, found);
    walker.walk(&cu, 0);

    for (size_t q : members) {
      auto it = found.find(q);
      if (it != found.end()) {
        results[q] = decl_location(info, it->second, tree, unit);
        if (results[q]) results[q]->die_offset = dwarf_dieoffset(&it->second);
      }
      // GNU as 2.40+ describes assembly functions with a subprogram that has
      // no DW_AT_decl_*; like older assembly, they are located by line table.
      if (!results[q] && queries[q].function) {
        results[q] = line_table_location(&cu, queries[q].address, tree, unit);
      }
    }
  }
  return results;
}

}  // namespace kas
