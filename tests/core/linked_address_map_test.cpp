// LinkedAddressMap on the fixture's vmlinux.o and its kallsyms pass link:
// placed whole as linked, and piece by piece when part of a section moved
// (as when a linker script puts another section between two objects' .text).
#include "core/elf/linked_address_map.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "core/elf/nm_listing.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

struct Fixture {
  ElfFile object;
  SymbolTable symbols;
  std::string listing;
};

Fixture load(const test::FixtureKernel& k) {
  auto object = ElfFile::open(k.vmlinux_object());
  EXPECT_TRUE(object);
  auto symbols = read_symbols(*object);
  EXPECT_TRUE(symbols);
  return {std::move(*object), std::move(*symbols), test::read_text(k.kallsyms_link_syms())};
}

// Every defined object symbol found in the listing by name, with its place.
std::map<std::string, std::pair<uint64_t, ObjectPlace>> uniquely_named(const Fixture& f,
                                                                       const std::vector<NmLine>& lines) {
  std::map<std::string, int> count;
  for (const ElfSymbol& s : f.symbols.symbols) {
    if (s.in_section) ++count[std::string(s.name)];
  }
  std::map<std::string, uint64_t> linked;
  for (const NmLine& l : lines) linked[std::string(l.name)] = l.value;
  std::map<std::string, std::pair<uint64_t, ObjectPlace>> out;
  for (const ElfSymbol& s : f.symbols.symbols) {
    std::string name(s.name);
    if (!s.in_section || count[name] != 1 || !linked.count(name)) continue;
    out[name] = {linked[name], ObjectPlace{s.section, s.value}};
  }
  return out;
}

TEST(LinkedAddressMap, SectionsPlacedWholeMapEveryAddress) {
  Fixture f = load(test::fixture_kernel("intree"));
  auto lines = parse_nm_listing(f.listing, "pass.syms");
  ASSERT_TRUE(lines);
  auto map = LinkedAddressMap::build(f.object, f.symbols, *lines);
  ASSERT_TRUE(map) << map.error().message;
  EXPECT_EQ(map->pieces(), map->whole_sections());
  auto named = uniquely_named(f, *lines);
  ASSERT_GT(named.size(), 5u);
  for (const auto& [name, where] : named) {
    auto place = map->to_object(where.first);
    ASSERT_TRUE(place) << name;
    EXPECT_EQ(place->section, where.second.section) << name;
    EXPECT_EQ(place->offset, where.second.offset) << name;
  }
}

TEST(LinkedAddressMap, ASectionSplitByTheLinkMapsByPiecesAndNotBetweenThem) {
  Fixture f = load(test::fixture_kernel("intree"));
  auto original = parse_nm_listing(f.listing, "pass.syms");
  ASSERT_TRUE(original);
  auto named = uniquely_named(f, *original);
  // Split .text after the middle uniquely named function: everything from
  // it on moves up by 0x40, as if 0x40 bytes of something else came between.
  std::vector<std::pair<uint64_t, std::string>> text;
  for (const auto& [name, where] : named) {
    if (f.object.section_name(where.second.section) == ".text") text.emplace_back(where.first, name);
  }
  std::sort(text.begin(), text.end());
  ASSERT_GE(text.size(), 3u);
  const uint64_t split = text[text.size() / 2].first;
  const uint64_t before_split = text[text.size() / 2 - 1].first;
  std::string moved;
  for (const NmLine& l : *original) {
    uint64_t v = l.value >= split ? l.value + 0x40 : l.value;
    char addr[17];
    std::snprintf(addr, sizeof addr, "%016llx", static_cast<unsigned long long>(v));
    moved += std::string(addr) + " " + l.type + " " + std::string(l.name) + "\n";
  }
  auto lines = parse_nm_listing(moved, "moved.syms");
  ASSERT_TRUE(lines);
  auto map = LinkedAddressMap::build(f.object, f.symbols, *lines);
  ASSERT_TRUE(map) << map.error().message;
  EXPECT_GT(map->pieces(), map->whole_sections());
  for (const auto& [name, where] : uniquely_named(f, *lines)) {
    auto place = map->to_object(where.first);
    ASSERT_TRUE(place) << name;
    EXPECT_EQ(place->section, where.second.section) << name;
    EXPECT_EQ(place->offset, where.second.offset) << name;
  }
  // Between the last anchor before the split and the first after it,
  // nothing is known: one byte past the earlier anchor maps nowhere.
  EXPECT_FALSE(map->to_object(before_split + 1));
  EXPECT_FALSE(map->to_object(split + 0x40 - 1));
}

// Clang LTO objects use -ffunction-sections, and ld -r merges the input
// sections of one name: vmlinux.o's .text.name_show holds both static
// name_show and no uniquely named symbol. Each such section must map where
// the linker put it, which its map file (-Map, written by build-kernel.sh)
// says independently of any symbol.
TEST(LinkedAddressMap, SectionsWithoutAnAnchorArePlacedByTheirShape) {
  if (test::run_process({"clang", "--version"}).exit_code != 0 ||
      test::run_process({"ld.lld", "--version"}).exit_code != 0) {
    GTEST_SKIP() << "clang or ld.lld cannot be run: install clang and lld (.ci/setup)";
  }
  const test::FixtureKernel& k = test::fixture_kernel("lto-thin");
  ASSERT_FALSE(k.root.empty());
  Fixture f = load(k);
  auto lines = parse_nm_listing(f.listing, "pass.syms");
  ASSERT_TRUE(lines);
  auto map = LinkedAddressMap::build(f.object, f.symbols, *lines);
  ASSERT_TRUE(map) << map.error().message;

  // Sections whose every named function shares its name with another.
  std::map<std::string, int> count;
  for (const ElfSymbol& s : f.symbols.symbols) {
    if (s.in_section && s.type == STT_FUNC) ++count[std::string(s.name)];
  }
  std::map<uint32_t, bool> unanchored;  // section -> no unique function in it
  for (const ElfSymbol& s : f.symbols.symbols) {
    if (!s.in_section || s.type != STT_FUNC) continue;
    auto [it, added] = unanchored.try_emplace(s.section, true);
    if (count[std::string(s.name)] == 1) it->second = false;
  }
  // The linker's map: "VMA LMA SIZE ALIGN vmlinux.o:(SECTION)" (lld).
  std::map<std::string, uint64_t> placed;
  for (const std::string& line : test::split_lines(test::read_text(k.objtree + "/.tmp_vmlinux.kallsyms1.map"))) {
    const size_t in = line.find("vmlinux.o:(");
    if (in == std::string::npos || line.back() != ')') continue;
    placed[line.substr(in + 11, line.size() - in - 12)] = std::stoull(line, nullptr, 16);
  }
  size_t checked = 0;
  for (const auto& [section, no_anchor] : unanchored) {
    if (!no_anchor) continue;
    const std::string name(f.object.section_name(section));
    ASSERT_EQ(placed.count(name), 1u) << name << " not in the link map";
    GElf_Shdr shdr;
    ASSERT_TRUE(f.object.section_header(section, shdr));
    for (uint64_t offset : {uint64_t{0}, shdr.sh_size - 1}) {
      auto place = map->to_object(placed[name] + offset);
      ASSERT_TRUE(place) << name << "+" << offset;
      EXPECT_EQ(place->section, section) << name;
      EXPECT_EQ(place->offset, offset) << name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 2u);  // .text.name_show, .text.load_elf_binary
}

}  // namespace
}  // namespace kas
