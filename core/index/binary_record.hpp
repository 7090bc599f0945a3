// One binary of a kernel (vmlinux or a module) as read once: its symbols,
// section names, source files and stamp. Everything the census, the alias
// decisions and the lookup index need from its symbol table comes from
// here, so a file is opened and its .symtab parsed once per version. Its
// duplicated symbols' DWARF locations are added the first time someone
// needs them, and kept.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/census/census.hpp"
#include "core/census/lto.hpp"
#include "core/dwarf/symbol_locations.hpp"
#include "core/elf/module_text_layout.hpp"
#include "core/elf/symtab.hpp"
#include "core/util/file_stamp.hpp"
#include "core/util/result.hpp"

namespace kas {

class BinaryRecord {
 public:
  // Reads `path` (`name`: "vmlinux" or its module name). Errors: the file's
  // (cannot open, not ELF, no .symtab), naming it.
  [[nodiscard]] static Result<std::shared_ptr<const BinaryRecord>> read(const std::string& path, std::string name);

  BinaryRecord(const BinaryRecord&) = delete;
  BinaryRecord& operator=(const BinaryRecord&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const FileStamp& stamp() const { return stamp_; }
  [[nodiscard]] bool relocatable() const { return relocatable_; }
  // Names view into this record: valid while it lives.
  [[nodiscard]] const SymbolTable& table() const { return table_; }
  [[nodiscard]] std::string_view section_name(uint32_t index) const {
    return index < sections_.size() ? std::string_view(sections_[index]) : std::string_view();
  }
  [[nodiscard]] const std::vector<std::string>& sections() const { return sections_; }
  // A module's text as the loader lays it out (empty for vmlinux): what an
  // oops frame's kallsyms size is measured in.
  [[nodiscard]] const ModuleTextLayout& text_layout() const { return text_layout_; }
  // Its source files' census keys (module_unit_keys).
  [[nodiscard]] const std::vector<std::string>& units() const { return units_; }
  // False when the file on disk is no longer the one read (stat only).
  [[nodiscard]] bool current() const { return stamp_of(path_).same_stat(stamp_); }
  [[nodiscard]] size_t approximate_bytes() const { return bytes_; }

  // Which of a module's symbols to locate, given the census (counted under
  // `lto`): the alias rules' candidates (alias/module_aliases.hpp:
  // alias_candidates), given by the caller, as the rules are above the index.
  using CandidateSelector =
      std::function<std::vector<const ElfSymbol*>(const BinaryRecord& record, const Census& census, Lto lto)>;
  // A module's symbols that `select` picks over `census`, located in its
  // DWARF (inferred source tree). Computed by the first caller and kept: a
  // later census that makes more names duplicated finds them missing
  // (PlacedSymbols::find), and the caller locates those itself. Null when
  // the DWARF cannot be read (a request then reports why). Thread-safe.
  [[nodiscard]] std::shared_ptr<const PlacedSymbols> located(const Census& census, Lto lto,
                                                             const CandidateSelector& select) const;
  // Whether located() has run (without running it).
  [[nodiscard]] bool has_located() const;
  // What located() kept; null when it has not run (or could not locate).
  [[nodiscard]] std::shared_ptr<const PlacedSymbols> located_so_far() const;

 private:
  BinaryRecord() = default;
  [[nodiscard]] std::shared_ptr<const PlacedSymbols> locate_candidates(const Census& census, Lto lto,
                                                                       const CandidateSelector& select) const;

  std::string path_;
  std::string name_;
  FileStamp stamp_;
  bool relocatable_ = false;
  std::string strings_;  // every symbol name, back to back
  SymbolTable table_;    // names view into strings_
  std::vector<std::string> sections_;
  ModuleTextLayout text_layout_;
  std::vector<std::string> units_;
  size_t bytes_ = 0;
  mutable std::mutex located_mutex_;
  mutable std::atomic<bool> located_done_{false};  // set once located_ is final
  mutable std::shared_ptr<const PlacedSymbols> located_;
};

}  // namespace kas
