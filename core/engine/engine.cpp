// The vmlinux and census entry points of the engine (engine_module.cpp has
// the module one): snapshot -> census -> decide (core/alias) -> render.
#include "core/engine/engine.hpp"

#include "core/alias/vmlinux_aliases.hpp"
#include "core/elf/vmlinux_listing.hpp"

namespace kas {

CensusResult census_of(const KernelSnapshot& snapshot, bool units) {
  return {units ? snapshot.census_with_units() : snapshot.census(), snapshot.module_count()};
}

Result<CensusResult> build_census(const KernelFiles& sources, unsigned jobs, Lto lto, bool units) {
  if (!sources.census_path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a census is built from --nm and modules, not read from --census");
  }
  auto snapshot = KernelSnapshot::build(sources, {.jobs = jobs, .lto = lto});
  if (!snapshot) return std::unexpected(snapshot.error());
  return census_of(**snapshot, units);
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
  s.eligible = decided->eligible;
  s.aliases = decided->aliases;
  s.unlocated = decided->unlocated;
  s.from_line_table = decided->from_line_table;
  s.disambiguated = decided->disambiguated;
  s.shortened = decided->shortened;
  result.unlocated_names = std::move(decided->unlocated_names);
  result.too_long_names = std::move(decided->too_long_names);

  std::string& out = result.text;
  out.reserve(listing.data().size() + s.aliases * 80);
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
