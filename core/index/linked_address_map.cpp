#include "core/index/linked_address_map.hpp"

#include <algorithm>
#include <unordered_map>

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

  std::unordered_map<uint32_t, uint64_t> base;  // section -> linked start
  for (const ElfSymbol& sym : symbols.symbols) {
    if (!sym.in_section || sym.name.empty() || in_object[sym.name] != 1) continue;
    auto it = in_link.find(sym.name);
    if (it == in_link.end() || it->second.second != 1) continue;
    uint64_t start = it->second.first - sym.value;
    auto [b, added] = base.try_emplace(sym.section, start);
    if (!added && b->second != start) {
      return fail(ErrorCode::kBadInput,
                  object.path() + ": section " + std::string(object.section_name(sym.section)) +
                      " is not where the listing's symbols put it ('" + std::string(sym.name) +
                      "' disagrees); is the listing from a link of this object?");
    }
  }

  LinkedAddressMap map;
  for (const auto& [section, start] : base) {
    GElf_Shdr shdr;
    if (!object.section_header(section, shdr)) continue;
    map.placed_.push_back({start, shdr.sh_size, section});
  }
  std::sort(map.placed_.begin(), map.placed_.end(), [](const Placed& a, const Placed& b) { return a.start < b.start; });
  return map;
}

std::optional<ObjectPlace> LinkedAddressMap::to_object(uint64_t linked_address) const {
  auto it = std::upper_bound(placed_.begin(), placed_.end(), linked_address,
                             [](uint64_t a, const Placed& p) { return a < p.start; });
  // Sections may be empty or abut: look back past any that end before.
  while (it != placed_.begin()) {
    --it;
    if (linked_address < it->start + it->size) return ObjectPlace{it->section, linked_address - it->start};
    if (it->size > 0) break;
  }
  return std::nullopt;
}

}  // namespace kas
