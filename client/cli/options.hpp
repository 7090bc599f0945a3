// Options as data. A command declares its options once, as OptionSpecs, and
// parsing (getopt_long), the option list of its --help and the table bash
// completion reads all come from that one list, so they cannot disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kas::cli {

// What bash completion offers for a value (an option's or an operand).
// (Plain fields where it is used, not a struct: GCC 12 warns of any class
// member a designated initializer leaves out.)
enum class Completion { kNothing, kFiles, kDirectories, kReleases, kWords };

struct OptionSpec {
  const char* long_name = nullptr;
  char short_name = 0;             // 0 when there is none
  const char* arg_name = nullptr;  // nullptr for a flag
  const char* help = "";
  // false: invalid value; nullptr: any value (any of `words` with kWords).
  bool (*check)(const std::string& value) = nullptr;
  Completion complete = Completion::kNothing;  // what completion offers for the value
  const char* words = nullptr;                 // kWords: the values, space-separated
  bool hidden = false;  // parsed, but in neither --help nor completion (a seam for tests)
  // Why `check` refused `value`, said after it; nullptr: the choices of
  // `words` with kWords, else nothing.
  std::string (*why_invalid)(const std::string& value) = nullptr;
};

// Where parsing stops: GNU style lets options and operands mix; the global
// options before a command name stop at the name.
enum class OptionOrder { kMixed, kOptionsFirst };

struct ParsedArgs {
  // The options given, in command-line order, each with its value ("" for a flag).
  std::vector<std::pair<const OptionSpec*, std::string>> given;
  std::vector<std::string> operands;
  bool help = false;
};

// Parses `args` (the words after `who`, e.g. "kas vmlinux") against `specs`
// plus -h/--help. On a usage error prints "WHO: reason (see 'WHO --help')" to
// stderr and returns false: an unknown long option with the nearest one
// ("did you mean"), an invalid value with why (OptionSpec::why_invalid) or
// the choices. `specs` must outlive `out` (it points into them).
[[nodiscard]] bool parse_options(const std::string& who, const std::vector<std::string>& args,
                                 const std::vector<OptionSpec>& specs, OptionOrder order, ParsedArgs& out);

// The visible options formatted for --help, -h/--help last.
[[nodiscard]] std::string format_options(const std::vector<OptionSpec>& specs);

// The candidate nearest to `word` by Damerau-Levenshtein distance (edits:
// insert, delete, replace, swap two neighbours), when it is close enough to
// be a typo of it: at most 1 edit for words of up to 4 characters, 2 for
// longer ones, and nearer than any other candidate. "" when none is.
[[nodiscard]] std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates);

// Parses a whole positive number; false on anything else.
[[nodiscard]] bool parse_unsigned(const std::string& text, unsigned& out);

}  // namespace kas::cli
