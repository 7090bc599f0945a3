// kas module, the real binary, on the fixture modules. Expected aliases come
// from the LOC markers; the output is checked with readelf.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

std::string expected_alias(const std::string& name, const std::string& file) {
  for (const test::Marker& m : test::markers_for(name)) {
    if (m.file == file) return name + "@" + test::decorate(file) + "_" + std::to_string(m.line);
  }
  ADD_FAILURE() << "no marker for " << name << " in " << file;
  return {};
}

std::string module_qualified(const std::string& name, const std::string& file, const std::string& module) {
  std::string plain = expected_alias(name, file);
  size_t line_at = plain.rfind('_');
  return plain.substr(0, line_at) + "_" + module + plain.substr(line_at);
}

struct Sym {
  std::string value, size, type, bind, ndx;
};

// name -> fields, from readelf -sW
std::map<std::string, Sym> symbols_of(const std::string& path) {
  auto r = test::run_process({"readelf", "-sW", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Sym> out;
  std::regex row(R"(^\s*\d+:\s+([0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S+)$)");
  for (const std::string& line : test::split_lines(r.out)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) out[m[6]] = {m[1], m[2], m[3], m[4], m[5]};
  }
  return out;
}

std::set<std::string> aliases_in(const std::string& path) {
  std::set<std::string> out;
  for (const auto& [name, sym] : symbols_of(path)) {
    if (name.find('@') != std::string::npos) out.insert(name);
  }
  return out;
}

// On each architecture the fixture is built for (x86-64, and aarch64 with
// patchable entries, BTI and mapping symbols).
class ModuleCommand : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(k_.root.empty());
    module_ = dir_.file("hello.o");
    std::filesystem::copy_file(k_.module("hello"), module_);
    original_ = test::read_text(module_);
  }
  test::ProcessResult kas_module(std::vector<std::string> extra) {
    std::vector<std::string> argv = {test::kas_binary(), "module", module_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return test::run_process(argv);
  }
  std::vector<std::string> build_census() {
    return {"--nm", k_.syms(), "--modules-order", k_.modules_order()};
  }
  const test::FixtureKernel& k_ = test::fixture_kernel(GetParam());
  test::TempDir dir_;
  std::string module_;
  std::string original_;
};

TEST_P(ModuleCommand, AddsExactlyTheExpectedAliasesMirroringTheirSymbols) {
  auto r = kas_module(build_census());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(module_), original_) << "the input was modified";
  std::string out = module_ + ".kas";
  std::set<std::string> expected = {
      expected_alias("name_show", "modules/hello/hello.c"),      // .text+0
      expected_alias("hello_fail", "modules/hello/hello.c"),     // .text.unlikely+0
      expected_alias("only_here", "modules/hello/hello.c"),      // global T
      // hello_extra.c is linked into hello_twin too: same name, same line in
      // both modules, so the alias carries the module name
      module_qualified("hello_extra_fn", "modules/hello/hello_extra.c", "hello"),
  };
  EXPECT_EQ(aliases_in(out), expected);
  auto syms = symbols_of(out);
  for (const std::string& alias : expected) {
    const Sym& a = syms.at(alias);
    const Sym& s = syms.at(alias.substr(0, alias.find('@')));
    EXPECT_EQ(a.value, s.value) << alias;
    EXPECT_EQ(a.size, s.size) << alias;
    EXPECT_EQ(a.type, s.type) << alias;
    EXPECT_EQ(a.ndx, s.ndx) << alias;
    EXPECT_EQ(a.bind, s.bind) << alias;
  }
  EXPECT_EQ(syms.at(expected_alias("only_here", "modules/hello/hello.c")).bind, "GLOBAL");
  auto ld = test::run_process({test::binutils_for(out, "ld"), "-r", "-o", dir_.file("hello.ko"), out});
  EXPECT_EQ(ld.exit_code, 0) << ld.err;
}

TEST_P(ModuleCommand, ASourceFileInTwoModulesGetsDistinctAliasesInEach) {
  for (const std::vector<std::string>& census :
       {std::vector<std::string>{"--nm", k_.syms(), "--modules-order", k_.modules_order()},
        std::vector<std::string>{"--census", dir_.file("symbfreq")}}) {
    if (census[0] == "--census") {
      auto made = test::run_process({test::kas_binary(), "census", "--nm", k_.syms(), "--modules-order",
                                     k_.modules_order(), "--units", "-o", dir_.file("symbfreq")});
      ASSERT_EQ(made.exit_code, 0) << made.err;
    }
    std::vector<std::string> twin = {test::kas_binary(), "module", k_.module_object("hello_twin"), "-o",
                                     dir_.file("twin.o")};
    twin.insert(twin.end(), census.begin(), census.end());
    ASSERT_EQ(test::run_process(twin).exit_code, 0);
    std::vector<std::string> hello = {test::kas_binary(), "module", k_.module_object("hello"), "-o",
                                      dir_.file("hello.out")};
    hello.insert(hello.end(), census.begin(), census.end());
    ASSERT_EQ(test::run_process(hello).exit_code, 0);
    EXPECT_EQ(aliases_in(dir_.file("twin.o")),
              (std::set<std::string>{module_qualified("hello_extra_fn", "modules/hello/hello_extra.c", "hello_twin")}));
    EXPECT_TRUE(aliases_in(dir_.file("hello.out"))
                    .count(module_qualified("hello_extra_fn", "modules/hello/hello_extra.c", "hello")));
  }
}

