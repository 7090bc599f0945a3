// An open ELF file: the fd and libelf's Elf* handle, released together.
//
// libelf maps the file (ELF_C_READ_MMAP) and converts only the sections that
// are asked for, so opening a 600 MB vmlinux or a module with 100 MB of DWARF
// touches the headers and nothing else until a section's data is requested.
// A compressed module (X.ko.xz, .zst, .gz: see core/util/decompress) is
// decompressed into memory once and read from there.
#pragma once

#include <gelf.h>
#include <libelf.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/util/fd.hpp"
#include "core/util/file_stamp.hpp"
#include "core/util/memory_budget.hpp"
#include "core/util/result.hpp"

namespace kas {

class ElfFile {
 public:
  // Opens `path` read-only. Errors: those of open_regular_input (kNotFound,
  // kExhausted, kIo: cannot open, not a regular file), kBadElf (not an ELF
  // file, truncated headers, unreadable section table).
  [[nodiscard]] static Result<ElfFile> open(const std::string& path);

  ElfFile(ElfFile&& other) noexcept;
  ElfFile& operator=(ElfFile&& other) noexcept;
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;
  ~ElfFile();

  [[nodiscard]] Elf* elf() const { return elf_; }
  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const GElf_Ehdr& header() const { return ehdr_; }
  [[nodiscard]] bool is_relocatable() const { return ehdr_.e_type == ET_REL; }
  [[nodiscard]] size_t section_count() const { return shnum_; }

  // Section header `index`, or nullopt-like false when out of range.
  [[nodiscard]] bool section_header(size_t index, GElf_Shdr& out) const;
  // Name of section `index` ("" when it has none or is out of range).
  [[nodiscard]] std::string_view section_name(size_t index) const;
  // The whole file as mapped (empty if libelf cannot give it).
  [[nodiscard]] std::span<const unsigned char> image() const;
  // True when the file itself is compressed (xz, gzip, zstd): image() is
  // then the decompressed content, and fd() holds the compressed bytes.
  [[nodiscard]] bool compressed() const { return decompressed_ != nullptr; }
  // True when the file has a .debug_info section (compressed or not).
  [[nodiscard]] bool has_debug_info() const;

  // Fails when the file was rewritten or truncated since it was opened:
  // anything read from it may then be wrong, so check before using results.
  [[nodiscard]] Result<void> unchanged() const { return check_unchanged(fd_.get(), opened_, path_); }
  [[nodiscard]] const FileStamp& stamp() const { return opened_; }

  // "path: what: libelf's reason", for Error messages.
  [[nodiscard]] std::string describe_error(std::string_view what) const;

 private:
  ElfFile(std::string path, Fd fd, Elf* elf);

  std::string path_;
  Fd fd_;
  FileStamp opened_;
  std::unique_ptr<std::string> decompressed_;  // what elf_ reads, for a compressed file
  MemoryReservation reserved_;                 // decompressed_'s bytes, in the request's budget
  Elf* elf_ = nullptr;
  GElf_Ehdr ehdr_{};
  size_t shnum_ = 0;
  size_t shstrndx_ = 0;
};

}  // namespace kas
