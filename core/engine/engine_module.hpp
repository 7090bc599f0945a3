// kas module, in two steps with the census between them: open the module
// object (ModuleObject), then decide its aliases against the part of a
// census its names need (decide_module). Whoever holds the census (a
// snapshot built for the request, or the daemon's) fetches it between the
// two, so the engine never calls back up for it. Nothing here writes: the
// answer says which alias goes beside which symbol, and
// service/module_output writes the object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/index/module_census.hpp"
#include "core/alias/policy.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/kernel_files.hpp"
#include "core/util/file_stamp.hpp"
#include "core/util/result.hpp"

namespace kas {

struct ModuleRequest {
  std::string input;   // the module object (X.o before the final link, or a .ko)
  KernelFiles census;  // the census sources (an installed kernel's already found); the module itself is added
  std::string srctree;  // "" = infer from the module's DWARF
  AliasOptions alias;
  unsigned jobs = 1;
};

struct ModuleAlias {
  std::string symbol;
  std::string alias;
  std::string section;
  uint64_t value = 0;
  char nm_type = '?';
  uint32_t symbol_index = 0;  // the symbol's index in the input's .symtab
  bool exists = false;        // the input already defines the alias (a re-run on its own output)
};

struct ModuleResult {
  // The input the aliases were decided for (dev, inode, size, mtime): the
  // writer refuses to add them to another file.
  FileStamp input;
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
};

// A module object opened for kas module, its symbol table read.
class ModuleObject {
 public:
  // Errors name the file: unreadable, not ELF, not ET_REL, compressed (kas
  // module writes plain ELF: an installed module compressed by
  // modules_install is read for a census, never rewritten).
  [[nodiscard]] static Result<ModuleObject> open(const std::string& path);

  [[nodiscard]] const ElfFile& file() const { return file_; }
  [[nodiscard]] const SymbolTable& table() const { return table_; }
  // The module's name (module_name_from_path): the census sources of the
  // same name are the files this object replaces.
  [[nodiscard]] const std::string& name() const { return name_; }
  // The names it adds to a census under `lto`.
  [[nodiscard]] NameSet census_keys(Lto lto) const;

 private:
  ModuleObject(ElfFile file, SymbolTable table, std::string name)
      : file_(std::move(file)), table_(std::move(table)), name_(std::move(name)) {}
  ElfFile file_;
  SymbolTable table_;
  std::string name_;
};

// The module's aliases against `counted`, the counts of its names
// (census_keys under counted.lto) from everyone else. DWARF is read only
// when some symbol needs an alias and `counted` did not locate it.
// Errors name the file; a file rewritten meanwhile is the reason reported.
[[nodiscard]] Result<ModuleResult> decide_module(const ModuleRequest& request, const ModuleObject& object,
                                                 const RestrictedCensus& counted);

// Over a snapshot of the request's census sources built for it, holding
// only the module's names.
[[nodiscard]] Result<ModuleResult> alias_module(const ModuleRequest& request);

}  // namespace kas
