// The symbol index behind kas lookup / resolve, on the fixture kernel,
// against independent oracles: binutils nm -S (which symbols exist, where,
// how big), the LOC markers in the sources (where each is defined),
// binutils addr2line -f -i (lines and inline chains), and the aliases that
// the real `kas module` / `kas vmlinux` commands write.
#include "core/query/symbol_index.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/index/kernel_name.hpp"
#include "core/query/frame_spec.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

using NmEntry = test::SizedSymbol;
using test::nm_sized;

std::vector<test::SourceLine> addr2line(const std::string& path, uint64_t address, const std::string& section = {}) {
  return test::eu_addr2line(path, address, section);
}

// "the/src/./a/../include/x.h" and "include/x.h" name the same file.
bool same_file(const std::string& oracle, const std::string& relative) {
  std::string canonical = std::filesystem::path(oracle).lexically_normal().string();
  return canonical == relative || canonical.ends_with("/" + relative);
}

class SymbolIndexTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel(GetParam());
    ASSERT_FALSE(k_->root.empty());
    auto kernel =
        find_kernel_files({.kind = KernelName::Kind::kBuildTree, .where = k_->objtree}, KernelNeeds::kDebugInfo);
    ASSERT_TRUE(kernel) << kernel.error().message;
    auto index = SymbolIndex::build(QueryTarget{*kernel, {}, {}}, 2);
    ASSERT_TRUE(index) << index.error().message;
    index_ = *index;
  }

  ResolveAnswer resolve(const std::string& text) {
    auto q = parse_frame_spec(text);
    EXPECT_TRUE(q) << text;
    return index_->resolve(std::vector<FrameQuery>{*q}).front();
  }

  const test::FixtureKernel* k_ = nullptr;
  std::shared_ptr<const SymbolIndex> index_;
};

const std::vector<std::string> kModules = {"hello", "other", "hello_twin"};

TEST_P(SymbolIndexTest, LookupListsEveryDefinitionAtItsMarkedPlace) {
  // nm: every definition, in vmlinux and in each module object.
  std::map<std::string, std::vector<NmEntry>> listed = {{"vmlinux", nm_sized(k_->vmlinux())}};
  for (const std::string& m : kModules) listed[m] = nm_sized(k_->module_object(m));
  for (const std::string name : {"name_show", "hello_fail", "attr_index", "load_elf_binary", "hello_extra_fn",
                                 "only_here", "inline_chain_entry"}) {
    std::multiset<std::pair<std::string, uint64_t>> expected;
    for (const auto& [binary, entries] : listed) {
      for (const NmEntry& e : entries) {
        if (e.name == name) expected.insert({binary, e.value});
      }
    }
    LookupAnswer answer = index_->lookup(name, 0);
    std::multiset<std::pair<std::string, uint64_t>> got;
    for (const SymbolDefinition& d : answer.definitions) {
      got.insert({d.binary, d.address});
      EXPECT_EQ(d.name, name);
      EXPECT_EQ(d.count, expected.size()) << name;
      EXPECT_EQ(d.relocatable, d.binary != "vmlinux");
      // Where it is defined: one of the markers of that name, in that file.
      bool marked = false;
      for (const test::Marker& m : test::markers_for(name)) marked = marked || (m.file == d.file && m.line == d.line);
      EXPECT_TRUE(marked) << d.binary << " " << name << " at " << d.file << ":" << d.line << " " << d.note;
      if (expected.size() == 1) {
        EXPECT_EQ(d.alias, "") << name << " is unique";
      }
    }
    EXPECT_EQ(got, expected) << name;
    EXPECT_EQ(answer.total, expected.size());
  }
}

