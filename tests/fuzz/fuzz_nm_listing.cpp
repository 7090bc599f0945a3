// The nm listing parser (scripts/mksysmap output, System.map, `nm` text).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/elf/nm_listing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto lines = kas::parse_nm_listing(text, "fuzz.syms");
  if (lines) {
    // Every line views the input.
    for (const kas::NmLine& line : *lines) {
      if (line.text.data() < text.data() || line.text.data() + line.text.size() > text.data() + text.size()) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
