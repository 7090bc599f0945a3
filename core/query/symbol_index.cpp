#include "core/query/symbol_index.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <charconv>
#include <map>
#include <unordered_map>

#include "core/alias/module_aliases.hpp"
#include "core/alias/vmlinux_aliases.hpp"
#include "core/census/lto.hpp"
#include "core/dwarf/address_source.hpp"
#include "core/dwarf/locator.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/linux_version.hpp"
#include "core/elf/nm_type.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/census_count.hpp"
#include "core/util/descriptor_budget.hpp"
#include "core/index/kernel_config.hpp"
#include "core/query/frame_spec.hpp"
#include "core/util/parallel.hpp"
#include "core/util/text.hpp"

namespace kas {

namespace {

// Relocated debug data of the DWARF handles kept open between questions
// (see DwarfSlots): a small module's is ~100 KiB, amdgpu's ~100 MiB.
constexpr uint64_t kDebugInfoBudget = uint64_t{256} << 20;

struct BinaryPart {
  SymbolIndex::Binary binary;
  std::vector<SymbolIndex::Entry> entries;
  LocationCache locations;  // by index in `entries`
  std::vector<std::pair<uint32_t, std::string>> aliases;  // by index in `entries`
};

uint32_t add_string(std::string& strings, std::string_view s) {
  auto offset = static_cast<uint32_t>(strings.size());
  strings.append(s);
  return offset;
}

// Symbols of one binary, with the census count of each name.
BinaryPart part_of(const BinaryRecord& record, const Census& census, Lto lto) {
  BinaryPart part;
  part.binary.name = record.name();
  part.binary.path = record.path();
  part.binary.relocatable = record.relocatable();
  part.binary.stamp = record.stamp();
  part.binary.sections = record.sections();
  for (const ElfSymbol& sym : record.table().symbols) {
    if (!sym.defined() || sym.nm_type == 'N' || sym.nm_type == 'n') continue;
    SymbolIndex::Entry e;
    e.value = sym.value;
    e.size = sym.size;
    e.section = sym.in_section ? sym.section : 0;
    e.symtab_index = sym.index;
    e.name_offset = add_string(part.binary.strings, sym.name);
    e.name_length = static_cast<uint32_t>(sym.name.size());
    e.count = census.count(census_name(sym.name, lto));
    e.nm_type = sym.nm_type;
    e.elf_type = sym.type;
    part.entries.push_back(e);
  }
  return part;
}

std::string_view view(const BinaryPart& part, uint32_t offset, uint32_t length) {
  return std::string_view(part.binary.strings).substr(offset, length);
}

bool wants_alias(const SymbolIndex::Entry& e, const AliasOptions& alias) {
  return e.count > 1 && (alias.data || nm_is_text(e.nm_type));
}

// vmlinux's aliases as `kas vmlinux` decides them from its listing, and
// every text symbol located now (~2 s on one core for a distribution
// kernel): lookups of vmlinux names, most of them, then read no DWARF. The
// DWARF opened for this is handed on to answer later questions.
Result<std::unique_ptr<DebugInfo>> add_vmlinux_aliases(BinaryPart& part, const QueryTarget& target,
                                                       const KernelSnapshot& snapshot, SourceTree& tree_out) {
  const BinaryRecord& record = *snapshot.vmlinux_record();
  auto debug = VmlinuxDebug::open(record.path(), target.srctree, &record.table());
  if (!debug) return std::unexpected(debug.error());
  std::span<const NmLine> lines = snapshot.vmlinux_listing()->lines();
  auto decided = decide_vmlinux_aliases(lines, snapshot.census(), target.alias, *debug);
  if (!decided) return std::unexpected(decided.error());
  // Duplicated names only: a map of those entries, not of all 150,000.
  std::unordered_map<std::string_view, std::vector<size_t>> duplicated;
  for (size_t i = 0; i < part.entries.size(); ++i) {
    const SymbolIndex::Entry& e = part.entries[i];
    if (e.count > 1) duplicated[view(part, e.name_offset, e.name_length)].push_back(i);
  }
  std::vector<std::pair<size_t, std::string>> found;
  for (size_t l = 0; l < lines.size(); ++l) {
    if (decided->alias_of_line[l].empty()) continue;
    auto it = duplicated.find(lines[l].name);
    if (it == duplicated.end()) continue;
    for (size_t i : it->second) {
      if (part.entries[i].value == lines[l].value) {
        found.emplace_back(i, std::move(decided->alias_of_line[l]));
        break;
      }
    }
  }
  for (auto& [i, alias] : found) part.aliases.emplace_back(static_cast<uint32_t>(i), std::move(alias));

  std::vector<LocateQuery> queries;
  std::vector<uint32_t> asked;
  for (size_t i = 0; i < part.entries.size(); ++i) {
    if (!nm_is_text(part.entries[i].nm_type)) continue;
    const SymbolIndex::Entry& e = part.entries[i];
    queries.push_back({e.value, sought_as_function(e.elf_type, e.nm_type), e.size, view(part, e.name_offset, e.name_length)});
    asked.push_back(static_cast<uint32_t>(i));
  }
  auto located = locate(*debug->info, debug->tree, queries);
  for (size_t q = 0; q < asked.size(); ++q) part.locations.emplace(asked[q], std::move(located[q]));
  tree_out = std::move(debug->tree);
  return std::move(debug->info);
}

// A module's aliases as `kas module` decides them over the same census,
// for its entries `entries` (ids from `first`). Its candidates' locations
// (found once per file, shared with kbuild requests for the same files)
// come too: lookups of duplicated names, the tool's main question, then
// open no module DWARF.
struct ModuleAliases {
  std::vector<std::pair<uint32_t, std::string>> aliases;  // entry id, alias
  std::vector<uint32_t> hidden;                            // entries that are such aliases themselves
  LocationCache located;                                   // by entry id
};

Result<ModuleAliases> decide_module(std::span<const SymbolIndex::Entry> entries, uint32_t first,
                                    std::string_view strings, const BinaryRecord& record, const QueryTarget& target,
                                    const KernelSnapshot& snapshot) {
  ModuleAliases out;
  if (std::none_of(entries.begin(), entries.end(),
                   [&](const SymbolIndex::Entry& e) { return wants_alias(e, target.alias); })) {
    return out;
  }
  const NameSet wanted = module_census_keys(record.table(), snapshot.lto());
  const RestrictedCensus counted = snapshot.restricted(wanted, record.name());
  // Located with an inferred source tree: only then are they what this
  // index would find.
  std::shared_ptr<const PlacedSymbols> located =
      target.srctree.empty() ? record.located(snapshot.census(), snapshot.lto(), alias_candidates) : nullptr;
  const ModuleBinary binary{record.table(), [&](uint32_t s) { return record.section_name(s); }, record.name()};
  auto decided = decide_module_aliases(binary, counted, target.alias, located.get(),
                                       [&](std::span<const ElfSymbol* const> symbols) -> Result<std::vector<SymbolPlace>> {
                                         auto file = ElfFile::open(record.path());
                                         if (!file) return std::unexpected(file.error());
                                         return locate_object_symbols(*file, symbols, target.srctree);
                                       });
  if (!decided) return std::unexpected(decided.error());
  std::unordered_map<uint32_t, uint32_t> by_symtab;
  for (size_t i = 0; i < entries.size(); ++i) by_symtab.emplace(entries[i].symtab_index, first + static_cast<uint32_t>(i));
  NameSet alias_names;
  for (DecidedAlias& a : decided->aliases) {
    alias_names.insert(a.alias);
    auto it = by_symtab.find(a.symbol->index);
    if (it != by_symtab.end()) out.aliases.emplace_back(it->second, std::move(a.alias));
  }
  if (located != nullptr) {
    for (const SymbolPlace& place : located->places()) {
      auto it = by_symtab.find(place.symbol_index);
      if (it != by_symtab.end() && place.placed) out.located.emplace(it->second, place.location);
    }
  }
  // A module linked by a kbuild with aliases already holds them as symbols:
  // they are shown as the alias of their symbol, not as symbols of their own.
  for (size_t i = 0; i < entries.size(); ++i) {
    const SymbolIndex::Entry& e = entries[i];
    if (alias_names.find(strings.substr(e.name_offset, e.name_length)) != alias_names.end()) {
      out.hidden.push_back(first + static_cast<uint32_t>(i));
    }
  }
  return out;
}

bool has_glob(std::string_view pattern) { return pattern.find_first_of("*?[") != std::string_view::npos; }

}  // namespace

std::string normalized_module(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

Result<std::shared_ptr<const SymbolIndex>> SymbolIndex::build(const QueryTarget& target, unsigned jobs,
                                                              const ProgressFn& progress) {
  auto snapshot = KernelSnapshot::build(target.kernel, {.jobs = jobs, .lto = target.alias.lto, .progress = progress});
  if (!snapshot) return std::unexpected(snapshot.error());
  return build(target, *snapshot, jobs, progress);
}

Result<std::shared_ptr<const SymbolIndex>> SymbolIndex::build(const QueryTarget& requested,
                                                              std::shared_ptr<const KernelSnapshot> snapshot,
                                                              unsigned jobs, const ProgressFn& progress) {
  auto index = std::make_shared<SymbolIndex>();
  // The alias rules run with the LTO kind the snapshot counted with.
  index->target_ = requested;
  index->target_.alias.lto = snapshot->lto();
  const QueryTarget& target = index->target_;
  index->input_stamps_.emplace_back(target.kernel.vmlinux, stamp_of(target.kernel.vmlinux));
  for (const std::string& p : target.kernel.modules_orders) index->input_stamps_.emplace_back(p, stamp_of(p));
  if (snapshot->vmlinux_record() == nullptr) {
    return fail(ErrorCode::kBadElf, target.kernel.vmlinux + ": not an ELF file (kas lookup needs vmlinux with DWARF)");
  }

  // Slot 0 is vmlinux, then the modules in list order. vmlinux's aliases
  // are decided now (most questions are about vmlinux); a module's when a
  // question first shows one of its symbols (ensure_aliases), so the first
  // question reads the DWARF of the modules it is about, not of all 4,000.
  const auto modules = snapshot->modules();
  std::vector<BinaryPart> parts(modules.size() + 1);
  std::optional<Error> vmlinux_error;
  std::unique_ptr<DebugInfo> vmlinux_debug;
  SourceTree vmlinux_tree;
  std::atomic<size_t> done{0};
  parallel_for(parts.size(), jobs, [&](size_t i, unsigned) {
    const BinaryRecord& record = i == 0 ? *snapshot->vmlinux_record() : *modules[i - 1];
    parts[i] = part_of(record, snapshot->census(), target.alias.lto);
    if (i == 0) {
      auto debug = add_vmlinux_aliases(parts[i], target, *snapshot, vmlinux_tree);
      if (debug) {
        vmlinux_debug = std::move(*debug);
      } else {
        vmlinux_error = debug.error();
      }
    }
    if (progress) progress("reading symbols", ++done, parts.size());
  });
  if (vmlinux_error) return std::unexpected(*vmlinux_error);

  index->aliases_ = std::make_unique<Aliases[]>(parts.size());
  index->traced_ = std::make_unique<Traced[]>(parts.size());
  if (auto config = read_kernel_config(target.kernel)) {
    index->probes_notrace_ = config_enables(config->text, "CONFIG_KPROBE_EVENTS_ON_NOTRACE");
  }
  if (auto vmlinux = ElfFile::open(target.kernel.vmlinux)) {
    index->kprobe_rules_ = kprobe_rules_for(read_linux_version(*vmlinux, snapshot->vmlinux_record()->table()));
  }
  LocationCache vmlinux_seed;
  for (size_t b = 0; b < parts.size(); ++b) {
    BinaryPart& part = parts[b];
    const auto first_id = static_cast<uint32_t>(index->entries_.size());
    index->first_entry_.push_back(first_id);
    for (Entry& e : part.entries) {
      e.binary = static_cast<uint32_t>(b);
      index->entries_.push_back(e);
      if (e.count > 1) index->bytes_ += 96;  // room for its alias, when decided
    }
    if (b == 0) {
      for (auto& [local, location] : part.locations) vmlinux_seed.emplace(first_id + local, std::move(location));
      Aliases& decided = index->aliases_[0];
      std::call_once(decided.once, [&] {
        for (auto& [local, alias] : part.aliases) decided.of_entry.emplace(first_id + local, std::move(alias));
      });
    }
    index->bytes_ += part.binary.strings.size() + part.binary.sections.size() * 32 + 256;
    index->binaries_.push_back(std::move(part.binary));
  }
  index->first_entry_.push_back(static_cast<uint32_t>(index->entries_.size()));
  index->bytes_ += index->entries_.size() * (sizeof(Entry) + 3 * sizeof(uint32_t));

  const auto& entries = index->entries_;
  SymbolIndex& self = *index;
  index->by_name_.resize(entries.size());
  for (uint32_t i = 0; i < entries.size(); ++i) index->by_name_[i] = i;
  std::sort(index->by_name_.begin(), index->by_name_.end(), [&](uint32_t a, uint32_t b) {
    int c = self.name_of(entries[a]).compare(self.name_of(entries[b]));
    return c != 0 ? c < 0 : a < b;
  });
  for (uint32_t i = 0; i < entries.size(); ++i) {
    if (entries[i].binary == 0) index->vmlinux_by_address_.push_back(i);
  }
  std::sort(index->vmlinux_by_address_.begin(), index->vmlinux_by_address_.end(), [&](uint32_t a, uint32_t b) {
    return entries[a].value != entries[b].value ? entries[a].value < entries[b].value : a < b;
  });

  std::vector<std::string> paths;
  for (const Binary& b : index->binaries_) paths.push_back(b.path);
  index->dwarf_ = std::make_unique<DwarfSlots>(std::move(paths), target.srctree, kDebugInfoBudget,
                                               cached_descriptor_budget(), std::max(2u, jobs));
  index->dwarf_->adopt(0, std::move(vmlinux_debug), std::move(vmlinux_tree));
  index->dwarf_->seed(0, std::move(vmlinux_seed));
  index->snapshot_ = std::move(snapshot);
  index->jobs_ = std::max(1u, jobs);
  return std::shared_ptr<const SymbolIndex>(std::move(index));
}

void SymbolIndex::ensure_aliases(uint32_t binary) const {
  Aliases& slot = aliases_[binary];
  std::call_once(slot.once, [&] {
    const BinaryRecord& record = *snapshot_->modules()[binary - 1];
    if (!record.current()) {
      // Rebuilt since indexing: its DWARF no longer goes with the symbols
      // read. The daemon reindexes on changed(); this answer says why.
      uint32_t none = UINT32_MAX;
      first_stale_.compare_exchange_strong(none, binary);
      stale_ = true;
      slot.error = record.path() + ": changed on disk since it was indexed";
      return;
    }
    const uint32_t first = first_entry_[binary];
    const std::span<const Entry> entries(entries_.data() + first, first_entry_[binary + 1] - first);
    auto decided = decide_module(entries, first, binaries_[binary].strings, record, target_, *snapshot_);
    if (!decided) {
      slot.error = decided.error().message;
      return;
    }
    for (auto& [id, alias] : decided->aliases) slot.of_entry.emplace(id, std::move(alias));
    slot.hidden.insert(decided->hidden.begin(), decided->hidden.end());
    if (!decided->located.empty()) dwarf_->seed(binary, std::move(decided->located));
  });
}

void SymbolIndex::ensure_aliases(std::span<const uint32_t> ids) const {
  std::vector<uint32_t> binaries;
  for (uint32_t id : ids) binaries.push_back(entries_[id].binary);
  std::sort(binaries.begin(), binaries.end());
  binaries.erase(std::unique(binaries.begin(), binaries.end()), binaries.end());
  parallel_for(binaries.size(), jobs_, [&](size_t k, unsigned) { ensure_aliases(binaries[k]); });
}

const std::vector<uint32_t>& SymbolIndex::by_alias() const {
  std::call_once(by_alias_once_, [&] {
    parallel_for(binaries_.size(), jobs_, [&](size_t b, unsigned) { ensure_aliases(static_cast<uint32_t>(b)); });
    for (uint32_t b = 0; b < binaries_.size(); ++b) {
      for (const auto& [id, alias] : aliases_[b].of_entry) by_alias_.push_back(id);
    }
    std::sort(by_alias_.begin(), by_alias_.end(), [&](uint32_t a, uint32_t b) {
      const std::string_view x = alias_of(a);
      const std::string_view y = alias_of(b);
      return x != y ? x < y : a < b;
    });
  });
  return by_alias_;
}

std::vector<uint32_t> SymbolIndex::visible(std::vector<uint32_t> ids) const {
  ensure_aliases(ids);
  std::erase_if(ids, [&](uint32_t id) { return aliases_[entries_[id].binary].hidden.count(id) != 0; });
  return ids;
}

std::string_view SymbolIndex::name_of(const Entry& e) const {
  return std::string_view(binaries_[e.binary].strings).substr(e.name_offset, e.name_length);
}

std::string_view SymbolIndex::alias_of(uint32_t id) const {
  // Only after ensure_aliases() of its binary: the decision is then final.
  const Aliases& decided = aliases_[entries_[id].binary];
  auto it = decided.of_entry.find(id);
  return it == decided.of_entry.end() ? std::string_view() : std::string_view(it->second);
}

size_t SymbolIndex::descriptors() const { return dwarf_->descriptors(); }

bool SymbolIndex::release_gone() const {
  if (dwarf_->release_gone() == 0) return false;
  stale_ = true;
  return true;
}

bool SymbolIndex::changed() const {
  if (stale_ || snapshot_->sources_changed()) return true;
  for (const auto& [path, stamp] : input_stamps_) {
    if (stamp_of(path) != stamp) return true;
  }
  return false;
}

void SymbolIndex::check_binary(uint32_t binary) const {
  const Binary& b = binaries_[binary];
  FileStamp now = stamp_of(b.path);
  // The build-id is only compared when the cheap parts agree.
  if (now.dev != b.stamp.dev || now.ino != b.stamp.ino || now.size != b.stamp.size ||
      now.mtime_ns != b.stamp.mtime_ns) {
    uint32_t none = UINT32_MAX;
    first_stale_.compare_exchange_strong(none, binary);
    stale_ = true;
  }
}

Result<void> SymbolIndex::unchanged() const {
  // The handle's own finding says the most ("... 67118224 bytes when
  // opened, 0 now").
  if (auto change = dwarf_->first_change()) return std::unexpected(*change);
  std::optional<std::string> path;
  if (const uint32_t b = first_stale_; b != UINT32_MAX) path = binaries_[b].path;
  for (const auto& [input, stamp] : input_stamps_) {
    if (!path && stamp_of(input) != stamp) path = input;
  }
  if (!path) path = snapshot_->changed_source();
  if (!path && !stale_) return {};
  return fail(ErrorCode::kIo, path.value_or(target_.kernel.vmlinux) +
                                  ": changed while being read: run again once whatever writes it is done");
}

std::vector<uint32_t> SymbolIndex::named(std::string_view name) const {
  const bool alias = name.find(target_.alias.separator) != std::string_view::npos;
  const std::vector<uint32_t>& sorted = alias ? by_alias() : by_name_;
  auto key = [&](uint32_t id) { return alias ? alias_of(id) : name_of(entries_[id]); };
  auto lo = std::lower_bound(sorted.begin(), sorted.end(), name,
                             [&](uint32_t id, std::string_view n) { return key(id) < n; });
  std::vector<uint32_t> out;
  auto it = lo;
  for (; it != sorted.end() && key(*it) == name; ++it) out.push_back(*it);
  // In an LTO kernel the plain name also finds the copies the link
  // renamed: "c_start" finds "c_start.llvm.1579..." (they sort right after
  // it, all starting with "c_start.").
  if (!alias && target_.alias.lto != Lto::kNone && target_.alias.lto != Lto::kDetect) {
    for (; it != sorted.end() && key(*it).starts_with(name) && key(*it).size() > name.size(); ++it) {
      const std::string_view full = key(*it);
      if (full[name.size()] == '.' && census_name(full, target_.alias.lto) == name) out.push_back(*it);
    }
  }
  return visible(std::move(out));
}

LookupAnswer SymbolIndex::lookup(std::string_view full_pattern, size_t limit) const {
  LookupAnswer answer;
  // The tracers' spellings around the name or glob (see select()):
  // MODULE:, perf's @SRC[:RLN], livepatch's ,SYMPOS.
  FrameQuery selector;
  std::string_view pattern = full_pattern;
  if (size_t colon = pattern.find(':'); colon != std::string_view::npos && is_module_name(pattern.substr(0, colon))) {
    selector.module = std::string(pattern.substr(0, colon));
    selector.module_given = true;
    pattern = pattern.substr(colon + 1);
  }
  if (size_t at = pattern.find('@'); at != std::string_view::npos) {
    std::string_view source = pattern.substr(at + 1);
    source = source.substr(0, source.find(':'));
    if (names_source_file(source)) {
      selector.source = std::string(source);
      pattern = pattern.substr(0, at);
    }
  } else if (size_t comma = pattern.rfind(','); comma != std::string_view::npos) {
    const std::string_view digits = pattern.substr(comma + 1);
    uint32_t pos = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pos);
    if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size()) {
      selector.has_sympos = true;
      selector.sympos = pos;
      pattern = pattern.substr(0, comma);
    }
  }
  selector.symbol = std::string(pattern);
  std::vector<uint32_t> ids;
  if (!has_glob(pattern)) {
    ids = named(pattern);
  } else {
    const bool alias = pattern.find(target_.alias.separator) != std::string_view::npos;
    const std::vector<uint32_t>& sorted = alias ? by_alias() : by_name_;
    auto key = [&](uint32_t id) { return alias ? alias_of(id) : name_of(entries_[id]); };
    std::string_view prefix = pattern.substr(0, pattern.find_first_of("*?[\\"));
    auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix,
                               [&](uint32_t id, std::string_view p) { return key(id) < p; });
    const std::string pat(pattern);
    std::string name;
    for (; it != sorted.end() && key(*it).starts_with(prefix); ++it) {
      name.assign(key(*it));
      if (fnmatch(pat.c_str(), name.c_str(), 0) == 0) ids.push_back(*it);
    }
    ids = visible(std::move(ids));
  }
  std::string narrowed;
  ids = select(std::move(ids), selector, narrowed);
  // vmlinux first, then modules by name, then by address.
  std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
    const Entry& x = entries_[a];
    const Entry& y = entries_[b];
    if ((x.binary == 0) != (y.binary == 0)) return x.binary == 0;
    if (x.binary != y.binary) return binaries_[x.binary].name < binaries_[y.binary].name;
    return x.value != y.value ? x.value < y.value : a < b;
  });
  answer.total = ids.size();
  if (limit != 0 && ids.size() > limit) ids.resize(limit);
  answer.definitions = describe(ids);
  return answer;
}

