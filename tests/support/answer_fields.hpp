// Every field of the requests and answers that cross the service seam, as
// tuples: two values are equal when their fields() are. By structured
// binding, so a field added to one of these structs stops the tests
// compiling until this covers it (proto/convert_test: the round trips;
// service/service_test: the three Services' answers).
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/engine/engine_module.hpp"
#include "core/query/questions.hpp"

namespace kas::test {

inline auto fields(const AliasOptions& a) {
  const auto& [separator, data, lto] = a;
  return std::tuple(separator, data, lto);
}

inline auto fields(const KernelFiles& f) {
  const auto& [vmlinux, modules_orders, module_dirs, census_path] = f;
  return std::tuple(vmlinux, modules_orders, module_dirs, census_path);
}

inline auto fields(const VmlinuxRequest& r) {
  const auto& [census, elf_path, srctree, alias, jobs] = r;
  return std::tuple(fields(census), elf_path, srctree, fields(alias), jobs);
}

inline auto fields(const VmlinuxResult& r) {
  const auto& [text, stats, unlocated_names, too_long_names] = r;
  const auto& [input_lines, census_names, modules, counts, lto] = stats;
  const auto& [eligible, aliases, unlocated, from_line_table, disambiguated, shortened] = counts;
  return std::tuple(text,
                    std::tuple(input_lines, census_names, modules, eligible, aliases, unlocated, from_line_table,
                               disambiguated, shortened, lto),
                    unlocated_names, too_long_names);
}

inline auto fields(const ModuleRequest& r) {
  const auto& [input, census, srctree, alias, jobs] = r;
  return std::tuple(input, fields(census), srctree, fields(alias), jobs);
}

inline auto fields(const ModuleAlias& a) {
  const auto& [symbol, alias, section, value, nm_type, symbol_index, exists] = a;
  return std::tuple(symbol, alias, section, value, nm_type, symbol_index, exists);
}

inline auto fields(const FileStamp& s) {
  // The build-id is not sent: the writer compares what stat(2) gives.
  const auto& [dev, ino, size, mtime_ns, build_id] = s;
  return std::tuple(dev, ino, size, mtime_ns);
}

inline auto fields(const ModuleResult& r) {
  const auto& [input, aliases, newly_duplicated, unlocated, too_long, symbols, eligible, census_modules,
               census_included_module] = r;
  std::vector<decltype(fields(ModuleAlias{}))> alias_fields;
  for (const ModuleAlias& a : aliases) alias_fields.push_back(fields(a));
  return std::tuple(fields(input), alias_fields, newly_duplicated, unlocated, too_long, symbols, eligible,
                    census_modules, census_included_module);
}

inline auto fields(const CensusRequest& r) {
  const auto& [sources, lto, units, jobs] = r;
  return std::tuple(fields(sources), lto, units, jobs);
}

inline auto fields(const CensusResult& r) {
  const auto& [symbfreq, modules] = r;
  return std::tuple(symbfreq, modules);
}

inline auto fields(const QueryTarget& t) {
  const auto& [kernel, srctree, alias] = t;
  return std::tuple(fields(kernel), srctree, fields(alias));
}

inline auto fields(const SymbolDefinition& d) {
  const auto& [binary, path, name, nm_type, section, address, relocatable, size, count, alias, file, line, unit,
               sympos, note] = d;
  return std::tuple(binary, path, name, nm_type, section, address, relocatable, size, count, alias, file, line, unit,
                    sympos, note);
}

inline auto fields(const LookupAnswer& a) {
  const auto& [definitions, total] = a;
  std::vector<decltype(fields(SymbolDefinition{}))> each;
  for (const SymbolDefinition& d : definitions) each.push_back(fields(d));
  return std::tuple(each, total);
}

inline auto fields(const FrameQuery& q) {
  const auto& [text, by_address, address, symbol, offset, has_size, size, module, module_given, build_id, source,
               has_source_line, source_line, has_sympos, sympos, return_address] = q;
  return std::tuple(text, by_address, address, symbol, offset, has_size, size, module, module_given, return_address,
                    build_id, source, has_source_line, source_line, has_sympos, sympos);
}

inline auto fields(const Resolution& r) {
  const auto& [symbol, offset, frames] = r;
  std::vector<std::tuple<std::string, std::string, uint32_t>> each;
  for (const SourceFrameInfo& f : frames) {
    const auto& [function, file, line] = f;
    each.emplace_back(function, file, line);
  }
  return std::tuple(fields(symbol), offset, each);
}

inline auto fields(const ResolveAnswer& a) {
  const auto& [query, candidates, error] = a;
  std::vector<decltype(fields(Resolution{}))> each;
  for (const Resolution& r : candidates) each.push_back(fields(r));
  return std::tuple(fields(query), each, error);
}

inline auto fields(const ProbeAnswer& a) {
  const auto& [query, symbol, location, how, anchor, anchor_offset, anchor_after, candidates, error] = a;
  std::vector<decltype(fields(SymbolDefinition{}))> each;
  for (const SymbolDefinition& c : candidates) each.push_back(fields(c));
  return std::tuple(fields(query), fields(symbol), location, how, anchor, anchor_offset, anchor_after, each, error);
}

template <typename T>
auto fields(const std::vector<T>& all) {
  std::vector<decltype(fields(T{}))> each;
  for (const T& one : all) each.push_back(fields(one));
  return each;
}

}  // namespace kas::test
