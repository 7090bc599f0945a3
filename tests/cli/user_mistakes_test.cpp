// What kas says to the mistakes users make, with the real binary: a typo
// of a command or option gets the name meant (not the whole help), a value
// outside a fixed list gets the list, a separator the tracers would misread
// gets the reason, a vmlinux path given to --kernel is taken as its release,
// and a location that matches nothing is an error on stderr, not an answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

namespace fs = std::filesystem;

test::ProcessResult kas(std::vector<std::string> args) {
  args.insert(args.begin(), test::kas_binary());
  return test::run_process(args);
}

TEST(UnknownCommand, ATypoGetsTheCommandMeantAndAPointerToTheHelp) {
  struct Case {
    std::vector<std::string> args;
    std::string typo;
    std::string meant;
  };
  for (const Case& c : std::vector<Case>{{{"lokup", "name_show"}, "lokup", "lookup"},
                                         {{"Lookup"}, "Lookup", "lookup"},
                                         {{"deocde"}, "deocde", "decode"},   // two letters swapped
                                         {{"probes", "x"}, "probes", "probe"},
                                         {{"--no-daemon", "censsu"}, "censsu", "census"},
                                         {{"--completion-table", "resolv"}, "resolv", "resolve"}}) {
    auto r = kas(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.typo;
    EXPECT_EQ(r.err, "kas: unknown command '" + c.typo + "' (did you mean '" + c.meant +
                         "'?)\n'kas --help' lists the commands.\n");
    EXPECT_EQ(r.out, "") << c.typo;
  }
  // Nothing near: no guess, still one line and the pointer.
  auto r = kas({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas: unknown command 'frobnicate'\n'kas --help' lists the commands.\n");
}

TEST(UnknownOption, ATypoGetsTheOptionMeant) {
  auto r = kas({"lookup", "name_show", "--vmlinx", "vmlinux"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas lookup: unknown option '--vmlinx' (did you mean '--vmlinux'? see 'kas lookup --help')\n");
  r = kas({"probe", "x", "--retrun"});
  EXPECT_EQ(r.err, "kas probe: unknown option '--retrun' (did you mean '--return'? see 'kas probe --help')\n");
  r = kas({"--no-deamon", "census"});  // a global option, before the command
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas: unknown option '--no-deamon' (did you mean '--no-daemon'? see 'kas --help')\n");
  r = kas({"vmlinux", "--modules-ordr=x"});
  EXPECT_EQ(r.err,
            "kas vmlinux: unknown option '--modules-ordr=x' (did you mean '--modules-order'? see 'kas vmlinux "
            "--help')\n");
  // An abbreviation of several: which ones.
  r = kas({"lookup", "x", "--mod", "d"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas lookup: ambiguous option '--mod' (--modules-order, --modules; see 'kas lookup --help')\n");
  // Hidden options are never offered.
  r = kas({"lookup", "x", "--sysfs-rot", "d"});
  EXPECT_EQ(r.err, "kas lookup: unknown option '--sysfs-rot' (see 'kas lookup --help')\n");
}

TEST(InvalidValue, AnOptionWithFixedChoicesListsThem) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  for (const Case& c : std::vector<Case>{
           {{"probe", "x", "--format", "systemtap"},
            "kas probe: invalid value 'systemtap' for --format (choose kprobe, bpftrace, perf)\n"},
           {{"lookup", "x", "--color", "purple"},
            "kas lookup: invalid value 'purple' for --color (choose auto, always, never)\n"},
           {{"vmlinux", "--lto", "fat"},
            "kas vmlinux: invalid value 'fat' for --lto (choose thin, full, none, detect)\n"},
       }) {
    auto r = kas(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0];
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
}

// '#' starts a kprobe_events comment and '%' its %return suffix; quotes and
// the backslash break the quoting of the perf and bpftrace commands kas
// probe prints; whitespace ends a name. Each is refused, saying why, by the
// client and by the daemon's reading of a request (tests/proto).
TEST(InvalidValue, ASeparatorTheTracersWouldMisreadIsRefusedWithTheReason) {
  struct Case {
    std::string separator;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"#", "'#' starts a comment in kprobe_events"},
           {"%", "'%' starts a suffix in kprobe_events"},
           {"'", "quotes and the backslash break the quoting"},
           {"\"", "quotes and the backslash break the quoting"},
           {"`", "quotes and the backslash break the quoting"},
           {"\\", "quotes and the backslash break the quoting"},
           {" ", "whitespace ends a name"},
           {"\t", "whitespace ends a name"},
           {"_", "symbol names hold '_'"},
           {":", "kas's own syntax uses ':'"},
           {"ab", "one character"},
       }) {
    for (const char* command : {"vmlinux", "lookup", "probe"}) {
      auto r = kas({command, "--separator", c.separator});
      EXPECT_EQ(r.exit_code, 2) << command << " '" << c.separator << "'";
      EXPECT_TRUE(r.err.starts_with("kas " + std::string(command) + ": invalid value '" + c.separator +
                                    "' for --separator: " + c.why))
          << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
  }
}

// A debug package's vmlinux-R given to --kernel: release R with the modules
// of the same package, as if --kernel R had been given on that root.
TEST(KernelOption, ADebugPackagesVmlinuxPathIsTakenAsItsRelease) {
  const test::FixtureKernel& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir root;
  const std::string release = "6.1.0-56-amd64";
  const std::string boot = root.file("usr/lib/debug/boot");
  const std::string modules = root.file("usr/lib/debug/lib/modules/" + release);
  fs::create_directories(boot);
  fs::create_directories(modules);
  fs::copy_file(k.vmlinux(), boot + "/vmlinux-" + release);
  for (const char* m : {"hello", "other", "hello_twin"}) {
    fs::copy_file(k.module(m), modules + "/" + m + ".ko");
  }
  auto by_path = kas({"lookup", "name_show", "--kernel", boot + "/vmlinux-" + release, "--color", "never",
                      "--srctree", k.objtree});
  ASSERT_EQ(by_path.exit_code, 0) << by_path.err;
  auto by_release = kas({"lookup", "name_show", "--kernel", release, "--debug-root", root.path(), "--color", "never",
                         "--srctree", k.objtree});
  ASSERT_EQ(by_release.exit_code, 0) << by_release.err;
  EXPECT_EQ(by_path.out, by_release.out);
  EXPECT_NE(by_path.out.find("hello"), std::string::npos) << by_path.out;  // the modules beside it were read

  // Any other file: what --kernel takes, and the option for the file.
  auto other = kas({"lookup", "name_show", "--kernel", k.vmlinux()});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find(k.vmlinux() + " is a file: --kernel takes a release as uname -r prints it"),
            std::string::npos)
      << other.err;
  EXPECT_NE(other.err.find("give --vmlinux " + k.vmlinux() + " for this file"), std::string::npos) << other.err;
  EXPECT_EQ(other.err.find("no such modules directory"), std::string::npos) << other.err;
  EXPECT_EQ(other.out, "");
}

// A location that matches nothing is an error: stderr and exit 1, and
// stdout holds only the answers.
TEST(NothingFound, ResolveSaysSoOnStderr) {
  const test::FixtureKernel& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  auto r = kas({"resolve", "nope+0x1", "--tree", k.objtree, "--color", "never"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with("kas resolve: nope+0x1: no symbol named 'nope'")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  auto mixed = kas({"resolve", "nope+0x1", "name_show+0x1/0x9 [other]", "--tree", k.objtree, "--color", "never"});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_TRUE(mixed.out.starts_with("name_show+0x1/0x9 [other]\n")) << mixed.out;
  EXPECT_EQ(mixed.out.find("nope"), std::string::npos) << mixed.out;
  EXPECT_EQ(mixed.err, r.err);
}

// A command that shows its help for a wrong operand count shows it as the
// usage error it is: on stderr.
TEST(NothingFound, AHelpShownForAUsageErrorGoesToStderr) {
  auto r = kas({"daemon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, kas({"daemon", "--help"}).out);
}

}  // namespace
}  // namespace kas
