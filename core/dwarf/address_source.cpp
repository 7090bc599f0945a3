#include "core/dwarf/address_source.hpp"

#include <dwarf.h>

namespace kas {

namespace {

bool is_scope(int tag) {
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
         tag == DW_TAG_entry_point;
}

// The subprogram / inlined-subroutine entries holding `address`, outermost
// first.
void descend(Dwarf_Die* parent, uint64_t address, std::vector<Dwarf_Die>& chain, int depth) {
  if (depth > 64) return;
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    if (!is_scope(tag) || dwarf_haspc(&child, address) != 1) continue;
    if (tag != DW_TAG_lexical_block) chain.push_back(child);
    descend(&child, address, chain, depth + 1);
    return;
  } while (dwarf_siblingof(&child, &child) == 0);
}

std::string function_name(const DebugInfo& info, const Dwarf_Die& die) {
  Dwarf_Die holder;
  if (!info.integrated(die, DW_AT_name, holder)) return {};
  Dwarf_Attribute attr;
  const char* name = dwarf_formstring(dwarf_attr(&holder, DW_AT_name, &attr));
  return name == nullptr ? std::string() : std::string(name);
}

// The call site of an inlined instance, as file and line of its unit.
void call_site(Dwarf_Die* cu, Dwarf_Die& inlined, const SourceTree& tree, std::string& file, uint32_t& line) {
  file.clear();
  line = 0;
  Dwarf_Attribute attr;
  Dwarf_Word file_index = 0;
  Dwarf_Word call_line = 0;
  if (dwarf_formudata(dwarf_attr(&inlined, DW_AT_call_line, &attr), &call_line) == 0) {
    line = static_cast<uint32_t>(call_line);
  }
  if (dwarf_formudata(dwarf_attr(&inlined, DW_AT_call_file, &attr), &file_index) != 0) return;
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || file_index >= nfiles) return;
  if (const char* name = dwarf_filesrc(files, file_index, nullptr, nullptr)) {
    file = tree.relativize(name, comp_dir_of(cu));
  }
}

}  // namespace

std::vector<SourceFrame> source_at(const DebugInfo& info, const SourceTree& tree, uint64_t address,
                                   uint64_t function_die) {
  Dwarf_Die cu;
  std::vector<Dwarf_Die> chain;
  Dwarf_Die function;
  if (function_die != 0 && dwarf_offdie(info.dwarf(), function_die, &function) != nullptr &&
      dwarf_tag(&function) == DW_TAG_subprogram && dwarf_haspc(&function, address) == 1 &&
      dwarf_diecu(&function, &cu, nullptr, nullptr) != nullptr) {
    info.prepare(cu);
    chain.push_back(function);
    descend(&function, address, chain, 1);
  } else {
    if (!info.unit_at(address, cu)) return {};
    info.prepare(cu);
    descend(&cu, address, chain, 0);
  }

  // Innermost position: the line-table row.
  std::string file;
  uint32_t line = 0;
  if (Dwarf_Line* row = dwarf_getsrc_die(&cu, address)) {
    int row_line = 0;
    if (dwarf_lineno(row, &row_line) == 0 && row_line > 0) line = static_cast<uint32_t>(row_line);
    if (const char* name = dwarf_linesrc(row, nullptr, nullptr)) file = tree.relativize(name, comp_dir_of(&cu));
  }

  std::vector<SourceFrame> frames;
  if (chain.empty()) {
    // Assembly: a line table without subprogram entries.
    if (line != 0) frames.push_back({{}, file, line});
    return frames;
  }
  for (size_t i = chain.size(); i-- > 0;) {
    frames.push_back({function_name(info, chain[i]), file, line});
    if (dwarf_tag(&chain[i]) != DW_TAG_inlined_subroutine) break;
    call_site(&cu, chain[i], tree, file, line);
  }
  return frames;
}

}  // namespace kas
