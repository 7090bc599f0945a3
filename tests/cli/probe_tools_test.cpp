// kas probe's outputs for other tools, on the fixture kernel: bpftrace's and
// perf's own parsers read what --format bpftrace|perf prints; --install and
// --remove write a tracefs directory (a plain one standing in for
// /sys/kernel/tracing); --kallsyms and --address read a kallsyms listing;
// --json is checked against doc/schema.
#include <sys/stat.h>
#include <unistd.h>

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

bool have(const std::string& program) {
  return test::run_process({"sh", "-c", "command -v " + program}).exit_code == 0;
}

class ProbeTools : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
    for (const test::NmSymbol& s : test::nm_symbols(k_->vmlinux())) nm_[s.name].push_back(s.value);
    // name_show's vmlinux copies by alias, from kas lookup's table.
    auto r = kas({"lookup", "name_show", "--color", "never"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const std::string& line : test::split_lines(r.out)) {
      std::istringstream in(line);
      std::vector<std::string> f;
      for (std::string w; in >> w;) f.push_back(w);
      if (f.size() >= 5 && f[0] == "vmlinux" && f.back().find('@') != std::string::npos) {
        aliases_[f.back()] = std::stoull(f[3], nullptr, 16);
      }
    }
    ASSERT_GE(aliases_.size(), 2u);
  }
  test::ProcessResult kas(std::vector<std::string> args) {
    args.insert(args.begin(), test::kas_binary());
    args.push_back("--tree");
    args.push_back(k_->objtree);
    return test::run_process(args);
  }
  // An alias whose location is anchored (UNIQUE+0xOFF) and one unique name.
  std::string anchored_alias() {
    for (const auto& [alias, address] : aliases_) {
      auto r = kas({"probe", alias, "--json"});
      if (r.out.find("\"how\":\"anchor\"") != std::string::npos) return alias;
    }
    return {};
  }
  std::string unique_function() {
    for (const test::NmSymbol& s : test::nm_symbols(k_->vmlinux())) {
      if ((s.type == 't' || s.type == 'T') && nm_[s.name].size() == 1 && s.name.find('.') == std::string::npos &&
          s.name.rfind("_", 0) != 0 && s.name != "name_store") {
        bool in_module = false;
        for (const char* m : {"hello", "other", "hello_twin"}) {
          for (const test::NmSymbol& ms : test::nm_symbols(k_->module(m))) in_module = in_module || ms.name == s.name;
        }
        if (!in_module) return s.name;
      }
    }
    return {};
  }
  const test::FixtureKernel* k_ = nullptr;
  std::map<std::string, std::vector<uint64_t>> nm_;
  std::map<std::string, uint64_t> aliases_;  // vmlinux name_show alias -> address
  test::TempDir dir_;
};

// The probe bpftrace's parser made of `probe` ("kprobe:NAME+OFF", offset in
// decimal), from its AST dump (-d): bpftrace needs no BPF for that.
std::string bpftrace_parsed(const std::string& probe) {
  auto r = test::run_process({"bpftrace", "-d", "-e", probe + " { }"});
  std::regex line(R"(^ ((?:kprobe|kretprobe):\S+)$)");
  for (const std::string& l : test::split_lines(r.out + r.err)) {
    std::smatch m;
    if (std::regex_match(l, m, line)) return m[1];
  }
  return "(bpftrace did not parse it: " + r.out + r.err + ")";
}

