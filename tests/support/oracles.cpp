#include "tests/support/oracles.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

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

std::vector<SizedSymbol> nm_sized(const std::string& path) {
  auto r = run_process({binutils_for(path, "nm"), "-S", "--defined-only", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<SizedSymbol> out;
  std::regex row(R"(^([0-9a-f]+) ([0-9a-f]+) (\S) (\S+)$)");
  for (const std::string& line : split_lines(r.out)) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    out.push_back({std::stoull(m[1], nullptr, 16), std::stoull(m[2], nullptr, 16), m[3].str()[0], m[4]});
  }
  return out;
}

std::vector<SourceLine> eu_addr2line(const std::string& path, uint64_t address, const std::string& section) {
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(address));
  std::vector<std::string> argv = {"eu-addr2line", "-f", "-i", "-e", path};
  if (!section.empty()) argv.insert(argv.end(), {"-j", section});
  argv.push_back(hex);
  auto r = run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = split_lines(r.out);
  std::vector<SourceLine> out;
  std::regex where(R"(^(.*?):(\d+)(:\d+)?$)");
  for (size_t i = 0; i + 1 < lines.size(); i += 2) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(lines[i + 1], m, where)) << lines[i + 1];
    if (m.empty()) continue;
    // "inner_helper inlined at FILE:LINE in caller": the name is the first word.
    out.push_back({lines[i].substr(0, lines[i].find(' ')), m[1], static_cast<uint32_t>(std::stoul(m[2]))});
  }
  return out;
}

}  // namespace kas::test
