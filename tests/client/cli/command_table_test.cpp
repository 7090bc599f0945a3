// The command table is where kas's command line comes from: every command's
// --help, kas --help and the completion table (what completion/kas.bash and
// the man page read) show each command and each option of its description,
// and hide the hidden ones; usage errors say why and exit 2.
#include "client/cli/command_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/cli/common_options.hpp"
#include "tests/support/process.hpp"

namespace kas {
namespace {

using cli::Command;
using cli::OptionSpec;

test::ProcessResult run_kas(std::vector<std::string> args) {
  args.insert(args.begin(), test::kas_binary());
  return test::run_process(args);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// How --help writes the option: "-o, --output FILE" or "    --nm FILE".
std::string help_spelling(const OptionSpec& o) {
  std::string s = o.short_name != 0 ? std::string("-") + o.short_name + ", --" : "    --";
  s += o.long_name;
  if (o.arg_name != nullptr) s += std::string(" ") + o.arg_name;
  return s;
}

TEST(CommandTable, EveryCommandsHelpComesFromItsDescription) {
  ASSERT_FALSE(cli::command_table().empty());
  for (const Command* c : cli::command_table()) {
    auto help = run_kas({c->name, "--help"});
    EXPECT_EQ(help.exit_code, 0) << c->name;
    EXPECT_EQ(help.err, "") << c->name;
    EXPECT_TRUE(help.out.starts_with(std::string("usage: ") + c->usage + "\n\n" + c->about)) << help.out;
    EXPECT_TRUE(help.out.ends_with(c->examples)) << help.out;
    for (const OptionSpec& o : c->options) {
      EXPECT_EQ(contains(help.out, help_spelling(o)), !o.hidden) << c->name << " --" << o.long_name;
      if (!o.hidden) {
        EXPECT_TRUE(contains(help.out, o.help)) << c->name << " --" << o.long_name;
      }
    }
    EXPECT_TRUE(contains(help.out, "-h, --help")) << c->name;
    EXPECT_EQ(run_kas({c->name, "-h"}).out, help.out) << c->name;
  }
}

TEST(CommandTable, KasHelpListsEveryCommandAndTheGlobalOptions) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
    auto r = run_kas(args);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.out.starts_with("usage: kas [GLOBAL OPTIONS] COMMAND [OPTIONS]\n")) << r.out;
    for (const Command* c : cli::command_table()) {
      std::string name = std::string("  ") + c->name;
      name.resize(12, ' ');
      EXPECT_TRUE(contains(r.out, "\n" + name + c->summary + "\n")) << c->name << "\n" << r.out;
    }
    EXPECT_TRUE(contains(r.out, "\nglobal options (before COMMAND")) << r.out;
    for (const OptionSpec& o : cli::global_options()) {
      EXPECT_TRUE(contains(r.out, help_spelling(o) + " ")) << o.long_name << "\n" << r.out;
      EXPECT_TRUE(contains(r.out, o.help)) << o.long_name;
    }
    EXPECT_TRUE(contains(r.out, "kas daemon takes --socket only.\n")) << r.out;
  }
}

