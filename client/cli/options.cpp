#include "client/cli/options.hpp"

// Parsing is getopt_long's; what is added is what it does not say on a
// mistake: the option meant, when the one given is a typo of it, and the
// values an option takes, when the one given is not among them.
#include <getopt.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace kas::cli {

namespace {

// The optimal string alignment form of Damerau-Levenshtein (no substring
// is edited twice), over ASCII case-folded text: enough for typos.
size_t edit_distance(std::string_view a, std::string_view b) {
  const auto fold = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::vector<std::string> split_words(const char* words) {
  std::vector<std::string> out;
  std::istringstream in(words != nullptr ? words : "");
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool is_word_of(const OptionSpec& spec, const std::string& value) {
  const std::vector<std::string> words = split_words(spec.words);
  return std::ranges::find(words, value) != words.end();
}

// Why getopt_long refused option word `arg`: "unknown option 'ARG'", with
// the option meant when ARG is a typo of a visible long option, or
// "ambiguous option 'ARG'" with the options it abbreviates.
std::string refused_option(const std::string& arg, const std::vector<OptionSpec>& specs, std::string& hint) {
  if (!arg.starts_with("--")) return "unknown option";
  const std::string given = arg.substr(2, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 2);
  std::vector<std::string> names = {"help"};
  for (const OptionSpec& s : specs) {
    if (!s.hidden) names.emplace_back(s.long_name);
  }
  std::string prefixed;
  size_t count = 0;
  for (const std::string& n : names) {
    if (given.empty() || !n.starts_with(given)) continue;
    prefixed += (prefixed.empty() ? "--" : ", --") + n;
    ++count;
  }
  if (count > 1) {
    hint = prefixed + "; ";
    return "ambiguous option";
  }
  const std::string near = nearest_word(given, names);
  if (!near.empty()) hint = "did you mean '--" + near + "'? ";
  return "unknown option";
}

// What follows "invalid value 'V' for --NAME": the reason or the choices.
std::string invalid_value_hint(const OptionSpec& spec, const std::string& value) {
  if (spec.why_invalid != nullptr) return ": " + spec.why_invalid(value);
  if (spec.complete != Completion::kWords || spec.words == nullptr) return {};
  std::string choices;
  for (const std::string& w : split_words(spec.words)) choices += (choices.empty() ? "" : ", ") + w;
  return " (choose " + choices + ")";
}

}  // namespace

std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t limit = word.size() <= 4 ? 1 : 2;
  std::string best;
  size_t best_distance = limit + 1;
  bool tie = false;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
      tie = false;
    } else if (d == best_distance && c != best) {
      tie = true;
    }
  }
  return tie || best_distance > limit ? std::string() : best;
}

bool parse_options(const std::string& who, const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                   OptionOrder order, ParsedArgs& out) {
  std::vector<option> longs;
  // "+": stop at the first operand; ":": report missing values. Without "+"
  // options and operands may mix (GNU).
  std::string shorts = order == OptionOrder::kOptionsFirst ? "+:h" : ":h";
  for (size_t i = 0; i < specs.size(); ++i) {
    const OptionSpec& s = specs[i];
    longs.push_back({s.long_name, s.arg_name != nullptr ? required_argument : no_argument, nullptr,
                     static_cast<int>(256 + i)});
    if (s.short_name != 0) {
      shorts += s.short_name;
      if (s.arg_name != nullptr) shorts += ':';
    }
  }
  longs.push_back({"help", no_argument, nullptr, 'h'});
  longs.push_back({nullptr, 0, nullptr, 0});

  // getopt_long works on argv[0..]; `who` stands in as argv[0]. It permutes
  // the pointers only, so the strings stay args'.
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(who.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int nargs = static_cast<int>(argv.size() - 1);
  // 0, not 1: glibc reads the ordering ("+") only when it starts afresh.
  optind = 0;
  opterr = 0;
  for (;;) {
    int index = -1;
    int c = getopt_long(nargs, argv.data(), shorts.c_str(), longs.data(), &index);
    if (c == -1) break;
    if (c == 'h') {
      out.help = true;
      continue;
    }
    if (c == '?' || c == ':') {
      const std::string arg = argv[static_cast<size_t>(optind - 1)];
      std::string hint;
      const std::string what = c == '?' ? refused_option(arg, specs, hint) : "missing value for";
      std::fprintf(stderr, "%s: %s '%s' (%ssee '%s --help')\n", who.c_str(), what.c_str(), arg.c_str(), hint.c_str(),
                   who.c_str());
      return false;
    }
    const OptionSpec* spec = nullptr;
    if (c >= 256) {
      spec = &specs[static_cast<size_t>(c - 256)];
    } else {
      for (const OptionSpec& s : specs) {
        if (s.short_name == c) spec = &s;
      }
    }
    if (spec == nullptr) return false;
    std::string value = spec->arg_name != nullptr && optarg != nullptr ? optarg : "";
    const bool valid = spec->check != nullptr                                  ? spec->check(value)
                       : spec->complete == Completion::kWords && spec->arg_name != nullptr ? is_word_of(*spec, value)
                                                                                           : true;
    if (!valid) {
      std::fprintf(stderr, "%s: invalid value '%s' for --%s%s\n", who.c_str(), value.c_str(), spec->long_name,
                   invalid_value_hint(*spec, value).c_str());
      return false;
    }
    out.given.emplace_back(spec, std::move(value));
  }
  for (int i = optind; i < nargs; ++i) out.operands.emplace_back(argv[static_cast<size_t>(i)]);
  return true;
}

std::string format_options(const std::vector<OptionSpec>& specs) {
  std::string out;
  for (const OptionSpec& s : specs) {
    if (s.hidden) continue;
    std::string left = "  ";
    if (s.short_name != 0) {
      left += '-';
      left += s.short_name;
      left += ", ";
    } else {
      left += "    ";
    }
    left += "--";
    left += s.long_name;
    if (s.arg_name != nullptr) {
      left += ' ';
      left += s.arg_name;
    }
    if (left.size() < 30) left.resize(30, ' ');
    else left += "\n" + std::string(30, ' ');
    out += left + s.help + "\n";
  }
  out += std::string("  -h, --help") + std::string(18, ' ') + "show this help\n";
  return out;
}

bool parse_unsigned(const std::string& text, unsigned& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty() && out > 0;
}

}  // namespace kas::cli