std::vector<SymbolDefinition> SymbolIndex::describe(std::span<const uint32_t> ids, bool locations) const {
  std::vector<SymbolDefinition> out(ids.size());
  std::map<uint32_t, std::vector<size_t>> by_binary;
  for (size_t k = 0; k < ids.size(); ++k) {
    const Entry& e = entries_[ids[k]];
    const Binary& b = binaries_[e.binary];
    SymbolDefinition& d = out[k];
    d.binary = b.name;
    d.path = b.path;
    d.name = std::string(name_of(e));
    d.nm_type = e.nm_type;
    d.section = e.section < b.sections.size() ? b.sections[e.section] : std::string();
    d.address = e.value;
    d.relocatable = b.relocatable;
    d.size = e.size;
    d.count = e.count;
    d.alias = std::string(alias_of(ids[k]));
    d.sympos = sympos_of(ids[k]);
    if (const std::string& why = aliases_[e.binary].error; !why.empty()) d.note = why;
    by_binary[e.binary].push_back(k);
  }
  if (!locations) return out;
  for (const auto& [binary, members] : by_binary) {
    check_binary(binary);
    std::vector<size_t> unknown;
    for (size_t k : members) {
      if (!dwarf_->cached(binary, ids[k])) unknown.push_back(k);
    }
    if (!unknown.empty()) {
      auto used = dwarf_->with(binary, [&](const DebugInfo& info, const SourceTree& tree) {
        std::vector<LocateQuery> queries;
        std::vector<size_t> asked;
        for (size_t k : unknown) {
          const Entry& e = entries_[ids[k]];
          uint64_t address = e.value;
          if (binaries_[binary].relocatable) {
            auto base = info.section_address(e.section);
            if (!base) {
              dwarf_->store(binary, ids[k], std::nullopt);
              continue;
            }
            address += *base;
          }
          queries.push_back({address, sought_as_function(e.elf_type, e.nm_type), e.size, name_of(e)});
          asked.push_back(k);
        }
        auto located = locate(info, tree, queries);
        for (size_t q = 0; q < asked.size(); ++q) dwarf_->store(binary, ids[asked[q]], std::move(located[q]));
      });
      if (!used) {
        for (size_t k : members) out[k].note = used.error().message;
        continue;
      }
    }
    for (size_t k : members) {
      auto loc = dwarf_->cached(binary, ids[k]);
      if (!loc || !*loc) {
        out[k].note = "no DWARF location";
        continue;
      }
      out[k].file = (*loc)->file;
      out[k].line = (*loc)->line;
      out[k].unit = (*loc)->unit;
    }
  }
  return out;
}

