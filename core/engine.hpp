// The in-process API: what `kas` runs today and what the daemon will serve.
//
// Each entry point is a pipeline of pure stages (read -> census -> locate ->
// policy -> render) over explicit inputs; nothing is cached between calls
// yet, so the result depends only on the request.
#pragma once

#include <string>
#include <vector>

#include "core/alias/policy.hpp"
#include "core/index/census.hpp"
#include "core/util/result.hpp"

namespace kas {

// Where the census comes from.
struct CensusSources {
  std::string nm_path;                     // vmlinux nm listing (mksysmap output)
  std::vector<std::string> modules_orders; // kbuild modules.order files
  std::vector<std::string> module_dirs;    // directories searched for *.ko
  std::string census_path;                 // a complete census (symbfreq); excludes the above module sources
};

struct VmlinuxRequest {
  CensusSources census;
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
};

struct VmlinuxResult {
  std::string text;  // every input line, each eligible one followed by its alias line
  VmlinuxStats stats;
  std::vector<std::string> unlocated_names;  // for --verbose diagnostics
};

// Errors: whatever a stage reports (file and reason in the message).
[[nodiscard]] Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request);

struct CensusResult {
  Census census;
  size_t modules = 0;
};

// The census of an nm listing plus modules. Errors name the file.
[[nodiscard]] Result<CensusResult> build_census(const CensusSources& sources, unsigned jobs, bool lto);

}  // namespace kas
