// The alias commands: what `kas vmlinux / module / census` run, in process
// or in the daemon. Each is a pipeline (read -> census -> decide -> render)
// over a kernel snapshot: in process one built for the request, in the
// daemon the one it keeps for the tree; the decisions are core/alias's.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/alias/policy.hpp"
#include "core/census/census.hpp"
#include "core/index/kernel_files.hpp"
#include "core/index/kernel_snapshot.hpp"
#include "core/index/module_census.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/result.hpp"

namespace kas {

struct VmlinuxRequest {
  KernelFiles census;    // the files the census is counted over; vmlinux is the nm listing aliased
  std::string elf_path;  // vmlinux with DWARF
  std::string srctree;   // "" = infer from DWARF
  AliasOptions alias;
  unsigned jobs = 1;
};

struct VmlinuxStats {
  size_t input_lines = 0;
  size_t census_names = 0;
  size_t modules = 0;
  size_t eligible = 0;
  size_t aliases = 0;
  size_t unlocated = 0;         // eligible but DWARF had no location
  size_t from_line_table = 0;   // located by line table (assembly)
  size_t disambiguated = 0;     // needed more than NAME@FILE_LINE
  size_t shortened = 0;         // cut to fit KSYM_NAME_LEN
  std::string lto;              // the census's LTO kind and why: "thin (CONFIG_LTO_CLANG_THIN=y in ...)"
};

struct VmlinuxResult {
  std::string text;  // every input line, each eligible one followed by its alias line
  VmlinuxStats stats;
  std::vector<std::string> unlocated_names;  // for --verbose diagnostics
  std::vector<std::string> too_long_names;   // no alias: the name alone is too long for one
};

// Errors: whatever a stage reports (file and reason in the message).
[[nodiscard]] Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request);

struct CensusResult {
  Census census;
  size_t modules = 0;
};

// The census of an nm listing plus modules. Errors name the file.
// With `units`, module source files are counted too (module_unit_keys).
[[nodiscard]] Result<CensusResult> build_census(const KernelFiles& sources, unsigned jobs, Lto lto,
                                                bool units = false);

}  // namespace kas

namespace kas {

struct ModuleRequest {
  std::string input;          // the module object (X.o before the final link, or a .ko)
  std::string output;         // "" = input + ".kas"; ignored with in_place
  bool in_place = false;      // atomically replace the input (finished .ko files)
  KernelFiles census;         // as for vmlinux; the module itself is added
  std::string kernel;         // installed kernel as census source (dir or release; find_kernel_files)
  std::string system_map;     // override for the kernel's System.map
  std::string srctree;        // "" = infer from the module's DWARF
  AliasOptions alias;
  unsigned jobs = 1;
  bool dry_run = false;       // decide the aliases, write nothing (kas lookup)
  // The caller's umask: the output gets the mode open(O_CREAT, 0666) would
  // give the caller (in_place: the input's). kasd's own is not its client's.
  std::optional<mode_t> umask;  // none: this process's
  // The output's directory, held from the request's start (open_module_output)
  // so that nothing is looked up by its path later; none: alias_module opens
  // it before it reads anything.
  std::shared_ptr<const OutputTarget> output_dir;
};

// Where a module request writes: -o, else IN.kas (in_place: IN).
[[nodiscard]] std::string module_output_path(const ModuleRequest& request);
// The request's output directory, opened now (nullptr for a dry run: nothing
// is written). A directory that cannot be opened is reported when the
// output is written (OutputTarget::open).
[[nodiscard]] std::shared_ptr<const OutputTarget> open_module_output(const ModuleRequest& request);

struct ModuleAlias {
  std::string symbol;
  std::string alias;
  std::string section;
  uint64_t value = 0;
  char nm_type = '?';
};

struct ModuleResult {
  std::string output_path;
  std::vector<ModuleAlias> aliases;
  // Names that were unique before this module was counted and are duplicated
  // now: other objects defining them need a rebuild to get their alias.
  std::vector<std::string> newly_duplicated;
  std::vector<std::string> unlocated;  // eligible but without a DWARF location
  std::vector<std::string> too_long;   // eligible, no alias: the name alone is too long for one
  size_t symbols = 0;
  size_t eligible = 0;
  size_t census_modules = 0;
  bool census_included_module = false;
  bool rewritten = false;  // false: output is a plain copy (nothing to add)
};

// Writes the module with its aliases added (see object_rewriter.hpp).
// Errors name the file: not ET_REL, no debug info while aliases are needed,
// census sources, unwritable output (nothing is left behind then).
[[nodiscard]] Result<ModuleResult> alias_module(const ModuleRequest& request);

// A module's census keys under each LTO kind: which applies is known only
// once the kernel's files are read (lto_detect.hpp).
struct ModuleKeys {
  NameSet none, thin, full;
  [[nodiscard]] const NameSet& under(Lto lto) const {
    return lto == Lto::kFull ? full : lto == Lto::kThin ? thin : none;
  }
  [[nodiscard]] NameSet any() const;  // the union
};

// The census a module request needs: counts of its keys (under the kernel's
// LTO kind) over the request's sources without modules named `skip_module`
// (KernelSnapshot::restricted). The in-process engine builds a snapshot of
// those names; the daemon answers from the snapshot it keeps.
using ModuleCensusProvider =
    std::function<Result<RestrictedCensus>(const ModuleKeys& keys, const std::string& skip_module)>;
[[nodiscard]] Result<ModuleResult> alias_module(const ModuleRequest& request, const ModuleCensusProvider& census);

// The sources a module request counts over (its own plus --kernel's).
// Error kInvalidArgument: --census with --kernel or --nm (a census file is
// complete: vmlinux was counted into it).
[[nodiscard]] Result<KernelFiles> module_census_sources(const ModuleRequest& request);

// alias_vmlinux over a snapshot of the request's census sources (the
// daemon's); the request's census sources are then not read.
[[nodiscard]] Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request, const KernelSnapshot& snapshot);

// The census of a snapshot as `kas census` prints it.
[[nodiscard]] CensusResult census_of(const KernelSnapshot& snapshot, bool units);

}  // namespace kas
