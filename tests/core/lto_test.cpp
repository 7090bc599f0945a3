#include "core/census/lto.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "core/elf/nm_listing.hpp"
#include "core/index/kernel_snapshot.hpp"
#include "core/index/lto_detect.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

TEST(Lto, ThinStripsMarkedLinkerNumbersOnly) {
  EXPECT_EQ(strip_lto_suffix("foo.llvm.1234567", Lto::kThin), "foo");
  EXPECT_EQ(strip_lto_suffix("foo.lto_priv.0", Lto::kThin), "foo");
  EXPECT_EQ(strip_lto_suffix("foo.lto_priv.0.llvm.99", Lto::kThin), "foo");
  EXPECT_EQ(strip_lto_suffix("foo.constprop.0", Lto::kThin), "foo.constprop.0");
  EXPECT_EQ(strip_lto_suffix("foo.isra.1", Lto::kThin), "foo.isra.1");
  EXPECT_EQ(strip_lto_suffix("foo.cold", Lto::kThin), "foo.cold");
  EXPECT_EQ(strip_lto_suffix("__key.12", Lto::kThin), "__key.12");
  EXPECT_EQ(strip_lto_suffix("foo.49514", Lto::kThin), "foo.49514");
  EXPECT_EQ(strip_lto_suffix("foo.llvm.x1", Lto::kThin), "foo.llvm.x1");
  EXPECT_EQ(strip_lto_suffix(".llvm.1", Lto::kThin), ".llvm.1");
}

TEST(Lto, FullAlsoStripsABareNumberButNotACloneNumber) {
  EXPECT_EQ(strip_lto_suffix("name_show.49514", Lto::kFull), "name_show");
  EXPECT_EQ(strip_lto_suffix("foo.llvm.123", Lto::kFull), "foo");
  EXPECT_EQ(strip_lto_suffix("foo.constprop.0", Lto::kFull), "foo.constprop.0");
  EXPECT_EQ(strip_lto_suffix("foo.isra.0", Lto::kFull), "foo.isra.0");
  EXPECT_EQ(strip_lto_suffix("foo.part.0", Lto::kFull), "foo.part.0");
  EXPECT_EQ(strip_lto_suffix("foo.specialized.1", Lto::kFull), "foo.specialized.1");
  EXPECT_EQ(strip_lto_suffix("foo.cold", Lto::kFull), "foo.cold");
  EXPECT_EQ(strip_lto_suffix("foo.cold.1", Lto::kFull), "foo.cold.1");
  // clang's static local "f.__key", renamed by the merge
  EXPECT_EQ(strip_lto_suffix("f.__key.7", Lto::kFull), "f.__key");
  EXPECT_EQ(strip_lto_suffix(".1", Lto::kFull), ".1");
  EXPECT_EQ(strip_lto_suffix("foo.", Lto::kFull), "foo.");
  EXPECT_EQ(strip_lto_suffix("foo", Lto::kFull), "foo");
}

TEST(Lto, NoneAndDetectKeepEveryName) {
  for (Lto lto : {Lto::kNone, Lto::kDetect}) {
    EXPECT_EQ(strip_lto_suffix("foo.llvm.1", lto), "foo.llvm.1");
    EXPECT_EQ(strip_lto_suffix("foo.7", lto), "foo.7");
  }
}

TEST(Lto, SpellingsRoundTrip) {
  for (Lto lto : {Lto::kDetect, Lto::kNone, Lto::kThin, Lto::kFull}) EXPECT_EQ(parse_lto(lto_spelling(lto)), lto);
  EXPECT_FALSE(parse_lto("yes").has_value());
  EXPECT_FALSE(parse_lto("").has_value());
}

TEST(LtoDetect, ConfigDecides) {
  EXPECT_EQ(lto_from_config("CONFIG_LTO=y\nCONFIG_LTO_CLANG=y\nCONFIG_LTO_CLANG_THIN=y\n"), Lto::kThin);
  EXPECT_EQ(lto_from_config("CONFIG_LTO_CLANG=y\nCONFIG_LTO_CLANG_FULL=y\n"), Lto::kFull);
  EXPECT_EQ(lto_from_config("CONFIG_LTO_NONE=y\n# CONFIG_LTO_CLANG_FULL is not set\n"), Lto::kNone);
  EXPECT_EQ(lto_from_config(""), Lto::kNone);
}

std::vector<NmLine> listing(const std::string& text) {
  auto lines = parse_nm_listing(text, "test.syms");
  EXPECT_TRUE(lines.has_value());
  return lines ? *lines : std::vector<NmLine>{};
}

