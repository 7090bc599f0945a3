#include "core/elf/linked_address_map.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/elf/nm_type.hpp"

namespace kas {

Result<LinkedAddressMap> LinkedAddressMap::build(const ElfFile& object, const SymbolTable& symbols,
                                                 std::span<const NmLine> linked) {
  // Names defined once in the listing, with their address.
  std::unordered_map<std::string_view, std::pair<uint64_t, uint32_t>> in_link;  // name -> (address, count)
  for (const NmLine& line : linked) {
    if (line.address.empty()) continue;
    auto [it, added] = in_link.try_emplace(line.name, line.value, 0);
    ++it->second.second;
  }
  std::unordered_map<std::string_view, uint32_t> in_object;
  for (const ElfSymbol& sym : symbols.symbols) {
    if (sym.in_section && !sym.name.empty()) ++in_object[sym.name];
  }

  // Anchors per section, by offset.
  AnchorMap anchors;
  for (const ElfSymbol& sym : symbols.symbols) {
    if (!sym.in_section || sym.name.empty() || in_object[sym.name] != 1) continue;
    auto it = in_link.find(sym.name);
    if (it == in_link.end() || it->second.second != 1) continue;
    anchors[sym.section].emplace_back(sym.value, it->second.first);
  }
  if (anchors.empty()) {
    return fail(ErrorCode::kBadInput, object.path() +
                                          ": no uniquely named symbol in common with the listing; is the listing "
                                          "from a link of this object?");
  }

  LinkedAddressMap map;
  for (auto& [section, points] : anchors) {
    GElf_Shdr shdr;
    if (!object.section_header(section, shdr)) continue;
    std::sort(points.begin(), points.end());
    auto delta = [](const std::pair<uint64_t, uint64_t>& p) { return p.second - p.first; };
    // Runs of anchors that moved together.
    size_t first = 0;
    bool whole = true;
    while (first < points.size()) {
      size_t last = first;
      while (last + 1 < points.size() && delta(points[last + 1]) == delta(points[first])) ++last;
      const bool first_run = first == 0;
      const bool last_run = last + 1 == points.size();
      whole = whole && first_run && last_run;
      // The section's ends belong to the runs at its ends; between runs
      // that disagree nothing is known.
      uint64_t lo = first_run ? 0 : points[first].first;
      uint64_t hi = last_run ? std::max<uint64_t>(shdr.sh_size, points[last].first + 1) : points[last].first + 1;
      map.pieces_.push_back({lo + delta(points[first]), hi + delta(points[first]), lo, section});
      first = last + 1;
    }
    if (whole) ++map.whole_;
  }
  std::sort(map.pieces_.begin(), map.pieces_.end(), [](const Piece& a, const Piece& b) { return a.start < b.start; });
  map.place_by_shape(object, symbols, linked, anchors);
  std::sort(map.pieces_.begin(), map.pieces_.end(), [](const Piece& a, const Piece& b) { return a.start < b.start; });
  return map;
}

void LinkedAddressMap::place_by_shape(const ElfFile& object, const SymbolTable& symbols,
                                      std::span<const NmLine> linked, const AnchorMap& anchors) {
  // Sections without an anchor, with their named functions and objects.
  struct Named {
    uint64_t offset;
    std::string_view name;
    bool text;
    bool operator<(const Named& o) const { return offset < o.offset; }
  };
  std::map<uint32_t, std::vector<Named>> unanchored;
  for (const ElfSymbol& sym : symbols.symbols) {
    if (!sym.in_section || sym.name.empty() || anchors.count(sym.section) != 0) continue;
    if (sym.type != STT_FUNC && sym.type != STT_OBJECT) continue;
    unanchored[sym.section].push_back({sym.value, sym.name, nm_is_text(sym.nm_type)});
  }
  if (unanchored.empty()) return;
  // Where the listing holds each name (text and data apart), but not where
  // an anchored section already explains the address.
  std::unordered_map<std::string_view, std::vector<std::pair<uint64_t, bool>>> addresses;  // name -> (address, text)
  for (const NmLine& line : linked) {
    if (!line.address.empty() && !to_object(line.value)) {
      addresses[line.name].emplace_back(line.value, nm_is_text(line.type));
    }
  }
  auto linked_at = [&](const Named& s, uint64_t address) {
    auto it = addresses.find(s.name);
    return it != addresses.end() &&
           std::find(it->second.begin(), it->second.end(), std::pair(address, s.text)) != it->second.end();
  };
  for (auto& [section, syms] : unanchored) {
    std::sort(syms.begin(), syms.end());
    auto first = addresses.find(syms.front().name);
    if (first == addresses.end()) continue;
    std::optional<uint64_t> base;
    bool ambiguous = false;
    for (const auto& [a, text] : first->second) {
      const uint64_t b = a - syms.front().offset;
      if (!std::all_of(syms.begin(), syms.end(), [&](const Named& s) { return linked_at(s, b + s.offset); })) {
        continue;
      }
      ambiguous = base.has_value();
      base = b;
      if (ambiguous) break;
    }
    GElf_Shdr shdr;
    if (!base || ambiguous || !object.section_header(section, shdr)) continue;
    pieces_.push_back({*base, *base + shdr.sh_size, 0, section});
    ++whole_;
  }
}

std::optional<ObjectPlace> LinkedAddressMap::to_object(uint64_t linked_address) const {
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), linked_address,
                             [](uint64_t a, const Piece& p) { return a < p.start; });
  // Pieces may be empty or abut: look back past any that end before.
  while (it != pieces_.begin()) {
    --it;
    if (linked_address < it->end) return ObjectPlace{it->section, it->offset + (linked_address - it->start)};
    if (it->end > it->start) break;
  }
  return std::nullopt;
}

}  // namespace kas
