// Which definitions a question names, in the spellings tracers use:
//   MODULE:FUNC       kprobe_events' (and kas's) module prefix;
//   FUNC@SRC[:RLN]    perf probe's: the definition whose DW_AT_decl_file
//                     ends with SRC, compared from the end as perf's
//                     strtailcmp() does (a base name, a path suffix, or an
//                     absolute path of the tree all match);
//   FUNC,SYMPOS       livepatch's (klp_find_object_symbol, the sysfs
//                     "func,sympos" names): the SYMPOS-th definition of
//                     FUNC in its object in kallsyms order, 0 = the only one.
//
// kallsyms order (what SYMPOS counts in) is address order for vmlinux
// (kallsyms_on_each_symbol walks the sorted table) and .symtab order for a
// module (module_kallsyms_on_each_symbol walks the core symtab, which
// add_kallsyms() copies in order, leaving out .init sections).
#include <algorithm>

#include "core/query/symbol_index.hpp"

namespace kas {

namespace {

// perf's strtailcmp(): equal over the length of the shorter.
bool tail_equal(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(a.size() - n) == b.substr(b.size() - n);
}

}  // namespace

bool SymbolIndex::livepatch_counts(const Entry& e) const {
  if (e.binary == 0) return true;
  const std::vector<std::string>& sections = binaries_[e.binary].sections;
  return e.section != 0 && e.section < sections.size() && !sections[e.section].starts_with(".init");
}

uint32_t SymbolIndex::sympos_of(uint32_t id) const {
  const Entry& e = entries_[id];
  if (!livepatch_counts(e)) return 0;
  const std::string_view name = name_of(e);
  auto lo = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [&](uint32_t other, std::string_view n) { return name_of(entries_[other]) < n; });
  uint32_t before = 0;
  for (auto it = lo; it != by_name_.end() && name_of(entries_[*it]) == name; ++it) {
    const Entry& o = entries_[*it];
    if (o.binary != e.binary || *it == id || !livepatch_counts(o)) continue;
    const bool earlier = e.binary == 0 ? (o.value != e.value ? o.value < e.value : *it < id) : o.symtab_index < e.symtab_index;
    if (earlier) ++before;
  }
  return before + 1;
}

std::vector<uint32_t> SymbolIndex::select(std::vector<uint32_t> ids, const FrameQuery& q, std::string& error) const {
  const std::string name = q.symbol;
  if (q.has_source_line) {
    // perf's RLN counts from the function's declaration line to a line of
    // its body, which a kprobe reaches only as an offset into the function.
    error = "a line after FUNC@SRC (perf's :RLN, relative to the function) is not taken: give an offset, " + name +
            "@" + q.source + "+0xOFF (kas resolve shows each offset's line)";
    return {};
  }
  if (q.module_given) {
    const std::string want = normalized_module(q.module);
    std::vector<uint32_t> in_module;
    for (uint32_t id : ids) {
      if (binaries_[entries_[id].binary].name == want) in_module.push_back(id);
    }
    if (in_module.empty() && !ids.empty()) {
      std::string where;
      for (uint32_t id : ids) {
        const std::string& b = binaries_[entries_[id].binary].name;
        if (where.find(b) == std::string::npos) where += (where.empty() ? "" : ", ") + b;
      }
      error = "'" + name + "' is not defined in " + want + " (it is in " + where + ")";
      return {};
    }
    ids = std::move(in_module);
  }
  if (!q.source.empty()) {
    const std::vector<SymbolDefinition> defs = describe(ids);
    std::vector<uint32_t> in_source;
    std::string files;
    for (size_t k = 0; k < ids.size(); ++k) {
      if (!defs[k].file.empty() && tail_equal(defs[k].file, q.source)) in_source.push_back(ids[k]);
      if (!defs[k].file.empty() && files.find(defs[k].file) == std::string::npos) {
        files += (files.empty() ? "" : ", ") + defs[k].file;
      }
    }
    if (in_source.empty() && !ids.empty()) {
      error = "no '" + name + "' is defined in a file ending with '" + q.source + "'" +
              (files.empty() ? std::string(" (no definition has a DWARF location)") : " (it is in " + files + ")");
      return {};
    }
    ids = std::move(in_source);
  }
  if (q.has_sympos) {
    // One object: the module named, else vmlinux when it defines the name,
    // else the one module that does.
    std::vector<uint32_t> object;
    uint32_t binary = 0;
    bool in_vmlinux = std::any_of(ids.begin(), ids.end(), [&](uint32_t id) { return entries_[id].binary == 0; });
    if (!q.module_given && !in_vmlinux && !ids.empty()) {
      binary = entries_[ids.front()].binary;
      for (uint32_t id : ids) {
        if (entries_[id].binary != binary) {
          error = "'" + name + "' is defined in several modules and not in vmlinux: give MODULE:" + name + "," +
                  std::to_string(q.sympos);
          return {};
        }
      }
    } else if (q.module_given && !ids.empty()) {
      binary = entries_[ids.front()].binary;
    }
    for (uint32_t id : ids) {
      if (entries_[id].binary == binary && livepatch_counts(entries_[id])) object.push_back(id);
    }
    const std::string object_name = binaries_[binary].name;
    if (q.sympos == 0) {
      if (object.size() > 1) {
        error = "'" + name + "," + "0' needs a unique name, and " + object_name + " defines '" + name + "' " +
                std::to_string(object.size()) + " times: give its sympos (kas lookup " + name + ")";
        return {};
      }
      ids = std::move(object);
    } else {
      std::vector<uint32_t> at;
      for (uint32_t id : object) {
        if (sympos_of(id) == q.sympos) at.push_back(id);
      }
      if (at.empty() && !object.empty()) {
        error = "symbol position " + std::to_string(q.sympos) + " of '" + name + "' is not in " + object_name +
                " (it defines it " + std::to_string(object.size()) + " time" + (object.size() == 1 ? "" : "s") + ")";
        return {};
      }
      ids = std::move(at);
    }
  }
  return ids;
}

}  // namespace kas
