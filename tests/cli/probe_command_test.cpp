// kas probe on the fixture kernel, which carries no aliases: every location
// it prints is checked with binutils nm alone. A location NAME or
// NAME+0xOFF must use a NAME no other symbol of the kernel (vmlinux or any
// module) has, as the kernel's kprobe_events requires, and NAME's address
// plus OFF must be the probed function's.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

struct Probe {
  int exit_code = 0;
  std::string event;
  std::string location;
  std::string err;
};

Probe probe(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {test::kas_binary(), "probe"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = test::run_process(argv);
  Probe p{r.exit_code, {}, {}, r.err};
  static const std::regex line(R"(^p:kas/(\S+) (\S+)\n?$)");
  std::smatch m;
  if (std::regex_match(r.out, m, line)) {
    p.event = m[1];
    p.location = m[2];
  }
  return p;
}

// "NAME" or "NAME+0xOFF" -> (NAME, OFF).
std::pair<std::string, uint64_t> split_location(const std::string& location) {
  size_t plus = location.find('+');
  if (plus == std::string::npos) return {location, 0};
  return {location.substr(0, plus), std::stoull(location.substr(plus + 1), nullptr, 16)};
}

class ProbeCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    kernel_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(kernel_->root.empty());
    for (const test::NmSymbol& s : test::nm_symbols(kernel_->vmlinux())) {
      vmlinux_[s.name].push_back(s.value);
      ++everywhere_[s.name];
      if (s.type == 't' || s.type == 'T') text_.emplace_back(s.name, s.value);
    }
    for (const char* m : {"hello", "other", "hello_twin"}) {
      for (const test::NmSymbol& s : test::nm_symbols(kernel_->module(m))) ++everywhere_[s.name];
    }
  }
  const test::FixtureKernel* kernel_ = nullptr;
  std::map<std::string, std::vector<uint64_t>> vmlinux_;  // nm of vmlinux: name -> addresses
  std::map<std::string, int> everywhere_;                  // name -> definitions, vmlinux and modules
  std::vector<std::pair<std::string, uint64_t>> text_;
};