std::optional<uint64_t> SymbolIndex::vmlinux_address(std::string_view name) const {
  for (uint32_t id : named(name)) {
    if (entries_[id].binary == 0) return entries_[id].value;
  }
  return std::nullopt;
}

std::optional<uint32_t> SymbolIndex::vmlinux_symbol_at(uint64_t address) const {
  // The symbols starting at or before the address, nearest first: the first
  // sized one that holds it wins (a function over the labels sharing its
  // start, e.g. _text).
  auto it = std::upper_bound(vmlinux_by_address_.begin(), vmlinux_by_address_.end(), address,
                             [&](uint64_t a, uint32_t id) { return a < entries_[id].value; });
  std::optional<uint32_t> best;
  uint64_t nearest = 0;
  while (it != vmlinux_by_address_.begin()) {
    const Entry& e = entries_[*--it];
    if (best && e.value != nearest) break;
    if (!best) nearest = e.value;
    if (e.size > 0 && address - e.value < e.size) {
      if (!best || entries_[*best].size == 0 || !nm_is_text(entries_[*best].nm_type)) best = *it;
    } else if (!best && e.size == 0) {
      best = *it;  // only when nothing sized holds it
    }
    if (best && entries_[*best].size > 0 && nm_is_text(entries_[*best].nm_type)) break;
  }
  if (best && entries_[*best].size > 0 && address - entries_[*best].value >= entries_[*best].size) return std::nullopt;
  return best;
}

