// The kernel snapshot on the fixture kernel: one census, whichever way it is
// asked for. The in-process engine builds a snapshot of just the names a
// module request needs (scanning: the module's own files skipped); the
// daemon keeps a full snapshot and restricts it per request (indexed). Both
// must give the module path the same counts, flags and unit holders, for
// every module of the kernel and for the census file kbuild exports. The
// full census is checked against binutils nm.
#include "core/index/kernel_snapshot.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/alias/module_aliases.hpp"
#include "core/elf/kallsyms_names.hpp"
#include "core/elf/nm_listing.hpp"
#include "core/index/census_count.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

KernelFiles tree_sources(const test::FixtureKernel& k) {
  KernelFiles sources;
  sources.vmlinux = k.syms();
  sources.modules_orders = {k.modules_order()};
  return sources;
}

NameSet names_of(const BinaryRecord& record) {
  Census own;
  count_module(own, record.table(), Lto::kNone);
  NameSet wanted;
  for (const auto& [name, n] : own.sorted()) wanted.emplace(name);
  return wanted;
}

void expect_same(const RestrictedCensus& scanned, const RestrictedCensus& indexed, const NameSet& wanted,
                 const std::vector<std::string>& units, const std::string& what) {
  EXPECT_EQ(scanned.counts.sorted(), indexed.counts.sorted()) << what;
  EXPECT_EQ(scanned.included, indexed.included) << what;
  EXPECT_EQ(scanned.self_counted, indexed.self_counted) << what;
  EXPECT_EQ(scanned.modules, indexed.modules) << what;
  for (const std::string& name : wanted) {
    EXPECT_EQ(scanned.counts.count(name), indexed.counts.count(name)) << what << ": " << name;
  }
  for (const std::string& unit : units) {
    EXPECT_EQ(scanned.other_units.count(unit), indexed.other_units.count(unit)) << what << ": " << unit;
  }
}

class KernelSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel("objtree");
    ASSERT_FALSE(k_->root.empty());
    auto full = KernelSnapshot::build(tree_sources(*k_), {.jobs = 2});
    ASSERT_TRUE(full) << full.error().message;
    full_ = *full;
    ASSERT_EQ(full_->module_count(), 3u);
  }

  // Every unit key any module of the kernel has.
  std::vector<std::string> all_units() const {
    std::vector<std::string> units = {"*/no-such-file.c"};
    for (const auto& m : full_->modules()) units.insert(units.end(), m->units().begin(), m->units().end());
    return units;
  }

  const test::FixtureKernel* k_ = nullptr;
  std::shared_ptr<const KernelSnapshot> full_;
};

TEST_F(KernelSnapshotTest, CensusCountsWhatNmLists) {
  // Oracle: binutils nm over the listing's own text and every module.
  std::map<std::string, uint32_t> expected;
  auto listing = test::read_text(k_->syms());
  auto lines = parse_nm_listing(listing, k_->syms());
  ASSERT_TRUE(lines);
  for (const NmLine& line : *lines) {
    if (line.type != 'U' && line.type != 'w' && line.type != 'v') ++expected[std::string(line.name)];
  }
  for (const char* module : {"hello", "other", "hello_twin"}) {
    for (const test::NmSymbol& sym : test::nm_symbols(k_->module(module))) {
      if (sym.type != 'U' && sym.type != 'w' && sym.type != 'v') ++expected[sym.name];
    }
  }
  size_t checked = 0;
  for (const auto& [name, n] : expected) {
    if (kallsyms_ignores(name)) continue;  // kallsyms never shows these: not counted
    EXPECT_EQ(full_->census().count(name), n) << name;
    ++checked;
  }
  EXPECT_GT(checked, 50u);
  EXPECT_GE(full_->census().count("name_show"), 2u);
}

