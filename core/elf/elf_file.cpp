#include "core/elf/elf_file.hpp"

#include <sys/stat.h>

#include <cstring>
#include <mutex>

#include "core/util/decompress.hpp"
#include "core/util/open_input.hpp"
#include "core/util/request_context.hpp"

namespace kas {

namespace {

void init_libelf() {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
}

}  // namespace

ElfFile::ElfFile(std::string path, Fd fd, Elf* elf)
    : path_(std::move(path)), fd_(std::move(fd)), elf_(elf) {}

ElfFile::ElfFile(ElfFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::move(other.fd_)),
      opened_(std::move(other.opened_)),
      decompressed_(std::move(other.decompressed_)),
      reserved_(std::move(other.reserved_)),
      elf_(std::exchange(other.elf_, nullptr)),
      ehdr_(other.ehdr_),
      shnum_(other.shnum_),
      shstrndx_(other.shstrndx_) {}

ElfFile& ElfFile::operator=(ElfFile&& other) noexcept {
  if (this != &other) {
    if (elf_ != nullptr) elf_end(elf_);
    path_ = std::move(other.path_);
    fd_ = std::move(other.fd_);
    opened_ = std::move(other.opened_);
    decompressed_ = std::move(other.decompressed_);
    reserved_ = std::move(other.reserved_);
    elf_ = std::exchange(other.elf_, nullptr);
    ehdr_ = other.ehdr_;
    shnum_ = other.shnum_;
    shstrndx_ = other.shstrndx_;
  }
  return *this;
}

ElfFile::~ElfFile() {
  if (elf_ != nullptr) elf_end(elf_);
}

Result<ElfFile> ElfFile::open(const std::string& path) {
  init_libelf();
  auto opened = open_regular_input(path);
  if (!opened) return std::unexpected(opened.error());
  Fd fd = std::move(opened->fd);
  const struct stat st = opened->st;
  // A file truncated while libelf reads its headers reads as zeros (see
  // core/util/bus_fault): "not an ELF file" would then be the wrong reason.
  const int raw_fd = fd.get();
  auto refuse = [&](ErrorCode code, std::string message) {
    if (auto same = check_unchanged(raw_fd, stamp_of(st), path); !same) return std::unexpected(same.error());
    return std::unexpected(Error{code, std::move(message)});
  };
  Elf* elf = elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr);
  if (elf == nullptr) {
    return refuse(ErrorCode::kBadElf, path + ": cannot read ELF: " + elf_errmsg(-1));
  }
  // Not ELF: maybe a compressed module. libelf has mapped the file already,
  // so its bytes are decompressed from there, and a plain ELF file costs
  // nothing more than before.
  std::unique_ptr<std::string> decompressed;
  MemoryReservation reserved = reservation_for_request();
  if (elf_kind(elf) != ELF_K_ELF) {
    size_t size = 0;
    const char* raw = elf_rawfile(elf, &size);
    const Compression compression = raw != nullptr ? compression_of({raw, size}) : Compression::kNone;
    if (compression != Compression::kNone) {
      // Ended however decompress returns: Cancelled may unwind through it.
      std::unique_ptr<Elf, decltype(&elf_end)> compressed(std::exchange(elf, nullptr), elf_end);
      auto plain = decompress({raw, size}, compression, path, size_t{1} << 31, &reserved);
      compressed.reset();
      if (!plain) return refuse(plain.error().code, plain.error().message);
      decompressed = std::make_unique<std::string>(std::move(*plain));
      elf = elf_memory(decompressed->data(), decompressed->size());
      if (elf == nullptr) {
        return refuse(ErrorCode::kBadElf, path + ": cannot read ELF (" + std::string(compression_name(compression)) +
                                            "-compressed): " + elf_errmsg(-1));
      }
    }
  }
  ElfFile file(path, std::move(fd), elf);
  file.opened_ = stamp_of(st);
  file.decompressed_ = std::move(decompressed);
  file.reserved_ = std::move(reserved);
  if (elf_kind(elf) != ELF_K_ELF) {
    return refuse(ErrorCode::kBadElf, path + ": not an ELF file");
  }
  if (gelf_getehdr(elf, &file.ehdr_) == nullptr) {
    return refuse(ErrorCode::kBadElf, file.describe_error("bad ELF header"));
  }
  if (elf_getshdrnum(elf, &file.shnum_) != 0 || elf_getshdrstrndx(elf, &file.shstrndx_) != 0) {
    return refuse(ErrorCode::kBadElf, file.describe_error("bad section header table"));
  }
  return file;
}

std::span<const unsigned char> ElfFile::image() const {
  size_t size = 0;
  const char* raw = elf_rawfile(elf_, &size);
  if (raw == nullptr) return {};
  return {reinterpret_cast<const unsigned char*>(raw), size};
}

bool ElfFile::section_header(size_t index, GElf_Shdr& out) const {
  if (index >= shnum_) return false;
  Elf_Scn* scn = elf_getscn(elf_, index);
  return scn != nullptr && gelf_getshdr(scn, &out) != nullptr;
}

std::string_view ElfFile::section_name(size_t index) const {
  GElf_Shdr shdr;
  if (!section_header(index, shdr)) return {};
  const char* name = elf_strptr(elf_, shstrndx_, shdr.sh_name);
  return name == nullptr ? std::string_view{} : std::string_view(name);
}

bool ElfFile::has_debug_info() const {
  for (size_t i = 1; i < shnum_; ++i) {
    std::string_view name = section_name(i);
    if (name == ".debug_info" || name == ".zdebug_info") return true;
  }
  return false;
}

std::string ElfFile::describe_error(std::string_view what) const {
  std::string msg = path_;
  msg += ": ";
  msg += what;
  const char* reason = elf_errmsg(-1);
  if (reason != nullptr) {
    msg += ": ";
    msg += reason;
  }
  return msg;
}

}  // namespace kas
