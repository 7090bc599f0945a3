#include "client/options.hpp"

#include <getopt.h>

#include <charconv>
#include <cstdio>

namespace kas::cli {

bool parse_options(const char* command, int argc, char** argv, int first, const std::vector<OptionSpec>& specs,
                   ParsedArgs& out) {
  std::vector<option> longs;
  std::string shorts = ":h";  // ":": report missing values; options and operands may mix (GNU)
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

  // getopt_long works on argv[0..]; present the subcommand as argv[0].
  std::vector<char*> args(argv + first - 1, argv + argc);
  args.push_back(nullptr);
  int nargs = static_cast<int>(args.size() - 1);
  optind = 1;
  opterr = 0;
  for (;;) {
    int index = -1;
    int c = getopt_long(nargs, args.data(), shorts.c_str(), longs.data(), &index);
    if (c == -1) break;
    if (c == 'h') {
      out.help = true;
      continue;
    }
    if (c == '?' || c == ':') {
      const char* arg = args[static_cast<size_t>(optind - 1)];
      std::fprintf(stderr, "kas %s: %s '%s' (see 'kas %s --help')\n", command,
                   c == '?' ? "unknown option" : "missing value for", arg, command);
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
    if (!spec->apply(value)) {
      std::fprintf(stderr, "kas %s: invalid value '%s' for --%s\n", command, value.c_str(), spec->long_name);
      return false;
    }
  }
  for (int i = optind; i < nargs; ++i) out.positional.emplace_back(args[static_cast<size_t>(i)]);
  return true;
}

std::string format_options(const std::vector<OptionSpec>& specs) {
  std::string out;
  for (const OptionSpec& s : specs) {
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