TEST_F(KernelSnapshotTest, ScanningAndIndexedAgreeForEveryModuleRequest) {
  for (const auto& module : full_->modules()) {
    const NameSet wanted = names_of(*module);
    // The module path asks with its own name skipped (its object replaces
    // the listed file), and a module not in the kernel (out-of-tree) skips
    // nothing.
    for (const std::string& skip : {module->name(), std::string("not_in_this_kernel"), std::string()}) {
      auto scanning = KernelSnapshot::build(tree_sources(*k_), {.jobs = 2, .wanted = [&](Lto) { return wanted; }, .skip_module = skip});
      ASSERT_TRUE(scanning) << scanning.error().message;
      expect_same((*scanning)->restricted(wanted, skip), full_->restricted(wanted, skip), wanted, all_units(),
                  module->name() + " skipping '" + skip + "'");
    }
  }
  // What the skip means: the module's own definitions are not counted.
  const NameSet wanted = {"name_show"};
  const RestrictedCensus without_hello = full_->restricted(wanted, "hello");
  const RestrictedCensus with_all = full_->restricted(wanted, "");
  EXPECT_TRUE(without_hello.included);
  EXPECT_FALSE(with_all.included);
  EXPECT_EQ(without_hello.counts.count("name_show") + 1, with_all.counts.count("name_show"));
}

TEST_F(KernelSnapshotTest, CensusFileAgreesWithTheTreeItWasMadeFrom) {
  test::TempDir dir;
  const std::string file = dir.file("modules.symbfreq");
  test::write_text(file, full_->census_with_units().to_symbfreq());
  KernelFiles from_file;
  from_file.census_path = file;
  auto complete = KernelSnapshot::build(from_file, {.jobs = 2});
  ASSERT_TRUE(complete) << complete.error().message;
  EXPECT_EQ((*complete)->census().sorted(), full_->census().sorted());
  for (const auto& module : full_->modules()) {
    const NameSet wanted = names_of(*module);
    auto scanning = KernelSnapshot::build(from_file, {.jobs = 2, .wanted = [&](Lto) { return wanted; }});
    ASSERT_TRUE(scanning) << scanning.error().message;
    const RestrictedCensus indexed = (*complete)->restricted(wanted, module->name());
    expect_same((*scanning)->restricted(wanted, module->name()), indexed, wanted, all_units(), module->name());
    // The file counted this module: every name it defines is there, and
    // the module path takes the module's own count back out.
    EXPECT_TRUE(indexed.included) << module->name();
    EXPECT_TRUE(indexed.self_counted) << module->name();
    const RestrictedCensus tree = full_->restricted(wanted, module->name());
    Census own;
    count_module(own, module->table(), Lto::kNone);
    for (const std::string& name : wanted) {
      EXPECT_EQ(indexed.counts.count(name), tree.counts.count(name) + own.count(name)) << name;
    }
  }
}

