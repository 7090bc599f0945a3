#include "core/index/census_index.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <unordered_map>

#include "core/alias/policy.hpp"
#include "core/elf/build_id.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/census_builder.hpp"
#include "core/index/module_list.hpp"
#include "core/index/vmlinux_listing.hpp"
#include "core/util/mapped_file.hpp"
#include "core/util/parallel.hpp"
#include "core/util/path.hpp"

namespace kas {

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino, st.st_size, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec, {}};
}

FileStamp elf_stamp_of(const std::string& path) {
  FileStamp stamp = stamp_of(path);
  if (auto file = ElfFile::open(path)) stamp.build_id = build_id_of(*file);
  return stamp;
}

namespace {

std::vector<std::string> defined_names(const SymbolTable& table, bool lto) {
  std::vector<std::string> names;
  names.reserve(table.symbols.size());
  for (const ElfSymbol& sym : table.symbols) {
    if (sym.defined()) names.emplace_back(census_name(sym.name, lto));
  }
  return names;
}

struct ModuleContents {
  std::vector<std::string> names;
  std::vector<std::string> units;
};

Result<ModuleContents> module_contents(const std::string& path, bool lto) {
  auto file = ElfFile::open(path);
  if (!file) return std::unexpected(file.error());
  auto table = read_symbols(*file);
  if (!table) return std::unexpected(table.error());
  return ModuleContents{defined_names(*table, lto), module_unit_keys(*table)};
}

size_t bytes_of(const std::vector<std::string>& names) {
  size_t n = sizeof(names) + names.capacity() * sizeof(std::string);
  for (const std::string& s : names) n += s.capacity() > 15 ? s.capacity() : 0;
  return n;
}

}  // namespace

Result<std::shared_ptr<const CensusIndex>> CensusIndex::build(const CensusSources& sources, unsigned jobs, bool lto,
                                                             const ProgressFn& progress) {
  auto index = std::make_shared<CensusIndex>();
  index->sources_ = sources;
  index->lto_ = lto;
  for (const std::string& p : {sources.nm_path, sources.census_path}) {
    if (!p.empty()) index->input_stamps_.emplace_back(p, stamp_of(p));
  }
  for (const std::string& p : sources.modules_orders) index->input_stamps_.emplace_back(p, stamp_of(p));

  if (auto r = check_census_sources(sources); !r) return std::unexpected(r.error());
  if (!sources.census_path.empty()) {
    auto mapped = MappedFile::open(sources.census_path);
    if (!mapped) return std::unexpected(mapped.error());
    // Every name is wanted (vmlinux requests need them all); source-file
    // keys are kept apart, as module requests read them on every call.
    Census file_units;
    auto census = Census::from_symbfreq(mapped->data(), sources.census_path, file_units);
    if (!census) return std::unexpected(census.error());
    index->total_ = std::move(*census);
    index->bytes_ = (index->total_.size() + file_units.size()) * 64;
    index->units_ = std::make_shared<const Census>(std::move(file_units));
    index->from_census_file_ = true;
    return std::shared_ptr<const CensusIndex>(std::move(index));
  }

  if (!sources.nm_path.empty()) {
    auto listing = VmlinuxListing::open(sources.nm_path);
    if (!listing) return std::unexpected(listing.error());
    add_nm_listing(index->total_, listing->lines(), CensusOptions{.jobs = jobs, .lto = lto});
  }
  auto files = collect_module_files(sources);
  if (!files) return std::unexpected(files.error());
  std::vector<std::shared_ptr<Module>> modules(files->size());
  std::atomic<size_t> read{0};
  auto ok = for_each_symbol_table(*files, jobs, [&](unsigned, size_t i, const SymbolTable& table) {
    if (progress) progress("reading module symbol tables", ++read, files->size());
    auto m = std::make_shared<Module>();
    m->path = (*files)[i];
    m->name = module_name_from_path(m->path);
    m->stamp = stamp_of(m->path);  // its build-id is read by locate_duplicates
    m->units = module_unit_keys(table);
    m->names = defined_names(table, lto);
    modules[i] = std::move(m);
  });
  if (!ok) return std::unexpected(ok.error());
  auto units = std::make_shared<Census>();
  for (auto& m : modules) {
    for (const std::string& name : m->names) index->total_.add(name);
  }
  // Locate every module's duplicated text symbols now, largest files first
  // (sizes differ 1000x), so that module requests read no DWARF.
  std::vector<size_t> order(modules.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return modules[a]->stamp.size > modules[b]->stamp.size; });
  std::atomic<size_t> located{0};
  parallel_for(order.size(), jobs, [&](size_t k, unsigned) {
    locate_duplicates(*modules[order[k]], index->total_, lto);
    if (progress) progress("locating duplicated module symbols", ++located, order.size());
  });
  for (auto& m : modules) {
    for (const std::string& unit : m->units) units->add(unit);
    index->bytes_ += bytes_of(m->names) + bytes_of(m->units) + (m->located ? m->located->size() * 128 : 0);
    index->modules_.push_back(std::move(m));
  }
  index->bytes_ += (index->total_.size() + units->size()) * 64;
  index->units_ = std::move(units);
  return std::shared_ptr<const CensusIndex>(std::move(index));
}

