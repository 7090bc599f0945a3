#include "core/index/binary_record.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/elf/build_id.hpp"
#include "core/elf/elf_file.hpp"
#include "core/index/census_count.hpp"

namespace kas {

Result<std::shared_ptr<const BinaryRecord>> BinaryRecord::read(const std::string& path, std::string name) {
  auto file = ElfFile::open(path);
  if (!file) return std::unexpected(file.error());
  // The stamp of the file read, not of whatever is at `path` after reading
  // (a rebuild may replace it meanwhile).
  struct stat st {};
  if (::fstat(file->fd(), &st) != 0) return fail(ErrorCode::kIo, path + ": cannot stat: " + std::strerror(errno));
  auto table = read_symbols(*file);
  if (!table) return std::unexpected(table.error());
  std::shared_ptr<BinaryRecord> record(new BinaryRecord());
  record->path_ = path;
  record->name_ = std::move(name);
  record->stamp_ = stamp_of(st);
  record->stamp_.build_id = build_id_of(*file);
  record->relocatable_ = file->is_relocatable();
  record->sections_.reserve(file->section_count());
  for (size_t i = 0; i < file->section_count(); ++i) record->sections_.emplace_back(file->section_name(i));
  if (record->relocatable_) {
    std::vector<SectionShape> shapes(file->section_count());
    for (size_t i = 0; i < shapes.size(); ++i) {
      GElf_Shdr shdr{};
      if (!file->section_header(i, shdr)) continue;
      shapes[i] = {record->sections_[i], shdr.sh_flags, shdr.sh_size, shdr.sh_addralign};
    }
    record->text_layout_ = ModuleTextLayout::of(shapes);
  }
  record->units_ = module_unit_keys(*table);

  // The names move out of the file's mapping into one buffer of the record.
  size_t chars = 0;
  for (const ElfSymbol& sym : table->symbols) chars += sym.name.size();
  record->strings_.reserve(chars);
  std::vector<size_t> offsets;
  offsets.reserve(table->symbols.size());
  for (const ElfSymbol& sym : table->symbols) {
    offsets.push_back(record->strings_.size());
    record->strings_.append(sym.name);
  }
  record->table_ = std::move(*table);
  for (size_t i = 0; i < record->table_.symbols.size(); ++i) {
    ElfSymbol& sym = record->table_.symbols[i];
    sym.name = std::string_view(record->strings_).substr(offsets[i], sym.name.size());
  }
  // Copied out of the mapping: good only if the file held still meanwhile.
  if (auto same = file->unchanged(); !same) return std::unexpected(same.error());
  record->bytes_ = sizeof(BinaryRecord) + record->strings_.capacity() +
                   record->table_.symbols.capacity() * sizeof(ElfSymbol) + record->sections_.size() * 48 +
                   record->units_.size() * 48;
  return std::shared_ptr<const BinaryRecord>(std::move(record));
}

bool BinaryRecord::has_located() const { return located_done_; }

std::shared_ptr<const PlacedSymbols> BinaryRecord::located_so_far() const {
  std::lock_guard lock(located_mutex_);
  return located_;
}

std::shared_ptr<const PlacedSymbols> BinaryRecord::located(const Census& census, Lto lto,
                                                           const CandidateSelector& select) const {
  std::lock_guard lock(located_mutex_);
  if (located_done_) return located_;
  located_ = locate_candidates(census, lto, select);
  located_done_ = true;
  return located_;
}

std::shared_ptr<const PlacedSymbols> BinaryRecord::locate_candidates(const Census& census, Lto lto,
                                                                     const CandidateSelector& select) const {
  const std::vector<const ElfSymbol*> eligible = select(*this, census, lto);
  if (eligible.empty()) return std::make_shared<const PlacedSymbols>(std::vector<SymbolPlace>{});
  auto file = ElfFile::open(path_);
  if (!file || !current()) return nullptr;  // replaced since read: the caller locates in its own copy
  auto places = locate_object_symbols(*file, eligible, /*srctree=*/"");
  if (!places) return nullptr;
  return std::make_shared<const PlacedSymbols>(std::move(*places));
}

}  // namespace kas
