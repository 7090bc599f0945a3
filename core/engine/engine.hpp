// The alias commands: what `kas vmlinux / census` run (engine_module.hpp has
// kas module), in process or in the daemon. Each is a pipeline (read ->
// census -> decide -> render) over a kernel snapshot: in process one built
// for the request, in the daemon the one it keeps for the tree; the
// decisions are core/alias's. Nothing here writes a file: the caller writes
// what an answer holds (service/README: one side writes every output).
#pragma once

#include <string>
#include <vector>

#include "core/alias/policy.hpp"
#include "core/alias/vmlinux_aliases.hpp"
#include "core/index/kernel_files.hpp"
#include "core/index/kernel_snapshot.hpp"
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
  AliasCounts counts;
  std::string lto;              // the census's LTO kind and why: "thin (CONFIG_LTO_CLANG_THIN=y in ...)"
};

struct VmlinuxResult {
  std::string text;  // every input line, each eligible one followed by its alias line
  VmlinuxStats stats;
  std::vector<std::string> unlocated_names;  // for --verbose diagnostics
  std::vector<std::string> too_long_names;   // no alias: the name alone is too long for one
};

// Over a snapshot built for this request. Errors: whatever a stage reports
// (file and reason in the message).
[[nodiscard]] Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request);

// alias_vmlinux over a snapshot of the request's census sources (the
// daemon's); the request's census sources are then not read.
[[nodiscard]] Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request, const KernelSnapshot& snapshot);

// kas census: how often each name is defined over a kernel's files.
struct CensusRequest {
  KernelFiles sources;  // an nm listing or ELF vmlinux and modules; never a census file
  Lto lto = Lto::kDetect;
  bool units = false;   // also count module source files (module_unit_keys)
  unsigned jobs = 1;
};

struct CensusResult {
  std::string symbfreq;  // the census as kas census prints it (Census::to_symbfreq)
  size_t modules = 0;
};

// Over a snapshot built for this request. Errors name the file;
// kInvalidArgument for a census file among the sources (a census is counted,
// not read).
[[nodiscard]] Result<CensusResult> build_census(const CensusRequest& request);
// The census of a snapshot of the request's sources (the daemon's).
[[nodiscard]] CensusResult census_of(const CensusRequest& request, const KernelSnapshot& snapshot);
// kInvalidArgument when `sources` holds a census file.
[[nodiscard]] Result<void> check_countable(const KernelFiles& sources);

}  // namespace kas

