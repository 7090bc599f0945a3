#include "service/module_output.hpp"

#include <sys/stat.h>

#include <cctype>

#include "core/elf/elf_file.hpp"
#include "core/output/object_rewriter.hpp"
#include "core/util/file.hpp"

namespace kas::service {

ModuleOutput ModuleOutput::open(const std::string& input, const std::string& output, bool in_place) {
  const std::string path = in_place ? input : output.empty() ? input + ".kas" : output;
  return {input, in_place, std::make_shared<const OutputTarget>(OutputTarget::open(path))};
}

Result<std::vector<ModuleAlias>> ModuleOutput::write(const ModuleResult& answer) const {
  std::vector<ModuleAlias> added;
  std::vector<NewSymbol> symbols;
  for (const ModuleAlias& a : answer.aliases) {
    if (a.exists) continue;  // a re-run on its own output
    added.push_back(a);
    const bool global = std::isupper(static_cast<unsigned char>(a.nm_type)) != 0;
    symbols.push_back({a.alias, a.symbol_index, global});
  }
  if (symbols.empty() && in_place_) return added;  // nothing to write

  auto file = ElfFile::open(input_);
  if (!file) return std::unexpected(file.error());
  // The aliases name symbols by index: of the file they were decided for.
  if (auto same = check_unchanged(file->fd(), answer.input, input_); !same) return std::unexpected(same.error());
  auto out = AtomicFile::create(*target_, current_umask());
  if (!out) return std::unexpected(out.error());
  struct stat st {};
  if (in_place_ && ::fstat(file->fd(), &st) == 0) out->set_mode(st.st_mode & 07777);
  if (symbols.empty()) {
    if (auto r = copy_file_contents(file->fd(), file->image(), out->fd(), out->temp_path()); !r) {
      return std::unexpected(r.error());
    }
  } else if (auto r = write_object_with_symbols(*file, symbols, out->fd(), path()); !r) {
    return std::unexpected(r.error());
  }
  // Never a module made of two versions of its input (or of the zeros a
  // truncated mapping reads as: core/util/bus_fault).
  if (auto same = file->unchanged(); !same) return std::unexpected(same.error());
  if (auto r = out->commit(); !r) return std::unexpected(r.error());
  return added;
}

}  // namespace kas::service
