#include "core/alias/policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace kas {
namespace {

AliasCandidate cand(std::string_view name, std::string file, uint32_t line, std::string unit,
                    std::string_view module = {}, uint64_t address = 0) {
  AliasCandidate c;
  c.name = name;
  c.module = module;
  c.address = address;
  c.location.file = std::move(file);
  c.location.line = line;
  c.location.unit = std::move(unit);
  return c;
}

TEST(AliasPolicy, DistinctLocationsUseTheShortForm) {
  std::vector<AliasCandidate> c = {cand("name_show", "kernel/irq/irqdesc.c", 264, "kernel/irq/irqdesc.c"),
                                   cand("name_show", "drivers/base/core.c", 12, "drivers/base/core.c")};
  auto aliases = assign_aliases(c, {});
  EXPECT_EQ(aliases[0], "name_show@kernel_irq_irqdesc_c_264");
  EXPECT_EQ(aliases[1], "name_show@drivers_base_core_c_12");
}

TEST(AliasPolicy, IncludedCFileGetsTheUnitTheDesignExample) {
  std::vector<AliasCandidate> c = {
      cand("load_elf_binary", "fs/binfmt_elf.c", 823, "fs/binfmt_elf.c"),
      cand("load_elf_binary", "fs/binfmt_elf.c", 823, "fs/compat_binfmt_elf.c")};
  auto aliases = assign_aliases(c, {});
  EXPECT_EQ(aliases[0], "load_elf_binary@fs_binfmt_elf_c_823");
  EXPECT_EQ(aliases[1], "load_elf_binary@fs_binfmt_elf_c_compat_binfmt_elf_c_823");
}

TEST(AliasPolicy, HeaderInlinesEscalateUnitNameThenUnitPath) {
  std::vector<AliasCandidate> c = {
      cand("helper", "include/linux/h.h", 5, "drivers/a/core.c"),
      cand("helper", "include/linux/h.h", 5, "drivers/b/core.c"),
      cand("helper", "include/linux/h.h", 5, "kernel/sys.c"),
  };
  auto aliases = assign_aliases(c, {});
  EXPECT_EQ(aliases[0], "helper@include_linux_h_h_drivers_a_core_c_5");
  EXPECT_EQ(aliases[1], "helper@include_linux_h_h_drivers_b_core_c_5");
  EXPECT_EQ(aliases[2], "helper@include_linux_h_h_sys_c_5");
}

TEST(AliasPolicy, ModuleCopiesOfHeaderInlinesCarryUnitPathAndModule) {
  // Each module is aliased alone, so two calls must not collide either.
  std::vector<AliasCandidate> a = {cand("helper", "include/linux/h.h", 5, "drivers/m/main.c", "mod_a"),
                                   cand("name_show", "drivers/m/main.c", 9, "drivers/m/main.c", "mod_a")};
  std::vector<AliasCandidate> b = {cand("helper", "include/linux/h.h", 5, "drivers/m/main.c", "mod_b")};
  auto aliases_a = assign_aliases(a, {});
  auto aliases_b = assign_aliases(b, {});
  EXPECT_EQ(aliases_a[0], "helper@include_linux_h_h_drivers_m_main_c_mod_a_5");
  EXPECT_EQ(aliases_a[1], "name_show@drivers_m_main_c_9");
  EXPECT_EQ(aliases_b[0], "helper@include_linux_h_h_drivers_m_main_c_mod_b_5");
}

TEST(AliasPolicy, SourceFileSharedByTwoModulesGetsTheModuleName) {
  AliasCandidate a = cand("lio_get_conf", "drivers/net/liquidio/lio_core.c", 192, "drivers/net/liquidio/lio_core.c",
                          "liquidio");
  AliasCandidate b = a;
  b.module = "liquidio_vf";
  a.shared_unit = b.shared_unit = true;
  AliasCandidate alone = cand("name_show", "drivers/uio/uio.c", 215, "drivers/uio/uio.c", "uio");
  EXPECT_EQ(assign_aliases(std::vector<AliasCandidate>{a}, {})[0],
            "lio_get_conf@drivers_net_liquidio_lio_core_c_liquidio_192");
  EXPECT_EQ(assign_aliases(std::vector<AliasCandidate>{b}, {})[0],
            "lio_get_conf@drivers_net_liquidio_lio_core_c_liquidio_vf_192");
  EXPECT_EQ(assign_aliases(std::vector<AliasCandidate>{alone}, {})[0], "name_show@drivers_uio_uio_c_215");
}

TEST(AliasPolicy, IdenticalCandidatesGetOrdinalsAndStayUnique) {
  std::vector<AliasCandidate> c = {cand("x", "a.c", 1, "a.c", {}, 0x20), cand("x", "a.c", 1, "a.c", {}, 0x10)};
  auto aliases = assign_aliases(c, {});
  EXPECT_EQ(aliases[1], "x@a_c_a_c_1");
  EXPECT_EQ(aliases[0], "x@a_c_a_c_1_2");
}

TEST(AliasPolicy, SeparatorIsConfigurable) {
  std::vector<AliasCandidate> c = {cand("f", "a.c", 3, "a.c")};
  AliasOptions options;
  options.separator = '~';
  EXPECT_EQ(assign_aliases(c, options)[0], "f~a_c_3");
}

// Every printable character either separates or has a reason not to:
// names and kas's syntax, then what kprobe_events and shell quoting read
// specially ('#' a comment, '%' the %return suffix, quotes, backslash).
TEST(AliasPolicy, ASeparatorIsRefusedWithTheReasonOnlyWhenSomethingWouldMisreadIt) {
  std::string allowed;
  for (char c = '!'; c <= '~'; ++c) {
    EXPECT_EQ(valid_separator(c), separator_problem(c).empty()) << c;
    if (valid_separator(c)) allowed += c;
  }
  EXPECT_EQ(allowed, "!&(),-;<=>@^{|}~");
  EXPECT_NE(separator_problem('#').find("comment in kprobe_events"), std::string::npos);
  EXPECT_NE(separator_problem('%').find("kprobe_events"), std::string::npos);
  for (char c : {'\'', '"', '`', '\\'}) EXPECT_NE(separator_problem(c).find("quoting"), std::string::npos) << c;
  for (char c : {' ', '\t', '\n'}) EXPECT_NE(separator_problem(c).find("whitespace"), std::string::npos);
  EXPECT_NE(separator_problem('\x7f').find("printable"), std::string::npos);
}

TEST(AliasPolicy, IndependentOfCandidateOrder) {
  std::vector<AliasCandidate> c;
  for (int i = 0; i < 40; ++i) {
    std::string unit = "dir" + std::to_string(i % 3) + "/u" + std::to_string(i % 7) + ".c";
    c.push_back(cand(i % 2 ? "f" : "g", i % 5 ? "include/x.h" : unit, 7, unit, i % 11 ? "" : "m", 0x1000u + i));
  }
  auto reference = assign_aliases(c, {});
  std::set<std::string> unique(reference.begin(), reference.end());
  EXPECT_EQ(unique.size(), reference.size());
  std::vector<size_t> order(c.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 rng(42);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<AliasCandidate> shuffled;
    for (size_t i : order) shuffled.push_back(c[i]);
    auto aliases = assign_aliases(shuffled, {});
    for (size_t k = 0; k < order.size(); ++k) EXPECT_EQ(aliases[k], reference[order[k]]);
  }
}

TEST(AliasEligibility, FollowsTheReferenceDefaults) {
  Census census;
  census.add("dup", 2);
  census.add("one");
  census.add("__key.1", 2);
  census.add("fn", 2);
  AliasOptions text_only;
  AliasOptions with_data;
  with_data.data = true;
  EXPECT_TRUE(alias_eligible("dup", 't', {}, false, census, text_only));
  EXPECT_TRUE(alias_eligible("dup", 'T', {}, false, census, text_only));
  EXPECT_FALSE(alias_eligible("one", 't', {}, false, census, text_only));
  EXPECT_FALSE(alias_eligible("dup", 'd', {}, false, census, text_only));
  EXPECT_TRUE(alias_eligible("dup", 'd', {}, false, census, with_data));
  EXPECT_FALSE(alias_eligible("__key.1", 'b', {}, false, census, with_data));
  EXPECT_FALSE(alias_eligible("fn", 't', ".init.text", true, census, text_only));
  EXPECT_FALSE(alias_eligible("fn", 't', ".exit.text", true, census, text_only));
  EXPECT_TRUE(alias_eligible("fn", 't', ".text.unlikely", true, census, text_only));
  EXPECT_TRUE(alias_eligible("fn", 't', ".init.text", false, census, text_only));
  EXPECT_FALSE(alias_eligible("dup", 'U', {}, false, census, with_data));
}

TEST(AliasEligibility, LtoSuffixesJoinTheCensusName) {
  Census census;
  census.add("foo", 2);
  AliasOptions thin;
  thin.lto = Lto::kThin;
  AliasOptions full;
  full.lto = Lto::kFull;
  EXPECT_TRUE(alias_eligible("foo.llvm.123", 't', {}, false, census, thin));
  EXPECT_FALSE(alias_eligible("foo.llvm.123", 't', {}, false, census, {}));
  EXPECT_FALSE(alias_eligible("foo.49514", 't', {}, false, census, thin));
  EXPECT_TRUE(alias_eligible("foo.49514", 't', {}, false, census, full));
}

}  // namespace
}  // namespace kas