// kas lookup's table: the vmlinux definitions of `name`, address -> alias.
std::map<uint64_t, std::string> vmlinux_aliases(const std::string& tree, const std::string& name) {
  auto r = test::run_process({test::kas_binary(), "lookup", name, "--tree", tree, "--color", "never"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<uint64_t, std::string> out;
  for (const std::string& line : test::split_lines(r.out)) {
    std::istringstream in(line);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    if (f.size() >= 5 && f[0] == "vmlinux" && f.back().find('@') != std::string::npos) {
      out[std::stoull(f[3], nullptr, 16)] = f.back();
    }
  }
  return out;
}

TEST_F(ProbeCommand, EveryDuplicatedVmlinuxFunctionGetsALocationThatLandsOnIt) {
  size_t checked = 0;
  for (const auto& [name, address] : text_) {
    if (everywhere_[name] < 2) continue;
    const auto aliases = vmlinux_aliases(kernel_->objtree, name);
    auto it = aliases.find(address);
    if (it == aliases.end()) continue;  // no alias (no location in DWARF): nothing to probe by
    const Probe p = probe({it->second, "--tree", kernel_->objtree});
    ASSERT_EQ(p.exit_code, 0) << it->second << ": " << p.err;
    const auto [anchor, offset] = split_location(p.location);
    EXPECT_EQ(everywhere_[anchor], 1) << p.location << ": the kernel would refuse a name defined "
                                      << everywhere_[anchor] << " times";
    ASSERT_EQ(vmlinux_[anchor].size(), 1u) << p.location;
    EXPECT_EQ(vmlinux_[anchor].front() + offset, address) << it->second << " -> " << p.location;
    ++checked;
  }
  EXPECT_GE(checked, 6u);  // name_show x2, load_elf_binary x2, common_stub x2, ...
}

// With IBT (-fcf-protection=branch) functions start with ENDBR64. The
// kernel re-bases ANCHOR+0xOFF on the function holding it and moves a probe
// on its first byte past the ENDBR64, as for NAME+0 (_kprobe_addr(),
// arch_adjust_kprobe_addr()), so the location is the function's own address
// there too, never 4 bytes in.
TEST(ProbeCommandIbt, AnAnchoredLocationIsTheFunctionsAddressEvenWithEndbr64) {
  const test::FixtureKernel& k = test::fixture_kernel_with("-fcf-protection=branch");
  ASSERT_FALSE(k.root.empty());
  std::map<std::string, int> everywhere;
  std::map<std::string, std::vector<uint64_t>> in_vmlinux;
  for (const test::NmSymbol& s : test::nm_symbols(k.vmlinux())) {
    ++everywhere[s.name];
    in_vmlinux[s.name].push_back(s.value);
  }
  for (const char* m : {"hello", "other", "hello_twin"}) {
    for (const test::NmSymbol& s : test::nm_symbols(k.module(m))) ++everywhere[s.name];
  }
  size_t anchored_endbr = 0;
  for (const auto& [address, alias] : vmlinux_aliases(k.objtree, "name_show")) {
    char range[64];
    std::snprintf(range, sizeof range, "--start-address=0x%llx", static_cast<unsigned long long>(address));
    char stop[64];
    std::snprintf(stop, sizeof stop, "--stop-address=0x%llx", static_cast<unsigned long long>(address + 4));
    auto dis = test::run_process({"objdump", "-d", range, stop, k.vmlinux()});
    const bool endbr = dis.out.find("endbr64") != std::string::npos;
    const Probe p = probe({alias, "--tree", k.objtree});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    const auto [anchor, offset] = split_location(p.location);
    ASSERT_EQ(everywhere[anchor], 1) << p.location;
    EXPECT_EQ(in_vmlinux[anchor].front() + offset, address) << alias << " -> " << p.location;
    anchored_endbr += anchor != "name_show" && endbr;
  }
  EXPECT_GE(anchored_endbr, 1u);  // drivers/base/core.c's name_show is anchored and starts with ENDBR64
}

TEST_F(ProbeCommand, AUniqueNameIsItsOwnLocationAndAModuleNameIsQualified) {
  // A function name nm shows once in the whole kernel.
  std::string name;
  for (const auto& [n, address] : text_) {
    if (everywhere_[n] == 1 && n.find('.') == std::string::npos) {
      name = n;
      break;
    }
  }
  ASSERT_FALSE(name.empty());
  Probe p = probe({name, "--tree", kernel_->objtree});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.location, name);

  // hello's name_show: one in hello, others elsewhere.
  int in_hello = 0;
  for (const test::NmSymbol& s : test::nm_symbols(kernel_->module("hello"))) in_hello += s.name == "name_show";
  ASSERT_EQ(in_hello, 1);
  Probe m = probe({"hello:name_show", "--tree", kernel_->objtree});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(m.location, "hello:name_show");
}

TEST_F(ProbeCommand, AKernelBuiltWithAliasesIsProbedByTheAliasItself) {
  // A copy of vmlinux with a config beside it saying kallsyms has aliases.
  test::TempDir dir;
  std::filesystem::copy_file(kernel_->vmlinux(), dir.file("vmlinux"));
  test::write_text(dir.file(".config"), "CONFIG_KALLSYMS=y\nCONFIG_KALLSYMS_ALIAS_SRCLINE=y\n");
  const auto aliases = vmlinux_aliases(kernel_->objtree, "name_show");
  ASSERT_FALSE(aliases.empty());
  const std::string alias = aliases.begin()->second;
  Probe p = probe({alias, "--vmlinux", dir.file("vmlinux"), "--modules-order", kernel_->modules_order(),
                   "--srctree", kernel_->objtree});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.location, alias);
  Probe off = probe({alias + "+0x4", "--vmlinux", dir.file("vmlinux"), "--modules-order", kernel_->modules_order(),
                     "--srctree", kernel_->objtree});
  EXPECT_EQ(off.location, alias + "+0x4");
}

