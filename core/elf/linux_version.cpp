#include "core/elf/linux_version.hpp"

#include <gelf.h>

#include <algorithm>
#include <charconv>
#include <span>

namespace kas {

namespace {

// A decimal number at the start of `text`, which it then skips.
std::optional<int> take_number(std::string_view& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return value;
}

}  // namespace

std::optional<LinuxVersion> parse_linux_banner(std::string_view banner) {
  constexpr std::string_view kPrefix = "Linux version ";
  if (!banner.starts_with(kPrefix)) return std::nullopt;
  banner.remove_prefix(kPrefix.size());
  LinuxVersion v;
  auto major = take_number(banner);
  if (!major || !banner.starts_with('.')) return std::nullopt;
  banner.remove_prefix(1);
  auto minor = take_number(banner);
  if (!minor) return std::nullopt;
  v.version = *major;
  v.patchlevel = *minor;
  if (banner.starts_with('.')) {
    banner.remove_prefix(1);
    if (auto sub = take_number(banner)) v.sublevel = *sub;
  }
  return v;
}

std::optional<LinuxVersion> read_linux_version(const ElfFile& file, const SymbolTable& symbols) {
  for (const ElfSymbol& sym : symbols.symbols) {
    if (sym.name != "linux_banner") continue;
    GElf_Shdr holder{};
    if (!sym.in_section || !file.section_header(sym.section, holder) || holder.sh_type != SHT_PROGBITS) {
      return std::nullopt;
    }
    // A relocatable vmlinux.o holds section offsets, a linked one addresses.
    const uint64_t offset = file.is_relocatable() ? sym.value : sym.value - holder.sh_addr;
    if (offset >= holder.sh_size) return std::nullopt;
    const std::span<const unsigned char> image = file.image();
    const uint64_t at = holder.sh_offset + offset;
    if (at >= image.size()) return std::nullopt;
    const size_t length = std::min<uint64_t>({holder.sh_size - offset, image.size() - at, 256});
    return parse_linux_banner(std::string_view(reinterpret_cast<const char*>(image.data() + at), length));
  }
  return std::nullopt;
}

}  // namespace kas
