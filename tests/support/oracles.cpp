#include "tests/support/oracles.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <sstream>

#include "tests/support/process.hpp"

namespace kas::test {

std::string binutils_for(const std::string& path, const std::string& tool) {
  unsigned char header[20] = {};
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    size_t got = std::fread(header, 1, sizeof header, f);
    std::fclose(f);
    // e_machine, little-endian (aarch64 objects are): EM_AARCH64 = 183.
    if (got == sizeof header && header[5] == 1 && (header[18] | header[19] << 8) == 183) {
      return "aarch64-linux-gnu-" + tool;
    }
  }
  return tool;
}

std::vector<std::string> nm_command(const std::vector<std::string>& options, const std::string& path) {
  static const std::string plugin = [] {
    auto r = run_process({"gcc", "-print-file-name=liblto_plugin.so"});
    std::string file = r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
    return file.starts_with('/') ? file : "";  // gcc prints the bare name when it has none
  }();
  std::vector<std::string> argv = {binutils_for(path, "nm")};
  if (!plugin.empty()) argv.insert(argv.end(), {"--plugin", plugin});
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(path);
  return argv;
}

std::vector<SizedSymbol> nm_sized(const std::string& path) {
  auto r = run_process(nm_command({"-S", "--defined-only"}, path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<SizedSymbol> out;
  // "VALUE SIZE TYPE NAME"; a symbol without a size has three fields. Split
  // by words, as nm_symbols (fixture_kernel.cpp) splits nm's plain listing.
  for (const std::string& line : split_lines(r.out)) {
    std::istringstream in(line);
    std::string value, size, type, name, more;
    if (!(in >> value >> size >> type >> name) || (in >> more) || type.size() != 1) continue;
    out.push_back({std::stoull(value, nullptr, 16), std::stoull(size, nullptr, 16), type[0], name});
  }
  return out;
}

std::vector<SourceLine> eu_addr2line(const std::string& path, uint64_t address, const std::string& section) {
  return eu_addr2line(path, std::vector<uint64_t>{address}, section).front();
}

std::vector<std::vector<SourceLine>> eu_addr2line(const std::string& path, const std::vector<uint64_t>& addresses,
                                                  const std::string& section) {
  std::vector<std::string> argv = {"eu-addr2line", "-a", "-f", "-i", "-e", path};
  if (!section.empty()) argv.insert(argv.end(), {"-j", section});
  for (uint64_t address : addresses) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(address));
    argv.emplace_back(hex);
  }
  auto r = run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Each address's line ("0x" and its digits, relative to the section's
  // place in a relocatable file), then a function line and a
  // FILE:LINE[:COLUMN] line per frame, innermost first.
  std::vector<std::vector<SourceLine>> out;
  auto lines = split_lines(r.out);
  std::regex where(R"(^(.*?):(\d+)(:\d+)?$)");
  for (size_t i = 0; i < lines.size();) {
    const std::string& line = lines[i];
    if (line.starts_with("0x") && line.size() > 2 &&
        line.find_first_not_of("0123456789abcdef", 2) == std::string::npos) {
      out.emplace_back();
      ++i;
      continue;
    }
    EXPECT_FALSE(out.empty()) << "eu-addr2line printed no address before: " << line;
    if (out.empty() || i + 1 >= lines.size()) break;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(lines[i + 1], m, where)) << lines[i + 1];
    // "inner_helper inlined at FILE:LINE in caller": the name is the first word.
    if (!m.empty()) {
      out.back().push_back({line.substr(0, line.find(' ')), m[1], static_cast<uint32_t>(std::stoul(m[2]))});
    }
    i += 2;
  }
  EXPECT_EQ(out.size(), addresses.size())
      << "eu-addr2line answered for " << out.size() << " of " << addresses.size() << " addresses in " << path;
  out.resize(addresses.size());
  return out;
}

}  // namespace kas::test