TEST_F(ProbeCommand, AnAmbiguousNameListsItsCandidatesAndExitsOne) {
  Probe p = probe({"name_show", "--tree", kernel_->objtree});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_TRUE(p.location.empty());
  EXPECT_NE(p.err.find("'name_show' names"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("name_show@drivers_base_core_c_"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("name_show@modules_hello_hello_c_"), std::string::npos) << p.err;
  Probe none = probe({"no_such_function", "--tree", kernel_->objtree});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no function named 'no_such_function'"), std::string::npos) << none.err;
}

// only_here is defined once in vmlinux (kernel/unique.c) and once in the
// hello module. Linux 6.x counts a plain name over vmlinux and every
// module, so the plain name is refused and a unique anchor is needed; from
// 7.1 on trace_kprobe.c counts vmlinux alone when it defines the name
// (number_of_same_symbols), so the plain name is vmlinux's. The release is
// the one the fixture's linux_banner claims, read as /proc/version shows.
TEST_F(ProbeCommand, AVmlinuxNameAModuleSharesIsPlainFromLinux71On) {
  ASSERT_EQ(vmlinux_["only_here"].size(), 1u);
  ASSERT_EQ(everywhere_["only_here"], 2);
  const auto& k73 = test::fixture_kernel_with("-DKAS_FIXTURE_LINUX_VERSION=\"7.3.4+deb13-amd64\"");
  const auto& k612 = test::fixture_kernel_with("-DKAS_FIXTURE_LINUX_VERSION=\"6.12.107\"");
  ASSERT_FALSE(k73.root.empty());
  ASSERT_FALSE(k612.root.empty());
  auto banner = test::run_process({"sh", "-c", "strings -a \"$0\" | grep '^Linux version '", k73.vmlinux()});
  ASSERT_EQ(banner.out, "Linux version 7.3.4+deb13-amd64 (fixture@kas) (gcc) #1 SMP\n");
  const auto aliases = vmlinux_aliases(k73.objtree, "only_here");
  ASSERT_EQ(aliases.size(), 1u);
  const std::string alias = aliases.begin()->second;

  // 7.3: the plain name, and vmlinux's alias, are probed as the plain name.
  Probe p = probe({"only_here", "--tree", k73.objtree});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.location, "only_here");
  Probe a = probe({alias, "--tree", k73.objtree});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.location, "only_here");
  auto json = test::run_process({test::kas_binary(), "probe", alias, "--tree", k73.objtree, "--json"});
  EXPECT_NE(json.out.find("\"how\":\"vmlinux-first\""), std::string::npos) << json.out;
  // The module's copy is still MOD:NAME.
  Probe m = probe({"hello:only_here", "--tree", k73.objtree});
  EXPECT_EQ(m.location, "hello:only_here") << m.err;

  // 6.12 refuses the plain name: kas says so, and places vmlinux's copy
  // by an anchor whose name is unique over vmlinux and the modules.
  Probe q = probe({"only_here", "--tree", k612.objtree});
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_NE(q.err.find("The symbol is not unique"), std::string::npos) << q.err;
  Probe b = probe({alias, "--tree", k612.objtree});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto [anchor, offset] = split_location(b.location);
  EXPECT_NE(anchor, "only_here");
  EXPECT_EQ(everywhere_[anchor], 1) << b.location;

  // A name vmlinux defines twice is refused by both.
  Probe dup = probe({"name_show", "--tree", k73.objtree});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("The symbol is not unique"), std::string::npos) << dup.err;
}

TEST_F(ProbeCommand, EventNamesAreIdentifiersTracefsAccepts) {
  const auto aliases = vmlinux_aliases(kernel_->objtree, "load_elf_binary");
  ASSERT_FALSE(aliases.empty());
  static const std::regex good("^[A-Za-z_][A-Za-z0-9_]*$");
  for (const auto& [address, alias] : aliases) {
    Probe p = probe({alias + "+0x1", "--tree", kernel_->objtree});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_TRUE(std::regex_match(p.event, good)) << p.event;
    EXPECT_LT(p.event.size(), 64u) << p.event;  // MAX_EVENT_NAME_LEN with its NUL
  }
  Probe named = probe({aliases.begin()->second, "--tree", kernel_->objtree, "--event", "mine"});
  EXPECT_EQ(named.event, "mine");
}

TEST_F(ProbeCommand, TheDaemonAnswersAsTheInProcessEngineDoes) {
  std::vector<std::string> specs;
  for (const auto& [address, alias] : vmlinux_aliases(kernel_->objtree, "name_show")) specs.push_back(alias);
  ASSERT_GE(specs.size(), 2u);
  specs.push_back("hello:name_show");
  specs.push_back(specs.front() + "+0x2");
  std::vector<std::string> args = {test::kas_binary(), "probe"};
  args.insert(args.end(), specs.begin(), specs.end());
  args.insert(args.end(), {"--tree", kernel_->objtree});
  auto daemon = test::run_process(args);
  ASSERT_EQ(daemon.exit_code, 0) << daemon.err;
  EXPECT_EQ(daemon.err, "");  // no "no kasd" warning: the daemon answered
  args.push_back("--no-daemon");
  auto local = test::run_process(args);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(daemon.out, local.out);
  EXPECT_EQ(test::split_lines(daemon.out).size(), specs.size());

  // An ambiguous SPEC: the same candidates and exit status both ways.
  auto bad_daemon = test::run_process({test::kas_binary(), "probe", "name_show", "--tree", kernel_->objtree});
  auto bad_local =
      test::run_process({test::kas_binary(), "probe", "name_show", "--tree", kernel_->objtree, "--no-daemon"});
  EXPECT_EQ(bad_daemon.exit_code, 1);
  EXPECT_EQ(bad_daemon.err, bad_local.err);
}

}  // namespace
}  // namespace kas