TEST_P(SymbolIndexTest, AliasesAreTheOnesTheBuildWrites) {
  test::TempDir dir;
  // vmlinux: the alias lines of `kas vmlinux` (what kallsyms gets).
  auto v = test::run_process({test::kas_binary(), "vmlinux", "--no-daemon", "--nm", k_->syms(), "--elf",
                              k_->vmlinux(), "--modules-order", k_->modules_order()});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  size_t checked = 0;
  for (const std::string& line : test::split_lines(v.out)) {
    size_t at = line.find('@');
    if (at == std::string::npos) continue;
    std::string alias = line.substr(line.rfind(' ') + 1);
    uint64_t address = std::stoull(line.substr(0, line.find(' ')), nullptr, 16);
    LookupAnswer a = index_->lookup(alias, 0);
    ASSERT_EQ(a.definitions.size(), 1u) << alias;
    EXPECT_EQ(a.definitions[0].binary, "vmlinux");
    EXPECT_EQ(a.definitions[0].address, address) << alias;
    ++checked;
  }
  // Modules: the alias symbols `kas module` adds (read back with nm).
  for (const std::string& m : kModules) {
    std::string out = dir.file(m + ".o.kas");
    auto r = test::run_process({test::kas_binary(), "module", "--no-daemon", k_->module_object(m), "--nm",
                                k_->syms(), "--modules-order", k_->modules_order(), "-o", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const NmEntry& e : nm_sized(out)) {
      if (e.name.find('@') == std::string::npos) continue;
      LookupAnswer a = index_->lookup(e.name, 0);
      ASSERT_EQ(a.definitions.size(), 1u) << e.name;
      EXPECT_EQ(a.definitions[0].binary, m) << e.name;
      EXPECT_EQ(a.definitions[0].address, e.value) << e.name;
      EXPECT_EQ(a.definitions[0].name, e.name.substr(0, e.name.find('@')));
      ++checked;
    }
  }
  EXPECT_GE(checked, 10u);
  // And nothing else has one: every alias the index knows was checked.
  EXPECT_EQ(index_->lookup("*@*", 0).total, checked);
}

TEST_P(SymbolIndexTest, GlobsMatchNamesAndAliases) {
  LookupAnswer prefix = index_->lookup("name_s*", 0);
  std::set<std::string> names;
  for (const SymbolDefinition& d : prefix.definitions) names.insert(d.name);
  EXPECT_EQ(names, (std::set<std::string>{"name_show", "name_store"}));
  LookupAnswer other = index_->lookup("*@modules_other*", 0);
  ASSERT_FALSE(other.definitions.empty());
  for (const SymbolDefinition& d : other.definitions) {
    EXPECT_EQ(d.binary, "other");
    EXPECT_TRUE(d.alias.starts_with(d.name + "@modules_other")) << d.alias;
  }
  LookupAnswer limited = index_->lookup("*", 3);
  EXPECT_EQ(limited.definitions.size(), 3u);
  EXPECT_GT(limited.total, 50u);
  EXPECT_EQ(limited.definitions[0].binary, "vmlinux");
  EXPECT_EQ(index_->lookup("no_such_symbol", 0).total, 0u);
}

TEST_P(SymbolIndexTest, ResolveMatchesAddr2lineWithInlineChains) {
  // Every byte of two functions with inlined calls, vmlinux and module.
  struct Case {
    std::string binary;
    std::string path;
    std::string function;
  };
  std::vector<Case> cases = {{"vmlinux", k_->vmlinux(), "inline_chain_entry"},
                             {"other", k_->module_object("other"), "other_inline_entry"},
                             {"vmlinux", k_->vmlinux(), "load_elf_binary"}};
  size_t inlined = 0;
  for (const Case& c : cases) {
    for (const NmEntry& e : nm_sized(c.path)) {
      if (e.name != c.function) continue;
      std::vector<uint64_t> bytes;
      for (uint64_t off = 0; off < e.size; ++off) bytes.push_back(e.value + off);
      auto oracles = test::eu_addr2line(c.path, bytes, c.binary == "vmlinux" ? "" : ".text");
      for (uint64_t off = 0; off < e.size; ++off) {
        // vmlinux by address (load_elf_binary has a same-sized twin from
        // compat_binfmt_elf.c), the module by name.
        char spec[128];
        if (c.binary == "vmlinux") {
          std::snprintf(spec, sizeof spec, "0x%llx", static_cast<unsigned long long>(e.value + off));
        } else {
          std::snprintf(spec, sizeof spec, "%s:%s+0x%llx/0x%llx", c.binary.c_str(), c.function.c_str(),
                        static_cast<unsigned long long>(off), static_cast<unsigned long long>(e.size));
        }
        ResolveAnswer a = resolve(spec);
        ASSERT_EQ(a.candidates.size(), 1u) << spec << " " << a.error;
        const Resolution& r = a.candidates[0];
        EXPECT_EQ(r.symbol.address, e.value);
        const auto& oracle = oracles[off];
        ASSERT_EQ(r.frames.size(), oracle.size()) << spec;
        for (size_t f = 0; f < oracle.size(); ++f) {
          EXPECT_EQ(r.frames[f].function, oracle[f].function) << spec << " frame " << f;
          EXPECT_TRUE(same_file(oracle[f].file, r.frames[f].file)) << spec << " " << oracle[f].file << " vs "
                                                                   << r.frames[f].file;
          EXPECT_EQ(r.frames[f].line, oracle[f].line) << spec << " frame " << f;
        }
        if (oracle.size() > 1) ++inlined;
      }
    }
  }
  EXPECT_GT(inlined, 4u) << "the fixture's inlined calls were not seen";
}

TEST_P(SymbolIndexTest, ReturnAddressesResolveToTheCallsLine) {
  // A call-trace frame's offset is a return address: its source is the
  // byte before. Checked at every offset of a function with inlined calls,
  // against eu-addr2line one byte back; and the two differ somewhere, or
  // this test would not tell them apart.
  size_t differing = 0;
  for (const NmEntry& e : nm_sized(k_->vmlinux())) {
    if (e.name != "inline_chain_entry") continue;
    std::vector<uint64_t> bytes;
    for (uint64_t off = 0; off < e.size; ++off) bytes.push_back(e.value + off);
    auto oracles = test::eu_addr2line(k_->vmlinux(), bytes);
    for (uint64_t off = 1; off < e.size; ++off) {
      auto q = parse_frame_spec("inline_chain_entry+" + std::to_string(off));
      ASSERT_TRUE(q);
      q->return_address = true;
      ResolveAnswer a = index_->resolve(std::vector<FrameQuery>{*q}).front();
      ASSERT_EQ(a.candidates.size(), 1u);
      EXPECT_EQ(a.candidates[0].offset, off);  // shown as given
      const auto& back = oracles[off - 1];
      const auto& exact = oracles[off];
      ASSERT_EQ(a.candidates[0].frames.size(), back.size()) << off;
      for (size_t f = 0; f < back.size(); ++f) {
        EXPECT_EQ(a.candidates[0].frames[f].line, back[f].line) << off;
        EXPECT_EQ(a.candidates[0].frames[f].function, back[f].function) << off;
      }
      bool same = back.size() == exact.size();
      for (size_t f = 0; same && f < back.size(); ++f) same = back[f].line == exact[f].line;
      differing += same ? 0 : 1;
    }
  }
  EXPECT_GT(differing, 0u);
}

TEST_P(SymbolIndexTest, SizeAndModulePickTheRightCopyAndAmbiguityListsAll) {
  std::vector<NmEntry> copies;
  for (const NmEntry& e : nm_sized(k_->vmlinux())) {
    if (e.name == "name_show") copies.push_back(e);
  }
  ASSERT_EQ(copies.size(), 2u);
  ASSERT_NE(copies[0].size, copies[1].size) << "the fixture's two vmlinux name_show differ in size";
  for (const NmEntry& e : copies) {
    char spec[64];
    std::snprintf(spec, sizeof spec, "name_show+0x2/0x%llx", static_cast<unsigned long long>(e.size));
    ResolveAnswer a = resolve(spec);
    ASSERT_EQ(a.candidates.size(), 1u) << spec;
    EXPECT_EQ(a.candidates[0].symbol.binary, "vmlinux");
    EXPECT_EQ(a.candidates[0].symbol.address, e.value);
    auto oracle = addr2line(k_->vmlinux(), e.value + 2);
    ASSERT_FALSE(oracle.empty());
    EXPECT_TRUE(same_file(oracle.back().file, a.candidates[0].frames.back().file));
  }
  // hello's and other's name_show have the same size: the module decides.
  for (const std::string m : {"hello", "other"}) {
    ResolveAnswer a = resolve("name_show+0x1/0x9 [" + m + "]");
    ASSERT_EQ(a.candidates.size(), 1u) << m << " " << a.error;
    EXPECT_EQ(a.candidates[0].symbol.binary, m);
    EXPECT_EQ(a.candidates[0].frames.back().file, "modules/" + m + "/" + m + ".c");
  }
  // Nothing narrows it: every definition, never a guess.
  ResolveAnswer all = resolve("name_show+0x1");
  EXPECT_EQ(all.candidates.size(), 4u);
  std::set<std::string> files;
  for (const Resolution& r : all.candidates) files.insert(r.symbol.file);
  EXPECT_EQ(files.size(), 4u);
  // An alias names one.
  ResolveAnswer by_alias = resolve(all.candidates[1].symbol.alias + "+0x1");
  ASSERT_EQ(by_alias.candidates.size(), 1u);
  EXPECT_EQ(by_alias.candidates[0].symbol.address, all.candidates[1].symbol.address);
}

TEST_P(SymbolIndexTest, AddressesResolveToTheHoldingFunction) {
  size_t checked = 0;
  for (const NmEntry& e : nm_sized(k_->vmlinux())) {
    if ((e.type != 't' && e.type != 'T') || e.size < 2) continue;
    char spec[32];
    std::snprintf(spec, sizeof spec, "0x%llx", static_cast<unsigned long long>(e.value + e.size - 1));
    ResolveAnswer a = resolve(spec);
    ASSERT_EQ(a.candidates.size(), 1u) << spec << " " << a.error;
    EXPECT_EQ(a.candidates[0].symbol.name, e.name) << spec;
    EXPECT_EQ(a.candidates[0].offset, e.size - 1);
    ++checked;
  }
  EXPECT_GT(checked, 8u);
  EXPECT_NE(resolve("0x10").error, "");
}

TEST_P(SymbolIndexTest, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(resolve("no_such+0x1").error, "no symbol named 'no_such'");
  std::string not_there = resolve("inline_chain_entry+0x1 [hello]").error;
  EXPECT_NE(not_there.find("not defined in hello"), std::string::npos) << not_there;
  EXPECT_NE(not_there.find("vmlinux"), std::string::npos) << not_there;
  std::string size = resolve("name_show+0x1/0x777").error;
  EXPECT_NE(size.find("size 0x777"), std::string::npos) << size;
  std::string past = resolve("only_here+0x999").error;
  EXPECT_NE(past.find("past the end"), std::string::npos) << past;
}

INSTANTIATE_TEST_SUITE_P(Layouts, SymbolIndexTest, ::testing::Values("intree", "objtree", "mapped"));

TEST(SymbolIndexChanges, AFileChangedSinceIndexingIsNoticed) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  std::filesystem::copy_file(k.module("other"), dir.file("other.ko"));
  QueryTarget target;
  target.kernel.vmlinux = k.vmlinux();
  target.kernel.module_dirs = {dir.path()};
  auto index = SymbolIndex::build(target, 1);
  ASSERT_TRUE(index) << index.error().message;
  EXPECT_EQ((*index)->binary_count(), 2u);
  EXPECT_FALSE((*index)->changed());
  EXPECT_EQ((*index)->lookup("name_show", 0).total, 3u);
  // A rebuilt module: the next answer that reads it marks the index stale.
  std::filesystem::last_write_time(dir.file("other.ko"),
                                   std::filesystem::last_write_time(dir.file("other.ko")) + std::chrono::seconds(5));
  (void)(*index)->lookup("name_show", 0);
  EXPECT_TRUE((*index)->changed());
}

TEST(SymbolIndexErrors, MissingVmlinuxOrDebugInfoIsNamed) {
  auto missing =
      find_kernel_files({.kind = KernelName::Kind::kBuildTree, .where = "/nonexistent/tree"}, KernelNeeds::kDebugInfo);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/tree/vmlinux"), std::string::npos);
  auto kernel = find_kernel_files({.kind = KernelName::Kind::kInstalled, .where = "0.0.0-none", .root = "/nonexistent"},
                                  KernelNeeds::kDebugInfo);
  ASSERT_FALSE(kernel);
  EXPECT_NE(kernel.error().message.find("linux-image-0.0.0-none-dbg"), std::string::npos);
  EXPECT_NE(kernel.error().message.find("DEBUGINFOD_URLS"), std::string::npos);
}

}  // namespace
}  // namespace kas