TEST(KernelSnapshot, RecordsAreReadOnceAndARebuiltModuleReplacesOnlyItsOwn) {
  const test::FixtureKernel& k = test::fixture_kernel("objtree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  // A copy of the tree, so that one of its modules can be rebuilt.
  std::filesystem::copy(k.objtree, dir.path() + "/tree", std::filesystem::copy_options::recursive);
  KernelFiles sources;
  sources.vmlinux = dir.path() + "/tree/vmlinux.syms";
  sources.modules_orders = {dir.path() + "/tree/modules.order"};
  RecordCache records;
  auto first = KernelSnapshot::build(sources, {.jobs = 2, .records = &records});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(records.reads(), 3u);
  auto second = KernelSnapshot::build(sources, {.jobs = 2, .records = &records});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(records.reads(), 3u);
  EXPECT_EQ(records.reuses(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ((*first)->modules()[i], (*second)->modules()[i]);

  // "Rebuild" module other as a copy of hello: its names change.
  size_t other_slot = 3;
  std::string hello;
  for (size_t i = 0; i < 3; ++i) {
    if ((*first)->modules()[i]->name() == "other") other_slot = i;
    if ((*first)->modules()[i]->name() == "hello") hello = (*first)->modules()[i]->path();
  }
  ASSERT_LT(other_slot, 3u);
  const std::string other = (*first)->modules()[other_slot]->path();
  ASSERT_FALSE((*first)->module_changed(other));
  std::filesystem::remove(other);
  std::filesystem::copy_file(hello, other);
  EXPECT_TRUE((*first)->module_changed(other));
  auto rebuilt = (*first)->with_module_reread(other);
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  for (size_t i = 0; i < 3; ++i) {
    if (i == other_slot) {
      EXPECT_NE((*rebuilt)->modules()[i], (*first)->modules()[i]);
    } else {
      EXPECT_EQ((*rebuilt)->modules()[i], (*first)->modules()[i]);
    }
  }
  // Its census is the one a fresh read of the rebuilt tree gives.
  auto fresh = KernelSnapshot::build(sources, {.jobs = 2});
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ((*rebuilt)->census().sorted(), (*fresh)->census().sorted());
  EXPECT_EQ((*rebuilt)->census_with_units().sorted(), (*fresh)->census_with_units().sorted());
  EXPECT_NE((*rebuilt)->census().sorted(), (*first)->census().sorted());
}

TEST_F(KernelSnapshotTest, LocatedCandidatesAreKeptAndGivenToTheirOwnFileOnly) {
  const BinaryRecord* hello = nullptr;
  for (const auto& m : full_->modules()) {
    if (m->name() == "hello") hello = m.get();
  }
  ASSERT_NE(hello, nullptr);
  const NameSet wanted = names_of(*hello);
  // Not located yet: a request for that file locates itself.
  EXPECT_FALSE(hello->has_located());
  EXPECT_EQ(full_->restricted(wanted, "hello", hello->path()).located, nullptr);

  auto located = hello->located(full_->census(), full_->lto(), alias_candidates);
  ASSERT_NE(located, nullptr);
  EXPECT_TRUE(hello->has_located());
  EXPECT_EQ(hello->located(full_->census(), full_->lto(), alias_candidates), located);  // computed once
  // The candidates are hello's duplicated text symbols: name_show among
  // them (the fixture's duplicated static), at the line its LOC marker says.
  size_t name_show = 0;
  for (const SymbolPlace& place : located->places()) {
    const ElfSymbol& sym = hello->table().symbols[place.symbol_index - 1];
    ASSERT_EQ(sym.index, place.symbol_index);
    EXPECT_GT(full_->census().count(sym.name), 1u) << sym.name;
    if (sym.name != "name_show" || !place.location) continue;
    ++name_show;
    bool marked = false;
    for (const test::Marker& m : test::markers_for("name_show")) {
      marked |= m.line == place.location->line && place.location->file.ends_with(m.file);
    }
    EXPECT_TRUE(marked) << place.location->file << ":" << place.location->line;
  }
  EXPECT_EQ(name_show, 1u);
  // Given to a request from that very file, and to no other.
  EXPECT_EQ(full_->restricted(wanted, "hello", hello->path()).located, located);
  EXPECT_EQ(full_->restricted(wanted, "hello", hello->path() + ".other").located, nullptr);
}

TEST(KernelSnapshot, AnElfListingIsReadAsARecordOnce) {
  const test::FixtureKernel& k = test::fixture_kernel("objtree");
  ASSERT_FALSE(k.root.empty());
  KernelFiles sources;
  sources.vmlinux = k.vmlinux();
  auto snapshot = KernelSnapshot::build(sources, {.jobs = 1});
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  ASSERT_NE((*snapshot)->vmlinux_record(), nullptr);
  ASSERT_NE((*snapshot)->vmlinux_listing(), nullptr);
  // What nm lists of vmlinux is what the listing holds, name by name.
  std::map<std::string, uint32_t> nm;
  for (const test::NmSymbol& sym : test::nm_symbols(k.vmlinux())) {
    if (sym.has_value && sym.type != 'a' && sym.type != 'N' && sym.type != 'U' && sym.type != 'w') ++nm[sym.name];
  }
  std::map<std::string, uint32_t> listed;
  for (const NmLine& line : (*snapshot)->vmlinux_listing()->lines()) ++listed[std::string(line.name)];
  for (const auto& [name, n] : listed) EXPECT_EQ(nm[name], n) << name;
  EXPECT_GT(listed.size(), 30u);
}

}  // namespace
}  // namespace kas