TEST(CommandTable, CompletionTableHasEveryCommandAndVisibleOption) {
  auto top = run_kas({"--completion-table"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  for (const Command* c : cli::command_table()) {
    EXPECT_TRUE(contains(top.out, std::string("command ") + c->name + "\n")) << c->name;
    auto table = run_kas({"--completion-table", c->name});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    for (const OptionSpec& o : c->options) {
      std::string line = std::string("option --") + o.long_name + (o.arg_name != nullptr ? " " : "\n");
      EXPECT_EQ(contains(table.out, line), !o.hidden) << c->name << ": " << line << table.out;
      if (o.short_name != 0) {
        EXPECT_TRUE(contains(table.out, std::string("option -") + o.short_name)) << c->name;
      }
    }
    EXPECT_TRUE(contains(table.out, "option --help\n")) << c->name;
    EXPECT_EQ(contains(table.out, "operands "), c->operands.max > 0) << c->name;
  }
  for (const OptionSpec& o : cli::global_options()) {
    EXPECT_TRUE(contains(top.out, std::string("option --") + o.long_name)) << o.long_name;
  }
  auto unknown = run_kas({"--completion-table", "frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err, "kas: unknown command 'frobnicate'\n'kas --help' lists the commands.\n");
}

TEST(CommandTable, TheQueryCommandsTakeAHiddenSysfsRoot) {
  for (const char* name : {"lookup", "resolve", "decode"}) {
    const Command* c = cli::find_command(name);
    ASSERT_NE(c, nullptr);
    bool hidden_sysfs = false;
    for (const OptionSpec& o : c->options) {
      hidden_sysfs = hidden_sysfs || (o.long_name == std::string("sysfs-root") && o.hidden);
    }
    EXPECT_TRUE(hidden_sysfs) << name;
    EXPECT_FALSE(contains(run_kas({name, "--help"}).out, "sysfs")) << name;
  }
}

TEST(UsageErrors, UnknownCommand) {
  struct Case {
    std::vector<std::string> args;
    std::string command;
  };
  for (const Case& c : std::vector<Case>{{{"frobnicate"}, "frobnicate"},
                                         {{"Lookup", "x"}, "Lookup"},
                                         {{"--no-daemon", "frobnicate", "--help"}, "frobnicate"},
                                         {{"--", "frobnicate"}, "frobnicate"}}) {
    auto r = run_kas(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.command;
    // One line and a pointer to the help, not the help (tests/cli/user_mistakes_test: "did you mean").
    EXPECT_TRUE(r.err.starts_with("kas: unknown command '" + c.command + "'")) << r.err;
    EXPECT_TRUE(r.err.ends_with("\n'kas --help' lists the commands.\n")) << r.err;
    EXPECT_EQ(r.out, "") << c.command;
  }
  auto none = run_kas({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(none.err.starts_with("usage: kas ")) << none.err;
  EXPECT_EQ(none.out, "");
}

TEST(UsageErrors, UnknownMissingOrInvalidOptionOfEveryCommand) {
  for (const Command* c : cli::command_table()) {
    const std::string name = c->name;
    auto r = run_kas({name, "--bogus"});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_EQ(r.err, "kas " + name + ": unknown option '--bogus' (see 'kas " + name + " --help')\n");
    EXPECT_EQ(r.out, "") << name;
    r = run_kas({name, "-Z"});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_EQ(r.err, "kas " + name + ": unknown option '-Z' (see 'kas " + name + " --help')\n");
    r = run_kas({name, "--socket"});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_EQ(r.err, "kas " + name + ": missing value for '--socket' (see 'kas " + name + " --help')\n");
  }
  auto r = run_kas({"census", "--nm", "x", "-j", "zero"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas census: invalid value 'zero' for --jobs\n");
  r = run_kas({"lookup", "x", "--color", "purple"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas lookup: invalid value 'purple' for --color (choose auto, always, never)\n");
  r = run_kas({"vmlinux", "--separator", "ab"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas vmlinux: invalid value 'ab' for --separator: one character\n");
}

TEST(UsageErrors, WrongOperandsSayWhatTheCommandExpects) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  for (const Case& c : std::vector<Case>{
           {{"vmlinux", "extra"}, "kas vmlinux: unexpected argument 'extra'\n"},
           {{"census", "extra"}, "kas census: unexpected argument 'extra'\n"},
           {{"decode", "extra"}, "kas decode: reads the log on stdin; unexpected argument 'extra'\n"},
           {{"module"}, "kas module: expected one module object (see 'kas module --help')\n"},
           {{"module", "a.o", "b.o"}, "kas module: expected one module object (see 'kas module --help')\n"},
           {{"lookup"}, "kas lookup: expected a PATTERN (see 'kas lookup --help')\n"},
           {{"resolve"}, "kas resolve: expected a LOCATION (see 'kas resolve --help')\n"},
           {{"daemon", "frob"}, "kas daemon: unknown action 'frob' (start, stop, status)\n"},
       }) {
    auto r = run_kas(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0];
    EXPECT_EQ(r.err, c.err);
  }
  // kas daemon without its action shows the help, which lists the actions,
  // as the usage error it is: on stderr.
  auto r = run_kas({"daemon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, run_kas({"daemon", "--help"}).out);
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace kas