namespace kas {
namespace {

TEST(AliasPolicy, TooLongAliasesAreCutTheSameWayInAnyOrderAndModules) {
  const std::string name(480, 'n');
  const std::string huge(510, 'h');  // with @x_c_1 past 511, and no room for a hash
  const std::string dir(60, 'd');
  std::vector<AliasCandidate> c = {cand(name, dir + "/a.c", 1, dir + "/a.c"),
                                   cand(name, dir + "/b.c", 1, dir + "/b.c", "mod_b"),
                                   cand(huge, "x.c", 1, "x.c"), cand(huge, "y.c", 1, "y.c", "mod_y"),
                                   cand("short", "s.c", 1, "s.c")};
  AliasLimits limits;
  auto aliases = assign_aliases(c, {}, &limits);
  EXPECT_EQ(limits.shortened, 2u);
  EXPECT_EQ(limits.omitted, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(aliases[2], "");
  EXPECT_EQ(aliases[3], "");
  EXPECT_EQ(aliases[4], "short@s_c_1");
  EXPECT_EQ(aliases[0].size(), kKsymNameLen - 1);
  EXPECT_EQ(aliases[1].size(), kKsymNameLen - 1);
  EXPECT_NE(aliases[0], aliases[1]);
  EXPECT_EQ(aliases[0].rfind(name + "@" + std::string(13, 'd'), 0), 0u) << aliases[0];

  std::vector<AliasCandidate> reversed(c.rbegin(), c.rend());
  auto again = assign_aliases(reversed, {});
  for (size_t i = 0; i < c.size(); ++i) EXPECT_EQ(again[c.size() - 1 - i], aliases[i]);
}

}  // namespace
}  // namespace kas