// kbuild may compile one file into modules of different directories (arm64's
// hns3_common/hclge_comm_cmd.c into hns3pf/hclge.ko and hns3vf/hclgevf.ko).
// Here hello_extra.c, in modules listed from two directories.
TEST_P(ModuleCommand, ASourceFileInModulesOfTwoDirectoriesGetsDistinctAliases) {
  std::filesystem::create_directories(dir_.file("tree/pf"));
  std::filesystem::create_directories(dir_.file("tree/vf"));
  std::filesystem::copy_file(k_.module("hello"), dir_.file("tree/pf/hello.ko"));
  std::filesystem::copy_file(k_.module("hello_twin"), dir_.file("tree/vf/hello_twin.ko"));
  test::write_text(dir_.file("tree/modules.order"), "pf/hello.ko\nvf/hello_twin.ko\n");
  std::string order = dir_.file("tree/modules.order");
  for (const auto& [module, name] : {std::pair{dir_.file("tree/vf/hello_twin.ko"), "hello_twin"},
                                     std::pair{dir_.file("tree/pf/hello.ko"), "hello"}}) {
    auto r = test::run_process({test::kas_binary(), "module", module, "-o", module + ".out", "--nm", k_.syms(),
                                "--modules-order", order});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(aliases_in(module + ".out")
                    .count(module_qualified("hello_extra_fn", "modules/hello/hello_extra.c", name)))
        << module;
  }
}

