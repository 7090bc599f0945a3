// The vmlinux and census entry points of the engine (engine_module.cpp has
// the module one): snapshot -> census -> decide (core/alias) -> render.
#include "core/engine/engine.hpp"

#include "core/alias/vmlinux_aliases.hpp"
#include "core/elf/vmlinux_listing.hpp"

namespace kas {

Result<void> check_countable(const KernelFiles& sources) {
  if (!sources.census_path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a census is built from --nm and modules, not read from --census");
  }
  return {};
}

CensusResult census_of(const CensusRequest& request, const KernelSnapshot& snapshot) {
  if (request.units) return {snapshot.census_with_units().to_symbfreq(), snapshot.module_count()};
  return {snapshot.census().to_symbfreq(), snapshot.module_count()};
}

Result<CensusResult> build_census(const CensusRequest& request) {
  if (auto r = check_countable(request.sources); !r) return std::unexpected(r.error());
  auto snapshot = KernelSnapshot::build(request.sources, {.jobs = request.jobs, .lto = request.lto});
  if (!snapshot) return std::unexpected(snapshot.error());
  return census_of(request, **snapshot);
}

namespace {

Result<VmlinuxResult> render(const VmlinuxRequest& request, const VmlinuxListing& listing,
                             const KernelSnapshot& snapshot) {
  const Census& census = snapshot.census();
  const std::span<const NmLine> lines = listing.lines();
  VmlinuxResult result;
  result.stats.modules = snapshot.module_count();
  result.stats.lto = std::string(lto_spelling(snapshot.lto())) + " (" + snapshot.lto_reason() + ")";
  result.stats.input_lines = lines.size();
  result.stats.census_names = census.size();
  auto debug = VmlinuxDebug::open(request.elf_path, request.srctree);
  if (!debug) return std::unexpected(debug.error());
  AliasOptions options = request.alias;
  options.lto = snapshot.lto();
  auto decided = decide_vmlinux_aliases(lines, census, options, *debug);
  if (!decided) return std::unexpected(decided.error());
  // What was decided is only as good as the files it was read from.
  if (auto same = debug->object.unchanged(); !same) return std::unexpected(same.error());
  if (auto same = listing.unchanged(); !same) return std::unexpected(same.error());
  VmlinuxStats& s = result.stats;
  s.counts = decided->counts;
  result.unlocated_names = std::move(decided->unlocated_names);
  result.too_long_names = std::move(decided->too_long_names);

  std::string& out = result.text;
  out.reserve(listing.data().size() + s.counts.aliases * 80);
  for (size_t i = 0; i < lines.size(); ++i) {
    const NmLine& line = lines[i];
    out += line.text;
    out += '\n';
    if (const std::string& alias = decided->alias_of_line[i]; !alias.empty()) {
      out += line.address;
      out += ' ';
      out += line.type;
      out += ' ';
      out += alias;
      out += '\n';
    }
  }
  return result;
}

}  // namespace

Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request, const KernelSnapshot& snapshot) {
  // The listing is the snapshot's when it counted vmlinux from it (the
  // same file); with a census file it was not read.
  if (const VmlinuxListing* listing = snapshot.vmlinux_listing();
      listing != nullptr && snapshot.sources().vmlinux == request.census.vmlinux) {
    return render(request, *listing, snapshot);
  }
  auto listing = VmlinuxListing::open(request.census.vmlinux);
  if (!listing) return std::unexpected(listing.error());
  return render(request, *listing, snapshot);
}

Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request) {
  auto snapshot = KernelSnapshot::build(request.census, {.jobs = request.jobs, .lto = request.alias.lto});
  if (!snapshot) return std::unexpected(snapshot.error());
  return alias_vmlinux(request, **snapshot);
}

}  // namespace kas