std::vector<ResolveAnswer> SymbolIndex::resolve(std::span<const FrameQuery> queries) const {
  std::vector<ResolveAnswer> answers;
  answers.reserve(queries.size());
  for (const FrameQuery& q : queries) answers.push_back(resolve_one(q));
  return answers;
}

ResolveAnswer SymbolIndex::resolve_one(const FrameQuery& q) const {
  ResolveAnswer answer;
  answer.query = q;
  std::vector<uint32_t> ids;
  std::vector<uint64_t> offsets;
  using text::hex;
  if (q.by_address) {
    auto id = vmlinux_symbol_at(q.address);
    if (!id) {
      answer.error = "no vmlinux symbol holds " + hex(q.address);
      return answer;
    }
    ids.push_back(*id);
    offsets.push_back(q.address - entries_[*id].value);
  } else {
    std::vector<uint32_t> all = named(q.symbol);
    if (all.empty()) {
      answer.error = "no symbol named '" + q.symbol + "'";
      if (std::all_of(q.symbol.begin(), q.symbol.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
        answer.error += " (an address is written 0x" + q.symbol + ")";
      }
      return answer;
    }
    std::vector<uint32_t> in_module = select(std::move(all), q, answer.error);
    if (!answer.error.empty()) return answer;
    // "/SIZE" as the kernel prints it (the kallsyms extent) or the ELF
    // size; a return address may sit just past its function's end (%pB
    // names the symbol of ADDR-1).
    const uint64_t past_end = q.return_address ? 1 : 0;
    for (uint32_t id : in_module) {
      const Entry& e = entries_[id];
      const auto extent = kallsyms_extent(id);
      if (q.has_size) {
        if (e.size == q.size || (extent && extent->holds(q.size))) ids.push_back(id);
      } else if (e.size == 0 || q.offset < e.size + past_end || (extent && q.offset < extent->lo + past_end)) {
        ids.push_back(id);
      }
    }
    if (ids.empty()) {
      std::string sizes;
      std::string extents;
      for (uint32_t id : in_module) {
        sizes += (sizes.empty() ? "" : ", ") + hex(entries_[id].size);
        if (auto extent = kallsyms_extent(id)) {
          extents += (extents.empty() ? "" : ", ") + hex(extent->lo) +
                     (extent->hi == extent->lo ? std::string() : extent->hi == UINT64_MAX ? "+" : "-" + hex(extent->hi));
        }
      }
      const std::string where = q.module_given ? " in " + normalized_module(q.module) : std::string();
      answer.error = q.has_size ? "no '" + q.symbol + "'" + where + " of size " + hex(q.size) + " (ELF sizes: " + sizes +
                                      (extents.empty() ? std::string() : "; kallsyms sizes: " + extents) +
                                      "): is this the kernel that printed it?"
                                : "offset " + hex(q.offset) + " is past the end of every '" + q.symbol +
                                      "' (sizes: " + sizes + ")";
      return answer;
    }
    offsets.assign(ids.size(), q.offset);
  }

  std::vector<SymbolDefinition> defs = describe(ids);
  for (size_t k = 0; k < ids.size(); ++k) {
    Resolution r;
    r.symbol = std::move(defs[k]);
    r.offset = offsets[k];
    const Entry& e = entries_[ids[k]];
    auto location = dwarf_->cached(e.binary, ids[k]);  // describe() filled it
    const uint64_t function_die = location && *location ? (*location)->die_offset : 0;
    auto used = dwarf_->with(e.binary, [&](const DebugInfo& info, const SourceTree& tree) {
      // A return address's line is the call's: one byte back.
      const uint64_t back = q.return_address && offsets[k] > 0 ? 1 : 0;
      uint64_t address = e.value + offsets[k] - back;
      if (binaries_[e.binary].relocatable) {
        auto base = info.section_address(e.section);
        if (!base) return;
        address += *base;
      }
      for (SourceFrame& f : source_at(info, tree, address, function_die)) {
        r.frames.push_back({std::move(f.function), std::move(f.file), f.line});
      }
    });
    if (!used && r.symbol.note.empty()) r.symbol.note = used.error().message;
    answer.candidates.push_back(std::move(r));
  }
  return answer;
}

}  // namespace kas