TEST_P(ModuleCommand, DataAliasesAndNoneInInitOrExit) {
  auto r = kas_module(
      {"--nm", k_.syms(), "--modules-order", k_.modules_order(), "--data", "-o", dir_.file("out.o")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto aliases = aliases_in(dir_.file("out.o"));
  EXPECT_TRUE(aliases.count(expected_alias("hello_count", "modules/hello/hello.c")));  // .data+0
  EXPECT_TRUE(aliases.count(expected_alias("hello_names", "modules/hello/hello.c")));  // .rodata+0
  for (const std::string& a : aliases) {
    EXPECT_NE(a.rfind("hello_init@", 0), 0u) << a;  // .init.text: discarded after load
    EXPECT_NE(a.rfind("hello_exit@", 0), 0u) << a;  // .exit.text
  }
  auto syms = symbols_of(dir_.file("out.o"));
  EXPECT_EQ(syms.at(expected_alias("hello_count", "modules/hello/hello.c")).value, "0000000000000000");
  EXPECT_EQ(syms.at(expected_alias("hello_names", "modules/hello/hello.c")).value, "0000000000000000");
}

TEST_P(ModuleCommand, CensusFileOfTheSameBuildDoesNotCountTheModuleTwice) {
  auto census = test::run_process({test::kas_binary(), "census", "--nm", k_.syms(), "--modules-order",
                                   k_.modules_order(), "--units", "-o", dir_.file("symbfreq")});
  ASSERT_EQ(census.exit_code, 0) << census.err;
  auto r = kas_module({"--census", dir_.file("symbfreq"), "-o", dir_.file("a.o")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // nothing newly duplicated: the census had this module
  auto by_order = kas_module({"--nm", k_.syms(), "--modules-order", k_.modules_order(), "-o", dir_.file("b.o")});
  ASSERT_EQ(by_order.exit_code, 0);
  EXPECT_EQ(aliases_in(dir_.file("a.o")), aliases_in(dir_.file("b.o")));
  EXPECT_FALSE(aliases_in(dir_.file("a.o")).empty());
}

TEST_P(ModuleCommand, ReportsNamesItMakesNewlyDuplicate) {
  // A census without this module: vmlinux + the other module only.
  test::write_text(dir_.file("modules.order"), "other.ko\n");
  std::filesystem::copy_file(k_.module("other"), dir_.file("other.ko"));
  auto r = kas_module({"--nm", k_.syms(), "--modules-order", dir_.file("modules.order"), "-o", dir_.file("a.o")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // only_here (vmlinux has one) and hello_fail (other has one) were unique;
  // name_show was already duplicated in vmlinux.
  EXPECT_NE(r.err.find("'only_here' was unique and is now duplicated"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'hello_fail' was unique and is now duplicated"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("'name_show'"), std::string::npos) << r.err;
}

TEST_P(ModuleCommand, NothingToAliasWritesAnIdenticalCopy) {
  test::write_text(dir_.file("empty.symbfreq"), "unrelated:1\n");
  auto r = kas_module({"--census", dir_.file("empty.symbfreq"), "-o", dir_.file("copy.o")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(dir_.file("copy.o")), original_);
}

TEST_P(ModuleCommand, InPlaceReplacesAtomicallyAndIsIdempotent) {
  auto r = kas_module({"--nm", k_.syms(), "--modules-order", k_.modules_order(), "--in-place"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto once = aliases_in(module_);
  EXPECT_EQ(once.size(), 4u);
  auto again = kas_module({"--nm", k_.syms(), "--modules-order", k_.modules_order(), "--in-place"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(aliases_in(module_), once);
  EXPECT_EQ(test::count_entries(dir_.path()), 1u);  // no temporaries left
}

TEST_P(ModuleCommand, InstalledKernelCensus) {
  // An unpacked "kernel package": boot/System.map-R and lib/modules/R/...
  std::string release = "6.1.0-test";
  std::string moddir = dir_.file("root/lib/modules/" + release);
  std::filesystem::create_directories(moddir + "/kernel/modules/other");
  std::filesystem::create_directories(moddir + "/kernel/modules/hello");
  std::filesystem::create_directories(dir_.file("root/boot"));
  std::filesystem::copy_file(k_.syms(), dir_.file("root/boot/System.map-" + release));
  std::filesystem::copy_file(k_.module("other"), moddir + "/kernel/modules/other/other.ko");
  std::filesystem::copy_file(k_.module("hello_twin"), moddir + "/kernel/modules/hello/hello_twin.ko");
  std::filesystem::copy_file(k_.module("hello"), moddir + "/kernel/modules/hello/hello.ko");  // replaced by ours
  auto r = kas_module({"--kernel", moddir, "-o", dir_.file("k.o"), "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto by_order = kas_module({"--nm", k_.syms(), "--modules-order", k_.modules_order(), "-o", dir_.file("b.o")});
  EXPECT_EQ(aliases_in(dir_.file("k.o")), aliases_in(dir_.file("b.o")));
  // A directory named without a '/' is one relative to where kas runs, not a
  // release, also when kasd (running elsewhere) reads it.
  auto relative = test::run_process(
      {test::kas_binary(), "module", module_, "--kernel", release, "-o", dir_.file("r.o")}, dir_.file("root/lib/modules"));
  ASSERT_EQ(relative.exit_code, 0) << relative.err;
  EXPECT_EQ(aliases_in(dir_.file("r.o")), aliases_in(dir_.file("b.o")));

  auto missing = kas_module({"--kernel", dir_.file("nowhere/lib/modules/9.9")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nowhere/lib/modules/9.9"), std::string::npos) << missing.err;
}

TEST_P(ModuleCommand, Errors) {
  // an executable is not a module object
  auto exe = test::run_process({test::kas_binary(), "module", k_.vmlinux(), "--census", k_.syms()});
  EXPECT_EQ(exe.exit_code, 1);
  EXPECT_NE(exe.err.find("not a relocatable object"), std::string::npos) << exe.err;
  // aliases needed but no DWARF: fail, and leave no output
  std::string stripped = dir_.file("stripped.o");
  ASSERT_EQ(test::run_process({test::binutils_for(module_, "objcopy"), "--strip-debug", module_, stripped}).exit_code, 0);
  auto nodebug = test::run_process({test::kas_binary(), "module", stripped, "--nm", k_.syms(), "--modules-order",
                                    k_.modules_order()});
  EXPECT_EQ(nodebug.exit_code, 1);
  EXPECT_NE(nodebug.err.find("no debug info"), std::string::npos) << nodebug.err;
  EXPECT_FALSE(test::exists(stripped + ".kas"));
  // usage
  EXPECT_EQ(kas_module({"--in-place", "-o", "x"}).exit_code, 2);
  EXPECT_EQ(kas_module({}).exit_code, 2);
  EXPECT_EQ(test::run_process({test::kas_binary(), "module", "--help"}).exit_code, 0);
  EXPECT_EQ(test::read_text(module_), original_);
}

INSTANTIATE_TEST_SUITE_P(Arches, ModuleCommand, ::testing::Values("intree", "arm64"));

}  // namespace
}  // namespace kas
