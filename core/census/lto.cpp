#include "core/census/lto.hpp"

#include <array>

#include "core/util/text.hpp"

namespace kas {

namespace {

// Strips ".MARKER.<digits>" endings; a name can carry them twice after
// repeated promotion.
std::string_view strip_marked(std::string_view name) {
  static constexpr std::array<std::string_view, 2> kMarkers = {".llvm.", ".lto_priv."};
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

// Compiler clone markers whose number is part of the name: "foo.part.0" is
// another function than "foo", whoever built it.
bool is_clone_marker(std::string_view component) {
  static constexpr std::array<std::string_view, 6> kClones = {"constprop", "isra", "part", "cold", "specialized",
                                                              "clone"};
  for (std::string_view c : kClones) {
    if (component == c) return true;
  }
  return false;
}

}  // namespace

std::string_view strip_lto_suffix(std::string_view name, Lto lto) {
  if (lto == Lto::kNone || lto == Lto::kDetect) return name;
  name = strip_marked(name);
  if (lto != Lto::kFull) return name;
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || !text::all_digits(name.substr(dot + 1))) return name;
  std::string_view rest = name.substr(0, dot);
  size_t prev = rest.rfind('.');
  if (prev != std::string_view::npos && is_clone_marker(rest.substr(prev + 1))) return name;
  return rest;
}

std::string_view lto_spelling(Lto lto) {
  switch (lto) {
    case Lto::kDetect: return "detect";
    case Lto::kNone: return "none";
    case Lto::kThin: return "thin";
    case Lto::kFull: return "full";
  }
  return "detect";
}

std::optional<Lto> parse_lto(std::string_view text) {
  for (Lto lto : {Lto::kDetect, Lto::kNone, Lto::kThin, Lto::kFull}) {
    if (text == lto_spelling(lto)) return lto;
  }
  return std::nullopt;
}

}  // namespace kas
