// A kas command as one description: its name, summary, usage, options and
// operands, and the function that does the job. client/cli/command_runner.cpp
// turns a description into the command's parsing, --help and argument checks;
// the --help of kas itself, the man page and bash completion read the same
// descriptions, from client/cli/command_table.cpp.
//
// Exit statuses: 0 success, 1 a failure of the job (bad input, unreadable
// file: make must stop), 2 a usage error.
#pragma once

#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "client/cli/options.hpp"
#include "core/util/result.hpp"

namespace kas::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

class Invocation;

// The words after the options, and what a wrong number of them says.
struct Operands {
  static constexpr size_t kAny = std::numeric_limits<size_t>::max();
  size_t min = 0;
  size_t max = 0;  // kAny: no limit
  // With max > 0, a wrong count is "expected EXPECTED (see 'kas NAME --help')";
  // nullptr shows the command's help instead (on stderr, exit 2).
  const char* expected = nullptr;
  // With max == 0, what the command reads instead, said before "unexpected
  // argument 'X'" (kas decode: "reads the log on stdin").
  const char* instead = nullptr;
  Completion complete = Completion::kNothing;  // what completion offers for an operand
  const char* words = nullptr;                 // kWords: the operands, space-separated
};

struct Command {
  const char* name = nullptr;
  const char* summary = nullptr;   // one line, in kas --help
  const char* usage = nullptr;     // after "usage: "; continuation lines indented as shown
  const char* about = nullptr;     // paragraphs between the usage and the options, ending in '\n'
  std::vector<OptionSpec> options;
  Operands operands;
  const char* examples = nullptr;  // one "  kas ..." line each
  int (*run)(const Invocation& args) = nullptr;
};

// A command's command line, parsed and checked against its description.
// Options are asked for by long name; asking for one the command does not
// declare is a bug and throws std::logic_error.
class Invocation {
 public:
  Invocation(const Command& command, ParsedArgs parsed);

  [[nodiscard]] const Command& command() const { return *command_; }
  [[nodiscard]] const std::vector<std::string>& operands() const { return parsed_.operands; }

  // Given at least once.
  [[nodiscard]] bool flag(std::string_view option) const;
  // The last value given, or `fallback`.
  [[nodiscard]] std::string value(std::string_view option, std::string fallback = {}) const;
  // Every value given, in order (repeatable options).
  [[nodiscard]] std::vector<std::string> values(std::string_view option) const;
  // The last value of an option checked with parse_unsigned, or `fallback`.
  [[nodiscard]] unsigned number(std::string_view option, unsigned fallback) const;

  // "kas NAME: MESSAGE" on stderr; the usage-error status.
  int usage_error(std::string_view message) const;
  // " (see 'kas NAME --help')", for usage errors that want it.
  [[nodiscard]] std::string see_help() const;

 private:
  [[nodiscard]] const OptionSpec& spec(std::string_view option) const;

  const Command* command_;
  ParsedArgs parsed_;
};

// "kas: MESSAGE" on stderr; the job's failure status.
inline int report(const Error& error) {
  std::fprintf(stderr, "kas: %s\n", error.message.c_str());
  return kExitFailure;
}

}  // namespace kas::cli
