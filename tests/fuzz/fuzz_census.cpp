// The census parser (name:count lines, modules.symbfreq), whole and
// restricted to a few names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/census/census.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kas::Census units;
  auto census = kas::Census::from_symbfreq(text, "fuzz.symbfreq", units);
  if (census) {
    // Written out and read back, the census is the same.
    kas::Census units_again;
    auto again = kas::Census::from_symbfreq(census->to_symbfreq(), "again", units_again);
    if (!again || again->size() != census->size()) __builtin_trap();
  }
  return 0;
}
