#include "client/options.hpp"

#include <getopt.h>

#include <charconv>
#include <cstdio>

namespace kas::cli {

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
      const char* arg = argv[static_cast<size_t>(optind - 1)];
      std::fprintf(stderr, "%s: %s '%s' (see '%s --help')\n", who.c_str(),
                   c == '?' ? "unknown option" : "missing value for", arg, who.c_str());
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
    if (spec->check != nullptr && !spec->check(value)) {
      std::fprintf(stderr, "%s: invalid value '%s' for --%s\n", who.c_str(), value.c_str(), spec->long_name);
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
