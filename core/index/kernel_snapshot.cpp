#include "core/index/kernel_snapshot.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <unordered_map>

#include "core/elf/build_id.hpp"
#include "core/elf/elf_file.hpp"
#include "core/index/census_count.hpp"
#include "core/index/lto_detect.hpp"
#include "core/index/module_list.hpp"
#include "core/util/mapped_file.hpp"
#include "core/util/parallel.hpp"

namespace kas {

namespace {

Result<std::shared_ptr<const BinaryRecord>> record_of(const std::string& path, const std::string& name,
                                                      RecordCache* records) {
  return records != nullptr ? records->get(path, name) : BinaryRecord::read(path, name);
}

}  // namespace

Result<std::shared_ptr<const KernelSnapshot>> KernelSnapshot::build(const KernelFiles& sources,
                                                                    const SnapshotOptions& options) {
  auto snapshot = std::make_shared<KernelSnapshot>();
  snapshot->sources_ = sources;
  // The keys to count, once the LTO kind is decided.
  std::optional<NameSet> wanted;
  auto wanted_under = [&](Lto lto) { return options.wanted ? std::optional(options.wanted(lto)) : std::nullopt; };
  for (const std::string& p : {sources.vmlinux, sources.census_path}) {
    if (!p.empty()) snapshot->input_stamps_.emplace_back(p, stamp_of(p));
  }
  for (const std::string& p : sources.modules_orders) snapshot->input_stamps_.emplace_back(p, stamp_of(p));
  if (auto r = check_census_sources(sources); !r) return std::unexpected(r.error());

  if (!sources.census_path.empty()) {
    // A complete census: vmlinux and the modules were counted when it was
    // made. Source-file keys are kept apart from names.
    auto mapped = MappedFile::open(sources.census_path);
    if (!mapped) return std::unexpected(mapped.error());
    // Its keys were counted without the suffixes of the kernel it was
    // made for: the tree's config beside it says which.
    snapshot->set_lto(decide_lto(options.lto, sources, {}));
    Census file_units;
    auto census = options.wanted
                      ? Census::from_symbfreq(mapped->data(), sources.census_path, options.wanted(snapshot->lto_),
                                              file_units)
                      : Census::from_symbfreq(mapped->data(), sources.census_path, file_units);
    if (!census) return std::unexpected(census.error());
    if (auto same = mapped->unchanged(); !same) return std::unexpected(same.error());
    snapshot->total_ = std::move(*census);
    snapshot->bytes_ = (snapshot->total_.size() + file_units.size()) * 64;
    snapshot->units_ = std::make_shared<const Census>(std::move(file_units));
    snapshot->from_census_file_ = true;
    return std::shared_ptr<const KernelSnapshot>(std::move(snapshot));
  }

  if (!sources.vmlinux.empty()) {
    auto elf = VmlinuxListing::is_elf(sources.vmlinux);
    if (!elf) return std::unexpected(elf.error());
    if (*elf) {
      auto record = record_of(sources.vmlinux, "vmlinux", options.records);
      if (!record) return std::unexpected(record.error());
      auto listing = VmlinuxListing::from_symbols((*record)->table(), sources.vmlinux);
      if (!listing) return std::unexpected(listing.error());
      snapshot->vmlinux_record_ = std::move(*record);
      snapshot->listing_ = std::make_shared<const VmlinuxListing>(std::move(*listing));
    } else {
      auto listing = VmlinuxListing::open(sources.vmlinux);
      if (!listing) return std::unexpected(listing.error());
      snapshot->listing_ = std::make_shared<const VmlinuxListing>(std::move(*listing));
    }
    snapshot->set_lto(decide_lto(options.lto, sources, snapshot->listing_->lines()));
    wanted = wanted_under(snapshot->lto_);
    count_vmlinux(snapshot->total_, snapshot->listing_->lines(), snapshot->lto_, wanted ? &*wanted : nullptr);
    snapshot->bytes_ += snapshot->listing_->lines().size() * sizeof(NmLine) +
                        (snapshot->vmlinux_record_ ? snapshot->vmlinux_record_->approximate_bytes() : 0);
  }

  if (sources.vmlinux.empty()) {
    snapshot->set_lto(decide_lto(options.lto, sources, {}));
    wanted = wanted_under(snapshot->lto_);
  }
  auto files = collect_module_files(sources);
  if (!files) return std::unexpected(files.error());
  std::vector<std::string> read;
  for (std::string& f : *files) {
    if (!options.skip_module.empty() && module_name_from_path(f) == options.skip_module) {
      snapshot->skipped_.push_back(std::move(f));
    } else {
      read.push_back(std::move(f));
    }
  }
  std::vector<std::optional<Result<std::shared_ptr<const BinaryRecord>>>> records(read.size());
  std::atomic<size_t> done{0};
  parallel_for(read.size(), std::max(1u, options.jobs), [&](size_t i, unsigned) {
    records[i] = record_of(read[i], module_name_from_path(read[i]), options.records);
    if (options.progress) options.progress("reading module symbol tables", ++done, read.size());
  });
  // The first failing file in list order: the message does not depend on
  // scheduling.
  for (auto& r : records) {
    if (!*r) return std::unexpected(r->error());
    snapshot->modules_.push_back(std::move(**r));
  }
  snapshot->index_modules();
  auto units = std::make_shared<Census>();
  for (const auto& m : snapshot->modules_) {
    count_module(snapshot->total_, m->table(), snapshot->lto_, wanted ? &*wanted : nullptr);
    for (const std::string& unit : m->units()) units->add(unit);
    snapshot->bytes_ += m->approximate_bytes();
  }
  snapshot->bytes_ += (snapshot->total_.size() + units->size()) * 64;
  snapshot->units_ = std::move(units);
  return std::shared_ptr<const KernelSnapshot>(std::move(snapshot));
}

void KernelSnapshot::set_lto(LtoDecision decision) {
  // A reconfigured tree is another kernel: the daemon counts it anew.
  if (!decision.config.empty()) input_stamps_.emplace_back(decision.config, stamp_of(decision.config));
  lto_ = decision.lto;
  lto_reason_ = std::move(decision.reason);
}

void KernelSnapshot::index_modules() {
  by_name_.clear();
  by_path_.clear();
  for (size_t i = 0; i < modules_.size(); ++i) {
    by_name_[modules_[i]->name()].push_back(i);
    by_path_.emplace(modules_[i]->path(), i);
  }
}

void KernelSnapshot::locate_candidates(unsigned jobs, const BinaryRecord::CandidateSelector& select,
                                       const ProgressFn& progress) const {
  // Sizes differ 1000x: the largest first keeps every worker busy to the end.
  std::vector<const BinaryRecord*> order;
  for (const auto& m : modules_) order.push_back(m.get());
  std::sort(order.begin(), order.end(),
            [](const BinaryRecord* a, const BinaryRecord* b) { return a->stamp().size > b->stamp().size; });
  std::atomic<size_t> located{0};
  parallel_for(order.size(), std::max(1u, jobs), [&](size_t k, unsigned) {
    (void)order[k]->located(total_, lto_, select);
    if (progress) progress("locating duplicated module symbols", ++located, order.size());
  });
}

Census KernelSnapshot::census_with_units() const {
  Census out = total_;
  out.merge(*units_);
  return out;
}

std::optional<std::string> KernelSnapshot::changed_source() const {
  for (const auto& [path, stamp] : input_stamps_) {
    if (stamp_of(path) != stamp) return path;
  }
  return std::nullopt;
}

bool KernelSnapshot::listing_gone() const {
  if (descriptors() == 0) return false;
  for (const auto& [path, stamp] : input_stamps_) {
    if (path != sources_.vmlinux) continue;
    const FileStamp now = stamp_of(path);
    return now.dev != stamp.dev || now.ino != stamp.ino;
  }
  return false;
}

bool KernelSnapshot::module_changed(const std::string& module_path) const {
  for (const auto& m : modules_) {
    if (m->path() != module_path) continue;
    if (!m->current()) return true;
    // A copy that kept size and mtime still has another build-id.
    auto file = ElfFile::open(module_path);
    return !file || build_id_of(*file) != m->stamp().build_id;
  }
  return false;
}

Result<std::shared_ptr<const KernelSnapshot>> KernelSnapshot::with_module_reread(const std::string& module_path,
                                                                                 RecordCache* records) const {
  auto copy = std::make_shared<KernelSnapshot>(*this);
  auto units = std::make_shared<Census>(*units_);
  for (auto& slot : copy->modules_) {
    if (slot->path() != module_path) continue;
    // Read anew even when the stat looks unchanged: the caller saw a new
    // build-id.
    auto fresh = BinaryRecord::read(module_path, slot->name());
    if (!fresh) return std::unexpected(fresh.error());
    Census old_names;
    count_module(old_names, slot->table(), lto_);
    for (const auto& [name, n] : old_names.sorted()) copy->total_.remove(name, n);
    for (const std::string& unit : slot->units()) units->remove(unit);
    count_module(copy->total_, (*fresh)->table(), lto_);
    for (const std::string& unit : (*fresh)->units()) units->add(unit);
    copy->bytes_ = copy->bytes_ - slot->approximate_bytes() + (*fresh)->approximate_bytes();
    slot = std::move(*fresh);
    if (records != nullptr) records->put(slot);
  }
  copy->units_ = std::move(units);
  return std::shared_ptr<const KernelSnapshot>(std::move(copy));
}

RestrictedCensus KernelSnapshot::restricted(const NameSet& wanted, const std::string& skip_module,
                                            const std::string& requester) const {
  RestrictedCensus result;
  result.lto = lto_;
  if (from_census_file_) {
    result.other_units = UnitHolders(units_);
    size_t present = 0;
    for (const std::string& name : wanted) {
      uint32_t n = total_.count(name);
      if (n > 0) {
        result.counts.add(name, n);
        ++present;
      }
    }
    // A census that already knows every name this module defines counted it
    // (a census of the same build, or an installed copy it replaces).
    result.included = !wanted.empty() && present == wanted.size();
    result.self_counted = result.included;
    return result;
  }
  result.included = !skipped_.empty();
  if (auto it = by_path_.find(requester); !requester.empty() && it != by_path_.end()) {
    const BinaryRecord& m = *modules_[it->second];
    if (m.has_located() && m.current()) result.located = m.located_so_far();
  }
  // The modules the request replaces are taken out of the counts here
  // rather than out of a copy of the tables.
  Census skipped;
  Census skipped_units;
  result.modules = modules_.size();
  if (auto it = by_name_.find(skip_module); !skip_module.empty() && it != by_name_.end()) {
    result.included = true;
    result.modules -= it->second.size();
    for (size_t i : it->second) {
      count_module(skipped, modules_[i]->table(), lto_, &wanted);
      for (const std::string& unit : modules_[i]->units()) skipped_units.add(unit);
    }
  }
  for (const std::string& name : wanted) {
    uint32_t n = total_.count(name);
    uint32_t minus = skipped.count(name);
    n = n > minus ? n - minus : 0;
    if (n > 0) result.counts.add(name, n);
  }
  result.other_units = UnitHolders(units_, std::move(skipped_units));
  return result;
}

}  // namespace kas