TEST(LtoDetect, NamesDecideWithoutConfig) {
  const std::string thin = "ffffffff81000000 t c_start.llvm.1707263913215307104\nffffffff81000010 t c_start\n";
  EXPECT_EQ(lto_from_names(listing(thin)).lto, Lto::kThin);
  const std::string full = "ffffffff81000000 t name_show.49514\nffffffff81000010 t name_show.56508\n";
  EXPECT_EQ(lto_from_names(listing(full)).lto, Lto::kFull);
  // GCC: a static local's number, next to GCC's clones, is not full LTO's
  const std::string gcc = "ffffffff81000000 t nested.0\nffffffff81000010 t foo.constprop.0\n"
                          "ffffffff82000000 b __key.5\n";
  EXPECT_EQ(lto_from_names(listing(gcc)).lto, Lto::kNone);
  // a data symbol's number proves nothing
  EXPECT_EQ(lto_from_names(listing("ffffffff82000000 d __key.5\n")).lto, Lto::kNone);
  EXPECT_EQ(lto_from_names({}).lto, Lto::kNone);
  // 7.x's x86 .data is executable: GCC's numbered statics there are `t`,
  // but past _etext, where no code of an LTO link is
  const std::string data_as_text = "ffffffff81000000 T _stext\nffffffff81001000 T _etext\n"
                                   "ffffffff83000000 t descriptor.7\nffffffff83000010 t descriptor.7\n";
  EXPECT_EQ(lto_from_names(listing(data_as_text)).lto, Lto::kNone);
  EXPECT_EQ(lto_from_names(listing("ffffffff81000800 t name_show.49514\n" + data_as_text)).lto, Lto::kFull);
}

TEST(LtoDetect, TheTreeConfigBesideTheInputsWinsOverNames) {
  test::TempDir dir;
  ASSERT_EQ(::mkdir((dir.path() + "/include").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir.path() + "/include/config").c_str(), 0755), 0);
  test::write_text(dir.path() + "/include/config/auto.conf", "CONFIG_LTO_CLANG_FULL=y\n");
  KernelFiles files;
  files.vmlinux = dir.path() + "/.tmp_vmlinux.kallsyms1.syms";
  const std::string thin = "ffffffff81000000 t c_start.llvm.17\n";
  LtoDecision d = decide_lto(Lto::kDetect, files, listing(thin));
  EXPECT_EQ(d.lto, Lto::kFull);
  EXPECT_NE(d.reason.find("CONFIG_LTO_CLANG_FULL=y in " + dir.path() + "/include/config/auto.conf"),
            std::string::npos)
      << d.reason;
  // a config without Clang LTO, and marked suffixes in the names (GCC LTO)
  test::write_text(dir.path() + "/include/config/auto.conf", "CONFIG_LTO_GCC=y\n");
  const std::string gcc_lto = "ffffffff81000000 t foo.lto_priv.0\nffffffff81000010 t bar.constprop.0\n";
  d = decide_lto(Lto::kDetect, files, listing(gcc_lto));
  EXPECT_EQ(d.lto, Lto::kThin) << d.reason;
  EXPECT_EQ(decide_lto(Lto::kDetect, files, listing("ffffffff81000000 t __key.5\n")).lto, Lto::kNone);
  test::write_text(dir.path() + "/include/config/auto.conf", "CONFIG_LTO_CLANG_FULL=y\n");
  // an override is taken as given
  EXPECT_EQ(decide_lto(Lto::kNone, files, listing(thin)).lto, Lto::kNone);
  // a census file at the top of the tree finds the same config
  KernelFiles census_only;
  census_only.census_path = dir.path() + "/modules.symbfreq";
  EXPECT_EQ(decide_lto(Lto::kDetect, census_only, {}).lto, Lto::kFull);
  // without a config, the names
  KernelFiles elsewhere;
  elsewhere.vmlinux = "/nonexistent/System.map";
  EXPECT_EQ(decide_lto(Lto::kDetect, elsewhere, listing(thin)).lto, Lto::kThin);
}

TEST(LtoDetect, AnInstalledKernelsConfigBesideItsSystemMap) {
  test::TempDir dir;
  test::write_text(dir.path() + "/config-6.12.1-arm64", "CONFIG_LTO_CLANG_THIN=y\n");
  KernelFiles files;
  files.vmlinux = dir.path() + "/System.map-6.12.1-arm64";
  EXPECT_EQ(decide_lto(Lto::kDetect, files, {}).lto, Lto::kThin);
}

TEST(LtoDetect, ASnapshotCountsWithoutTheNumbersAndWatchesTheConfig) {
  test::TempDir dir;
  ASSERT_EQ(::mkdir((dir.path() + "/include").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir.path() + "/include/config").c_str(), 0755), 0);
  const std::string config = dir.path() + "/include/config/auto.conf";
  test::write_text(config, "CONFIG_LTO_CLANG_FULL=y\n");
  test::write_text(dir.file("vmlinux.syms"), "ffffffff81000000 t name_show.49514\nffffffff81000040 t name_show.56508\n"
                                             "ffffffff81000080 t foo.constprop.0\n");
  KernelFiles files;
  files.vmlinux = dir.file("vmlinux.syms");
  auto snapshot = KernelSnapshot::build(files, {});
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_EQ((*snapshot)->lto(), Lto::kFull);
  EXPECT_EQ((*snapshot)->census().count("name_show"), 2u);
  EXPECT_EQ((*snapshot)->census().count("foo.constprop.0"), 1u);
  EXPECT_FALSE((*snapshot)->sources_changed());
  // Reconfigured without LTO: another kernel, for the daemon's cache.
  test::write_text(config, "CONFIG_LTO_NONE=y\n# padding so the size changes\n");
  EXPECT_TRUE((*snapshot)->sources_changed());
}

}  // namespace
}  // namespace kas