TEST_F(ProbeTools, BpftraceParsesTheAttachPointsItPrints) {
  if (!have("bpftrace")) GTEST_SKIP() << "no bpftrace";
  const std::string name = unique_function();
  ASSERT_FALSE(name.empty());
  auto plain = kas({"probe", name, name + "+0x1", "--format", "bpftrace"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "kprobe:" + name + "\nkprobe:" + name + "+0x1\n");
  EXPECT_EQ(bpftrace_parsed("kprobe:" + name + "+0x1"), "kprobe:" + name + "+1");
  auto ret = kas({"probe", name, "--format", "bpftrace", "--return"});
  EXPECT_EQ(ret.out, "kretprobe:" + name + "\n");

  // A kernel with aliases: the alias holds '@', bpftrace's map sigil, so
  // it is quoted; the parser keeps the offset after the quote.
  test::write_text(dir_.file("kallsyms"), "ffffffff81000000 T _text\nffffffff81000100 t " + aliases_.begin()->first +
                                              "\n");
  auto alias = kas({"probe", aliases_.begin()->first + "+0x4", "--kallsyms", dir_.file("kallsyms"), "--format",
                    "bpftrace"});
  ASSERT_EQ(alias.exit_code, 0) << alias.err;
  EXPECT_EQ(alias.out, "kprobe:\"" + aliases_.begin()->first + "\"+0x4\n");
  EXPECT_EQ(bpftrace_parsed(alias.out.substr(0, alias.out.size() - 1)), "kprobe:" + aliases_.begin()->first + "+4");
}

TEST_F(ProbeTools, AnAnchoredLocationIsGivenToBpftraceAndPerfAsTheKprobeEvent) {
  const std::string alias = anchored_alias();
  ASSERT_FALSE(alias.empty());
  auto line = kas({"probe", alias});
  ASSERT_EQ(line.exit_code, 0) << line.err;
  const std::string event = line.out.substr(6, line.out.find(' ') - 6);  // "p:kas/EVENT LOCATION"
  auto bpf = kas({"probe", alias, "--format", "bpftrace"});
  EXPECT_EQ(bpf.exit_code, 0);
  EXPECT_EQ(bpf.out, "tracepoint:kas:" + event + "\n");
  EXPECT_NE(bpf.err.find("--install"), std::string::npos) << bpf.err;
  auto perf = kas({"probe", alias, "--format", "perf"});
  EXPECT_EQ(perf.out, "perf record -e kas:" + event + " -a\n");
}

// perf probe -D prints the kprobe_events definition it would write, here
// from the fixture's own vmlinux and module files (-k, -m PATH).
TEST_F(ProbeTools, PerfTurnsThePrintedCommandsIntoTheSameKprobe) {
  if (!have("perf")) GTEST_SKIP() << "no perf";
  const std::string name = unique_function();
  auto r = kas({"probe", name + "+0x1", "hello:name_show", "--format", "perf"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = test::split_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  std::regex command(R"(^perf probe (?:-m (\S+) )?-a '(kas:(\w+)=(\S+))'$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, command)) << lines[0];
  auto dry = test::run_process({"perf", "probe", "-k", k_->vmlinux(), "-D", m[2]});
  EXPECT_EQ(dry.out, "p:kas/" + std::string(m[3]) + " " + name + "+1\n") << dry.err;

  ASSERT_TRUE(std::regex_match(lines[1], m, command)) << lines[1];
  EXPECT_EQ(m[1], "hello");
  auto mod = test::run_process({"perf", "probe", "-m", k_->module("hello"), "-D", m[2]});
  EXPECT_EQ(mod.out, "p:kas/" + std::string(m[3]) + " " + k_->module("hello") + ":name_show+0\n") << mod.err;

  // The alias's '@' is escaped: perf looks for a symbol of that very name
  // (this vmlinux has none), not for name_show in a file.
  test::write_text(dir_.file("kallsyms"), "ffffffff81000100 t " + aliases_.begin()->first + "\n");
  auto alias = kas({"probe", aliases_.begin()->first, "--kallsyms", dir_.file("kallsyms"), "--format", "perf"});
  const std::string alias_line = alias.out.substr(0, alias.out.size() - 1);
  ASSERT_TRUE(std::regex_match(alias_line, m, command)) << alias.out;
  auto missing = test::run_process({"perf", "probe", "-k", k_->vmlinux(), "-D", m[2]});
  EXPECT_NE((missing.out + missing.err).find("'" + aliases_.begin()->first + "' not found"), std::string::npos)
      << missing.out << missing.err;
}

TEST_F(ProbeTools, KallsymsSaysWhetherTheKernelHasAliases) {
  const std::string alias = anchored_alias();
  ASSERT_FALSE(alias.empty());
  test::write_text(dir_.file("with"), "ffffffff81000000 T _text\nffffffff81000100 t " + alias + "\n");
  test::write_text(dir_.file("without"), "ffffffff81000000 T _text\nffffffff81000100 t name_show\n");
  auto with = kas({"probe", alias, "--kallsyms", dir_.file("with")});
  EXPECT_EQ(with.out, "p:kas/" + std::regex_replace(alias, std::regex("[^A-Za-z0-9_]"), "_") + " " + alias + "\n");
  auto without = kas({"probe", alias, "--kallsyms", dir_.file("without")});
  EXPECT_EQ(without.exit_code, 0);
  EXPECT_EQ(without.out.find(alias.substr(alias.find('@'))), std::string::npos) << without.out;  // anchored
}

TEST_F(ProbeTools, AddressIsTheRunningKernelsAddressOfTheLocation) {
  const std::string alias = anchored_alias();
  ASSERT_FALSE(alias.empty());
  auto line = kas({"probe", alias});
  const std::string location = line.out.substr(line.out.find(' ') + 1, line.out.size() - line.out.find(' ') - 2);
  const std::string anchor = location.substr(0, location.find('+'));
  const uint64_t offset = std::stoull(location.substr(location.find('+') + 1), nullptr, 16);
  // The anchor where this "running kernel" has it (KASLR moved it).
  const uint64_t runtime = 0xffffffff9a000000ull + nm_[anchor].front() % 0x1000000;
  char entry[128];
  std::snprintf(entry, sizeof entry, "%016llx t %s\n", static_cast<unsigned long long>(runtime), anchor.c_str());
  test::write_text(dir_.file("kallsyms"), std::string("ffffffff9a000000 T _text\n") + entry);
  auto r = kas({"probe", alias, "--address", "--kallsyms", dir_.file("kallsyms")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  char want[64];
  std::snprintf(want, sizeof want, "0x%llx", static_cast<unsigned long long>(runtime + offset));
  EXPECT_EQ(r.out.substr(r.out.find(' ') + 1), std::string(want) + "\n");
  EXPECT_EQ(runtime + offset - aliases_[alias], runtime - nm_[anchor].front());  // the function's own address

  auto usage = kas({"probe", alias, "--address"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--live"), std::string::npos) << usage.err;
}

TEST_F(ProbeTools, AReturnProbeWithAnOffsetIsRefused) {
  auto r = kas({"probe", aliases_.begin()->first + "+0x4", "--return"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("return probe"), std::string::npos) << r.err;
  auto ok = kas({"probe", aliases_.begin()->first, "--return"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind("r:kas/", 0), 0u) << ok.out;
}

TEST_F(ProbeTools, JsonFollowsItsSchemaAndAgreesWithTheText) {
  const std::string alias = anchored_alias();
  auto r = kas({"probe", alias, "hello:name_show", "name_show", "--json"});
  EXPECT_EQ(r.exit_code, 1);  // plain name_show is ambiguous
  test::write_text(dir_.file("out.json"), r.out);
  auto valid = test::run_process(
      {"sh", "-c", "python3 '" + test::fixtures_dir() + "/../../doc/schema/validate.py' kas-probe-1 < '" +
                       dir_.file("out.json") + "'"});
  EXPECT_EQ(valid.exit_code, 0) << valid.err << r.out;
  auto text = kas({"probe", alias, "hello:name_show"});
  for (const std::string& line : test::split_lines(text.out)) {
    std::string escaped;
    for (char c : line) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
    EXPECT_NE(r.out.find("\"kprobe_events\":\"" + escaped + "\""), std::string::npos) << line << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("\"query\":\"name_show\",\"error\":\"'name_show' names"), std::string::npos) << r.out;
}

// A module holding two static dup_fn, the first at the start of .text:
// nothing uniquely named precedes it, and kprobe_events takes no negative
// offset, so only --address places it (from the symbol after it).
TEST_F(ProbeTools, AFunctionWithNoUniqueSymbolBeforeItIsPlacedOnlyByAddress) {
  const std::string mods = dir_.file("mods");
  std::filesystem::create_directory(mods);
  test::write_text(dir_.file("a.c"), "static int __attribute__((noinline)) dup_fn(int x) { return x * 3 + 1; }\n"
                                     "int dup_a_entry(int x) { return dup_fn(x) + 2; }\n");
  test::write_text(dir_.file("b.c"), "static int __attribute__((noinline)) dup_fn(int x) { return x * 5 + 7; }\n"
                                     "int dup_b_entry(int x) { return dup_fn(x) - 1; }\n");
  for (const char* unit : {"a", "b"}) {
    auto cc = test::run_process({"gcc", "-g", "-O2", "-c", dir_.file(std::string(unit) + ".c"), "-o",
                                 dir_.file(std::string(unit) + ".o")});
    ASSERT_EQ(cc.exit_code, 0) << cc.err;
  }
  auto ld = test::run_process({"ld", "-r", dir_.file("a.o"), dir_.file("b.o"), "-o", mods + "/dupmod.ko"});
  ASSERT_EQ(ld.exit_code, 0) << ld.err;
  std::vector<uint64_t> dup;
  uint64_t entry = 0;
  for (const test::NmSymbol& s : test::nm_symbols(mods + "/dupmod.ko")) {
    if (s.name == "dup_fn") dup.push_back(s.value);
    if (s.name == "dup_a_entry") entry = s.value;
  }
  ASSERT_EQ(dup.size(), 2u);
  ASSERT_EQ(dup.front(), 0u);
  ASSERT_GT(entry, dup.front());
  const std::vector<std::string> target = {"--vmlinux", k_->vmlinux(), "--modules", mods, "--srctree", dir_.path(),
                                           "--no-daemon"};
  auto probe = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {test::kas_binary(), "probe"});
    args.insert(args.end(), target.begin(), target.end());
    return test::run_process(args);
  };
  const std::string first = "dupmod:dup_fn@a_c_1";
  auto none = probe({first, "--json"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.out.find("\"location\":null,\"anchor\":\"dup_a_entry\",\"anchor_offset\":" +
                          std::to_string(entry - dup.front()) + ",\"anchor_after\":true"),
            std::string::npos)
      << none.out;
  EXPECT_NE(none.out.find("no uniquely named symbol before 'dup_fn'"), std::string::npos) << none.out;

  // The module loaded at 0xffffffffc0a00000 by this kallsyms.
  char line[128];
  std::snprintf(line, sizeof line, "ffffffff81000000 T _text\n%016llx T dup_a_entry\t[dupmod]\n",
                static_cast<unsigned long long>(0xffffffffc0a00000ull + entry));
  test::write_text(dir_.file("kallsyms"), line);
  auto placed = probe({first, "--address", "--kallsyms", dir_.file("kallsyms")});
  EXPECT_EQ(placed.exit_code, 0) << placed.err;
  EXPECT_EQ(placed.out, "p:kas/dup_fn_a_c_1 0xffffffffc0a00000\n");

  // The second copy has dup_a_entry before it.
  auto second = probe({"dupmod:dup_fn@b_c_1"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  char want[64];
  std::snprintf(want, sizeof want, "dupmod:dup_a_entry+0x%llx", static_cast<unsigned long long>(dup.back() - entry));
  EXPECT_EQ(second.out, "p:kas/dup_fn_b_c_1 " + std::string(want) + "\n");
}

// A stand-in tracefs: kprobe_events and error_log as plain files.
class ProbeTracefs : public ProbeTools {
 protected:
  void SetUp() override {
    ProbeTools::SetUp();
    tracefs_ = dir_.file("tracing");
    std::filesystem::create_directory(tracefs_);
    test::write_text(tracefs_ + "/kprobe_events", "p:other/mine vfs_read+0\n");
    test::write_text(tracefs_ + "/error_log", "");
  }
  std::string events() const { return test::read_text(tracefs_ + "/kprobe_events"); }
  std::string tracefs_;
};

TEST_F(ProbeTracefs, InstallAppendsTheLineOnceAndRemoveDeletesTheEvent) {
  const std::string alias = anchored_alias();
  auto line = kas({"probe", alias});
  ASSERT_EQ(line.exit_code, 0);
  auto add = kas({"probe", alias, "--install", "--tracefs", tracefs_});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, line.out);
  EXPECT_EQ(events(), "p:other/mine vfs_read+0\n" + line.out);  // appended: the other event stays
  const std::string event = line.out.substr(2, line.out.find(' ') - 2);
  EXPECT_NE(add.err.find(tracefs_ + "/events/" + event + "/enable"), std::string::npos) << add.err;

  // Again: nothing written. bpftrace and perf now get the event.
  auto again = kas({"probe", alias, "--install", "--tracefs", tracefs_, "--format", "bpftrace"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "tracepoint:kas:" + event.substr(4) + "\n");
  EXPECT_EQ(events(), "p:other/mine vfs_read+0\n" + line.out);

  // The same event name on another function: refused, not replaced.
  auto other = kas({"probe", std::prev(aliases_.end())->first == alias ? aliases_.begin()->first
                                                                       : std::prev(aliases_.end())->first,
                    "--event", event.substr(4), "--install", "--tracefs", tracefs_});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("exists already"), std::string::npos) << other.err;

  auto del = kas({"probe", alias, "--remove", "--tracefs", tracefs_});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(events(), "p:other/mine vfs_read+0\n" + line.out + "-:" + event + "\n");
  EXPECT_EQ(del.out, "");

  auto none = kas({"probe", aliases_.begin()->first, "--event", "never_added", "--remove", "--tracefs", tracefs_});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no event kas/never_added"), std::string::npos) << none.err;
}

// Entry and return probes of one function get their own events (perf's
// NAME__return), so both can be installed, and each removed alone.
TEST_F(ProbeTracefs, TheEntryAndTheReturnProbeOfAFunctionAreBothInstalled) {
  const std::string alias = aliases_.begin()->first;
  auto entry = kas({"probe", alias, "--install", "--tracefs", tracefs_});
  ASSERT_EQ(entry.exit_code, 0) << entry.err;
  auto ret = kas({"probe", alias, "--return", "--install", "--tracefs", tracefs_});
  ASSERT_EQ(ret.exit_code, 0) << ret.err;
  ASSERT_TRUE(entry.out.starts_with("p:kas/")) << entry.out;
  const std::string event = entry.out.substr(6, entry.out.find(' ') - 6);
  EXPECT_EQ(ret.out, "r:kas/" + event + "__return" + entry.out.substr(entry.out.find(' ')));
  EXPECT_EQ(events(), "p:other/mine vfs_read+0\n" + entry.out + ret.out);
  for (const char* format : {"bpftrace", "perf"}) {  // installed: each tool gets its own event
    auto named = kas({"probe", alias, "--return", "--install", "--tracefs", tracefs_, "--format", format});
    EXPECT_EQ(named.exit_code, 0) << named.err;
    EXPECT_NE(named.out.find("kas:" + event + "__return"), std::string::npos) << named.out;
  }

  auto del = kas({"probe", alias, "--return", "--remove", "--tracefs", tracefs_});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(events(), "p:other/mine vfs_read+0\n" + entry.out + ret.out + "-:kas/" + event + "__return\n");
}

TEST_F(ProbeTracefs, TheKernelsRefusalIsShownWithItsErrorLog) {
  // A write that fails as a refused command does; error_log holds the
  // kernel's entry for it.
  std::filesystem::remove(tracefs_ + "/kprobe_events");
  std::filesystem::create_symlink("/dev/full", tracefs_ + "/kprobe_events");
  test::write_text(tracefs_ + "/error_log",
                   "[   12.000000] trace_kprobe: error: Failed to find symbol\n"
                   "  Command: p:kas/x nosuch\n"
                   "                   ^\n");
  auto r = kas({"probe", aliases_.begin()->first, "--install", "--tracefs", tracefs_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(tracefs_ + "/kprobe_events: the kernel refused 'p:kas/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("  [   12.000000] trace_kprobe: error: Failed to find symbol"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(ProbeTracefs, NoTracefsAndNoPermissionSayWhy) {
  auto none = kas({"probe", aliases_.begin()->first, "--install", "--tracefs", dir_.file("nowhere")});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find(dir_.file("nowhere") + "/kprobe_events"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("CONFIG_KPROBE_EVENTS"), std::string::npos) << none.err;

  // Without the right to write kprobe_events (root without
  // CAP_DAC_OVERRIDE, as a user would be).
  ASSERT_EQ(::chmod((tracefs_ + "/kprobe_events").c_str(), 0444), 0);
  std::vector<std::string> argv = {test::kas_binary(), "probe", aliases_.begin()->first, "--tree", k_->objtree,
                                   "--install", "--tracefs", tracefs_, "--no-daemon"};
  if (::geteuid() == 0) argv.insert(argv.begin(), {"setpriv", "--bounding-set=-all", "--inh-caps=-all"});
  auto denied = test::run_process(argv);
  EXPECT_EQ(denied.exit_code, 1) << denied.err;
  EXPECT_NE(denied.err.find(tracefs_ + "/kprobe_events: Permission denied: adding or removing kprobes needs root"),
            std::string::npos)
      << denied.err;
  EXPECT_EQ(events(), "p:other/mine vfs_read+0\n");
}

// Issue 27 F: what kas writes to kprobe_events is checked against the
// kernel's rules first (client/tracefs/tracefs_names); a name that would add a
// command or cut one short is refused and nothing is written.
class ProbeInjection : public ProbeTracefs {
 protected:
  // A module whose names are whatever its ELF file says: dup_fn twice
  // (a.c, b.c) and, right before b.c's, a.c's last function renamed to
  // `anchor` (objcopy), which kas probe places b.c's dup_fn from. Returns
  // the target options.
  std::vector<std::string> crafted_module(const std::string& anchor) {
    const std::string mods = dir_.file("mods");
    std::filesystem::create_directory(mods);
    test::write_text(dir_.file("a.c"), "static int __attribute__((noinline)) dup_fn(int x) { return x * 3 + 1; }\n"
                                       "int dup_a_entry(int x) { return dup_fn(x) + 2; }\n"
                                       "int dup_a_last(int x) { return dup_fn(x) + 5; }\n");
    test::write_text(dir_.file("b.c"), "static int __attribute__((noinline)) dup_fn(int x) { return x * 5 + 7; }\n"
                                       "int dup_b_entry(int x) { return dup_fn(x) - 1; }\n");
    for (const char* unit : {"a", "b"}) {
      auto cc = test::run_process({"gcc", "-g", "-O2", "-fno-reorder-functions", "-c",
                                   dir_.file(std::string(unit) + ".c"), "-o", dir_.file(std::string(unit) + ".o")});
      EXPECT_EQ(cc.exit_code, 0) << cc.err;
    }
    auto ld = test::run_process({"ld", "-r", dir_.file("a.o"), dir_.file("b.o"), "-o", dir_.file("dupmod.o")});
    EXPECT_EQ(ld.exit_code, 0) << ld.err;
    auto renamed = test::run_process({"objcopy", "--redefine-sym", "dup_a_last=" + anchor, dir_.file("dupmod.o"),
                                      mods + "/dupmod.ko"});
    EXPECT_EQ(renamed.exit_code, 0) << renamed.err;
    return {"--vmlinux", k_->vmlinux(), "--modules", mods, "--srctree", dir_.path()};
  }
  test::ProcessResult probe(std::vector<std::string> args, const std::vector<std::string>& target) {
    args.insert(args.begin(), {test::kas_binary(), "probe"});
    args.insert(args.end(), target.begin(), target.end());
    return test::run_process(args);
  }
  const std::string before_ = "p:other/mine vfs_read+0\n";
};

// `--event $'x vfs_write\n-:kprobes/other #'` was written as two commands,
// the second removing another group's probe.
TEST_F(ProbeInjection, AnEventNameTracefsWouldNotTakeIsRefusedBeforeAnythingIsWritten) {
  const std::string alias = aliases_.begin()->first;
  const std::string injected = "x vfs_write\n-:kprobes/other #";
  for (const char* action : {"--install", "--remove"}) {
    auto r = kas({"probe", alias, action, "--tracefs", tracefs_, "--event", injected});
    EXPECT_EQ(r.exit_code, 2) << action << ": " << r.err;
    EXPECT_NE(r.err.find("for --event: 'x vfs_write\\n-:kprobes/other #' is no event name: tracefs takes only "
                         "letters, digits and '_'"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(events(), before_) << action;
  }
  for (const std::string& bad : {std::string("x#y"), std::string("kprobes/other"), std::string(64, 'e')}) {
    auto r = kas({"probe", alias, "--install", "--tracefs", tracefs_, "--event", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_EQ(events(), before_) << bad;
  }
  auto line = kas({"probe", alias, "--event", std::string(63, 'e')});
  ASSERT_TRUE(line.out.starts_with("p:kas/" + std::string(63, 'e') + " ")) << line.out << line.err;
  auto good = kas({"probe", alias, "--install", "--tracefs", tracefs_, "--event", std::string(63, 'e')});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(events(), before_ + line.out);
}

// A crafted module's anchor symbol holding newlines made --install write
// three commands: the probe, a removal of another group's probe and a new
// probe in that group.
TEST_F(ProbeInjection, AModuleSymbolHoldingNewlinesWritesNothing) {
  const auto target = crafted_module("evil\n-:other/mine\np:other/mine vfs_write");
  auto listed = probe({"dupmod:dup_fn@b_c_1", "--json", "--no-daemon"}, target);
  EXPECT_NE(listed.out.find("\"anchor\":\"evil\\n-:other/mine\\np:other/mine vfs_write\""), std::string::npos)
      << "the crafted name is not the anchor: " << listed.out;
  for (const char* routing : {"--no-daemon", "--color=never"}) {
    auto r = probe({"dupmod:dup_fn@b_c_1", "--install", "--tracefs", tracefs_, routing}, target);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("kas probe: dupmod:dup_fn@b_c_1: 'dupmod:evil\\n-:other/mine\\np:other/mine vfs_write+0x"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("' is no kprobe location: '\\n' in "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(": a newline ends the command"), std::string::npos) << r.err;
    EXPECT_EQ(events(), before_);
  }
  // Printed without --install, the line would do the same once pasted.
  auto printed = probe({"dupmod:dup_fn@b_c_1", "--no-daemon"}, target);
  EXPECT_EQ(printed.exit_code, 1);
  EXPECT_EQ(printed.out, "");
}

// '#' starts a comment: "dupmod:dup_a_entry#1+0x10" reaches the kernel as
// "dupmod:dup_a_entry", another function.
TEST_F(ProbeInjection, AModuleSymbolHoldingAHashIsRefusedRatherThanProbedElsewhere) {
  const auto target = crafted_module("dup_a_entry#1");
  auto listed = probe({"dupmod:dup_fn@b_c_1", "--json", "--no-daemon"}, target);
  EXPECT_NE(listed.out.find("\"anchor\":\"dup_a_entry#1\""), std::string::npos)
      << "the crafted name is not the anchor: " << listed.out;
  auto r = probe({"dupmod:dup_fn@b_c_1", "--install", "--tracefs", tracefs_, "--no-daemon"}, target);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("'dupmod:dup_a_entry#1+0x"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'#' starts a comment: the kernel drops the rest of the line"), std::string::npos) << r.err;
  EXPECT_EQ(events(), before_);
}

}  // namespace
}  // namespace kas