Census CensusIndex::census_with_units() const {
  Census out = total_;
  out.merge(*units_);
  return out;
}

bool CensusIndex::sources_changed() const {
  for (const auto& [path, stamp] : input_stamps_) {
    if (stamp_of(path) != stamp) return true;
  }
  return false;
}

bool CensusIndex::module_changed(const std::string& module_path) const {
  for (const auto& m : modules_) {
    if (m->path == module_path) return elf_stamp_of(m->path) != m->stamp;
  }
  return false;
}

Result<std::shared_ptr<const CensusIndex>> CensusIndex::with_module_reread(const std::string& module_path) const {
  auto copy = std::make_shared<CensusIndex>(*this);
  auto units = std::make_shared<Census>(*units_);
  for (auto& slot : copy->modules_) {
    if (slot->path != module_path) continue;
    auto contents = module_contents(slot->path, lto_);
    if (!contents) return std::unexpected(contents.error());
    for (const std::string& name : slot->names) copy->total_.remove(name);
    for (const std::string& unit : slot->units) units->remove(unit);
    auto m = std::make_shared<Module>(*slot);
    m->names = std::move(contents->names);
    m->units = std::move(contents->units);
    m->stamp = stamp_of(m->path);  // its build-id is read by locate_duplicates
    for (const std::string& name : m->names) copy->total_.add(name);
    for (const std::string& unit : m->units) units->add(unit);
    locate_duplicates(*m, copy->total_, lto_);
    slot = std::move(m);
  }
  copy->units_ = std::move(units);
  return std::shared_ptr<const CensusIndex>(std::move(copy));
}

void CensusIndex::locate_duplicates(Module& module, const Census& total, bool lto) {
  module.located = nullptr;
  auto file = ElfFile::open(module.path);
  if (!file) return;
  module.stamp.build_id = build_id_of(*file);
  auto table = read_symbols(*file);
  if (!table) return;
  AliasOptions options;
  options.lto = lto;
  const std::vector<const ElfSymbol*> eligible = module_alias_symbols(*file, *table, total, options);
  if (eligible.empty()) {
    module.located = std::make_shared<const PlacedSymbols>(std::vector<SymbolPlace>{});
    return;
  }
  auto places = locate_object_symbols(*file, eligible, /*srctree=*/"");
  if (places) module.located = std::make_shared<const PlacedSymbols>(std::move(*places));
}

size_t CensusIndex::located_symbols() const {
  size_t n = 0;
  for (const auto& m : modules_) n += m->located ? m->located->size() : 0;
  return n;
}

std::unordered_map<std::string, std::shared_ptr<const PlacedSymbols>> CensusIndex::located_by_path() const {
  std::unordered_map<std::string, std::shared_ptr<const PlacedSymbols>> out;
  for (const auto& m : modules_) {
    if (m->located) out.emplace(m->path, m->located);
  }
  return out;
}

RestrictedCensus CensusIndex::restricted(const NameSet& wanted, const std::string& skip_module,
                                         const std::string& requester) const {
  if (from_census_file_) return restrict_complete_census(total_, units_, wanted);
  RestrictedCensus result;
  // The modules the request replaces are taken out of the counts here
  // rather than out of a copy of the tables.
  std::unordered_map<std::string_view, uint32_t> skipped;
  Census skipped_units;
  for (const auto& m : modules_) {
    if (!requester.empty() && m->path == requester) result.located = m->located;
    if (skip_module.empty() || m->name != skip_module) {
      ++result.modules;
      continue;
    }
    result.included = true;
    for (const std::string& name : m->names) {
      if (wanted.find(name) != wanted.end()) ++skipped[name];
    }
    for (const std::string& unit : m->units) skipped_units.add(unit);
  }
  for (const std::string& name : wanted) {
    uint32_t n = total_.count(name);
    auto it = skipped.find(name);
    if (it != skipped.end()) n = n > it->second ? n - it->second : 0;
    if (n > 0) result.counts.add(name, n);
  }
  result.other_units = UnitHolders(units_, std::move(skipped_units));
  return result;
}

}  // namespace kas
