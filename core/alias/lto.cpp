#include "core/alias/lto.hpp"

#include <array>

#include "core/util/text.hpp"

namespace kas {

std::string_view strip_lto_suffix(std::string_view name) {
  static constexpr std::array<std::string_view, 2> kMarkers = {".llvm.", ".lto_priv."};
  // A name can carry the suffix twice after repeated promotion; strip all.
  for (bool changed = true; changed;) {
    changed = false;
    for (std::string_view marker : kMarkers) {
      size_t pos = name.rfind(marker);
      if (pos != std::string_view::npos && pos > 0 && text::all_digits(name.substr(pos + marker.size()))) {
        name = name.substr(0, pos);
        changed = true;
      }
    }
  }
  return name;
}

}  // namespace kas
