// kas on Clang LTO fixtures (build-kernel.sh lto-thin / lto-full: clang
// -flto=thin / -flto, ld.lld -r as the LTO link, include/config/auto.conf
// as kbuild writes it). The expectations come from llvm-nm (which copies
// the link renamed, and to what) and llvm-dwarfdump (where each copy is
// defined), never from kas's own output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

std::string missing_llvm_tools() {
  for (const char* tool : {"clang", "ld.lld", "llvm-nm", "llvm-dwarfdump"}) {
    if (test::run_process({tool, "--version"}).exit_code != 0) {
      return std::string(tool) + " cannot be run: install clang, lld and llvm (.ci/setup)";
    }
  }
  return {};
}

struct NmSymbol {
  uint64_t value = 0;
  char type = '?';
  std::string name;
};

std::vector<NmSymbol> llvm_nm(const std::string& path) {
  auto r = test::run_process({"llvm-nm", "--defined-only", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<NmSymbol> out;
  for (const std::string& line : test::split_lines(r.out)) {
    std::istringstream in(line);
    NmSymbol s;
    std::string value;
    if (in >> value >> s.type >> s.name) {
      s.value = std::stoull(value, nullptr, 16);
      out.push_back(s);
    }
  }
  return out;
}

// The test's own reading of the suffixes each LTO kind adds (lto.hpp has
// the code's): ThinLTO's promoted ".llvm.<digits>", full LTO's ".<digits>"
// on an identifier.
std::string stem(const std::string& name, const std::string& mode) {
  static const std::regex thin(R"(^(.+)\.llvm\.[0-9]+$)");
  static const std::regex full(R"(^([A-Za-z_][A-Za-z0-9_]*)\.[0-9]+$)");
  std::smatch m;
  if (std::regex_match(name, m, thin)) return m[1];
  if (mode == "lto-full" && std::regex_match(name, m, full)) return m[1];
  return name;
}

bool is_text(char type) { return type == 't' || type == 'T'; }

struct DeclLine {
  std::string file;  // relative to the objtree
  uint32_t line = 0;
};

// DW_AT_decl_file/decl_line of the subprogram at `address` in `elf`.
DeclLine decl_at(const std::string& elf, uint64_t address, const std::string& objtree) {
  char addr[32];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(address));
  auto r = test::run_process({"llvm-dwarfdump", std::string("--lookup=") + addr, elf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  static const std::regex file(R"re(DW_AT_decl_file\s+\("([^"]+)"\))re");
  static const std::regex line(R"(DW_AT_decl_line\s+\((\d+)\))");
  DeclLine out;
  // The last subprogram printed is the innermost: the function itself.
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), file), end; it != end; ++it) out.file = (*it)[1];
  for (std::sregex_iterator it(r.out.begin(), r.out.end(), line), end; it != end; ++it) {
    out.line = static_cast<uint32_t>(std::stoul((*it)[1]));
  }
  std::string prefix = objtree + "/";
  if (out.file.starts_with(prefix)) out.file.erase(0, prefix.size());
  if (out.file.starts_with("./")) out.file.erase(0, 2);
  return out;
}

class LtoFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (std::string why = missing_llvm_tools(); !why.empty()) GTEST_SKIP() << why;
    kernel_ = &test::fixture_kernel(GetParam());
    ASSERT_FALSE(kernel_->root.empty());
  }
  // Every text symbol of vmlinux and the modules, by stem.
  std::map<std::string, int> stem_counts() const {
    std::map<std::string, int> counts;
    std::vector<std::string> files = {kernel_->vmlinux()};
    for (const char* m : {"hello", "other", "hello_twin", "lto_mod"}) files.push_back(kernel_->module(m));
    for (const std::string& f : files) {
      for (const NmSymbol& s : llvm_nm(f)) {
        if (is_text(s.type)) ++counts[stem(s.name, GetParam())];
      }
    }
    return counts;
  }
  // kas vmlinux's alias lines: address -> alias. `extra` replaces
  // --modules-order modules.order when given.
  std::multimap<uint64_t, std::string> run_vmlinux(const std::string& syms, std::vector<std::string> extra,
                                                   std::string* err = nullptr) const {
    if (extra.empty()) extra = {"--modules-order", kernel_->modules_order()};
    std::vector<std::string> argv = {test::kas_binary(), "vmlinux", "--nm", syms, "--elf",
                                     kernel_->vmlinux_object(), "-v"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = test::run_process(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (err != nullptr) *err = r.err;
    std::multimap<uint64_t, std::string> aliases;
    for (const std::string& line : test::split_lines(r.out)) {
      std::istringstream in(line);
      std::string value, type, name;
      if (in >> value >> type >> name && name.find('@') != std::string::npos) {
        aliases.emplace(std::stoull(value, nullptr, 16), name);
      }
    }
    return aliases;
  }
  const test::FixtureKernel* kernel_ = nullptr;
};

TEST_P(LtoFixture, TheLinkRenamedADuplicatedStatic) {
  // Otherwise the other tests prove nothing.
  int renamed = 0;
  for (const NmSymbol& s : llvm_nm(kernel_->vmlinux())) {
    if (is_text(s.type) && stem(s.name, GetParam()) == "lto_twin" && s.name != "lto_twin") ++renamed;
  }
  EXPECT_EQ(renamed, 1);
}

TEST_P(LtoFixture, EveryRenamedDuplicateIsAliasedAtItsDefinition) {
  std::string err;
  const auto aliases = run_vmlinux(kernel_->kallsyms_link_syms(), {}, &err);
  const std::string kind = GetParam() == "lto-thin" ? "thin" : "full";
  EXPECT_NE(err.find("LTO suffixes: " + kind + " (CONFIG_LTO_CLANG_" + (kind == "thin" ? "THIN" : "FULL") +
                     "=y in " + kernel_->objtree + "/include/config/auto.conf)"),
            std::string::npos)
      << err;
  const auto counts = stem_counts();
  size_t checked = 0;
  for (const NmSymbol& s : llvm_nm(kernel_->vmlinux())) {
    const std::string base = stem(s.name, GetParam());
    if (!is_text(s.type) || base == s.name || counts.at(base) < 2) continue;
    ++checked;
    auto [lo, hi] = aliases.equal_range(s.value);
    ASSERT_NE(lo, hi) << s.name << " has no alias";
    const std::string alias = lo->second;
    const DeclLine decl = decl_at(kernel_->vmlinux(), s.value, kernel_->objtree);
    ASSERT_FALSE(decl.file.empty()) << s.name;
    // NAME@FILE_LINE, or NAME@FILE_UNIT_LINE for a copy defined outside its
    // unit's own file (fs/binfmt_elf.c #included by fs/compat_binfmt_elf.c)
    EXPECT_TRUE(alias.starts_with(base + "@" + test::decorate(decl.file) + "_")) << s.name << ": " << alias;
    EXPECT_TRUE(alias.ends_with("_" + std::to_string(decl.line))) << s.name << ": " << alias;
  }
  // lto_twin, and in full LTO also name_show and load_elf_binary
  EXPECT_EQ(checked, GetParam() == "lto-thin" ? 1u : 3u);
}

TEST_P(LtoFixture, NoAliasCarriesTheLinkNumberOrRepeats) {
  const auto aliases = run_vmlinux(kernel_->kallsyms_link_syms(), {});
  std::set<std::string> seen;
  static const std::regex numbered(R"(\.llvm\.|\.[0-9]+@)");
  for (const auto& [address, alias] : aliases) {
    EXPECT_FALSE(std::regex_search(alias, numbered)) << alias;
    EXPECT_TRUE(seen.insert(alias).second) << alias << " twice";
  }
  EXPECT_EQ(seen.count("lto_twin@kernel_lto_a_c_6"), 1u);
  EXPECT_EQ(seen.count("lto_twin@kernel_lto_b_c_4"), 1u);
}

TEST_P(LtoFixture, WithoutAConfigTheNamesTellTheKind) {
  test::TempDir elsewhere;  // no include/config/auto.conf beside the listing
  const std::string syms = elsewhere.file("vmlinux.syms");
  std::filesystem::copy_file(kernel_->kallsyms_link_syms(), syms);
  // vmlinux alone (modules.order would lead to the tree's config)
  const std::vector<std::string> no_modules = {"--modules", elsewhere.path()};
  std::string err;
  const auto detected = run_vmlinux(syms, no_modules, &err);
  size_t renamed = 0;  // text names carrying the link's number, by llvm-nm
  for (const NmSymbol& sym : llvm_nm(kernel_->vmlinux())) {
    if (is_text(sym.type) && stem(sym.name, GetParam()) != sym.name) ++renamed;
  }
  EXPECT_NE(err.find(GetParam() == "lto-thin"
                         ? "LTO suffixes: thin (" + std::to_string(renamed) + " .llvm.N text names in vmlinux)"
                         : "LTO suffixes: full (" + std::to_string(renamed) + " text names ending in a bare .N"),
            std::string::npos)
      << err;
  EXPECT_EQ(detected, run_vmlinux(kernel_->kallsyms_link_syms(), no_modules));
  EXPECT_FALSE(detected.empty());
}

TEST_P(LtoFixture, LtoNoneOverridesTheConfig) {
  const auto aliases = run_vmlinux(kernel_->kallsyms_link_syms(), {"--lto", "none"});
  for (const auto& [address, alias] : aliases) EXPECT_FALSE(alias.starts_with("lto_twin@")) << alias;
}

TEST_P(LtoFixture, CensusCountsTheStem) {
  auto r = test::run_process({test::kas_binary(), "census", "--nm", kernel_->vmlinux_object(), "--modules-order",
                              kernel_->modules_order()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> census;
  for (const std::string& line : test::split_lines(r.out)) {
    size_t colon = line.rfind(':');
    census[line.substr(0, colon)] = std::stoi(line.substr(colon + 1));
  }
  for (const auto& [base, n] : stem_counts()) {
    if (n > 1) {
      EXPECT_EQ(census[base], n) << base;
    }
  }
  for (const auto& [name, n] : census) EXPECT_EQ(stem(name, GetParam()), name) << "a link number in the census";
}

TEST_P(LtoFixture, ModuleAliasesCountVmlinuxsRenamedCopies) {
  // hello's name_show duplicates vmlinux's two (one renamed by full LTO).
  test::TempDir out;
  const std::string ko = out.file("hello.o");
  auto r = test::run_process({test::kas_binary(), "module", kernel_->module_object("hello"), "-o", ko, "--nm",
                              kernel_->vmlinux_object(), "--modules-order", kernel_->modules_order()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> names;
  for (const NmSymbol& s : llvm_nm(ko)) names.insert(s.name);
  uint32_t line = 0;
  for (const test::Marker& m : test::markers_for("name_show")) {
    if (m.file == "modules/hello/hello.c") line = m.line;
  }
  ASSERT_NE(line, 0u);
  EXPECT_EQ(names.count("name_show@modules_hello_hello_c_" + std::to_string(line)), 1u);
}

// LOC markers of the LTO-only fixture sources (fixtures/lto): name -> lines.
uint32_t lto_marker_line(const std::string& file, const std::string& name) {
  std::ifstream in(test::fixtures_dir() + "/lto/" + file);
  std::string text;
  for (uint32_t line = 1; std::getline(in, text); ++line) {
    if (text.find("LOC " + name + " ") != std::string::npos) return line;
  }
  ADD_FAILURE() << "no LOC " << name << " in fixtures/lto/" << file;
  return 0;
}

TEST_P(LtoFixture, AModulesOwnLtoLinkRenamedAStatic) {
  // lto_mod.o is its parts' LTO link: one mod_twin carries the number.
  const std::string object = kernel_->objtree + "/modules/lto_mod/lto_mod.o";
  std::set<std::string> twins;
  for (const NmSymbol& s : llvm_nm(object)) {
    if (stem(s.name, GetParam()) == "mod_twin") twins.insert(s.name);
  }
  ASSERT_EQ(twins.size(), 2u);
  ASSERT_EQ(twins.count("mod_twin"), 1u);

  test::TempDir out;
  const std::string ko = out.file("lto_mod.o");
  auto r = test::run_process({test::kas_binary(), "module", object, "-o", ko, "--nm", kernel_->vmlinux_object(),
                              "--modules-order", kernel_->modules_order()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // section index and value of every symbol, by llvm-readelf
  auto sym = test::run_process({"llvm-readelf", "--symbols", "--wide", ko});
  ASSERT_EQ(sym.exit_code, 0) << sym.err;
  std::map<std::string, std::string> place;  // name -> "NDX VALUE"
  for (const std::string& line : test::split_lines(sym.out)) {
    std::istringstream in(line);
    std::string num, value, size, type, bind, vis, ndx, name;
    if (in >> num >> value >> size >> type >> bind >> vis >> ndx >> name) place[name] = ndx + " " + value;
  }
  const std::string a = "mod_twin@modules_lto_mod_lto_mod_a_c_" +
                        std::to_string(lto_marker_line("modules/lto_mod/lto_mod_a.c", "mod_twin"));
  const std::string b = "mod_twin@modules_lto_mod_lto_mod_b_c_" +
                        std::to_string(lto_marker_line("modules/lto_mod/lto_mod_b.c", "mod_twin"));
  ASSERT_EQ(place.count(a), 1u) << sym.out;
  ASSERT_EQ(place.count(b), 1u) << sym.out;
  // one alias on each copy
  std::set<std::string> copies;
  for (const std::string& twin : twins) copies.insert(place.at(twin));
  EXPECT_EQ(copies, (std::set<std::string>{place.at(a), place.at(b)}));
}

TEST_P(LtoFixture, LookupFindsRenamedCopiesByThePlainName) {
  auto r = test::run_process({test::kas_binary(), "lookup", "lto_twin", "--tree", kernel_->objtree});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> names;
  for (const NmSymbol& s : llvm_nm(kernel_->vmlinux())) {
    if (stem(s.name, GetParam()) == "lto_twin") names.insert(s.name);
  }
  ASSERT_EQ(names.size(), 2u);
  for (const std::string& name : names) {
    EXPECT_NE(r.out.find(" " + name + " "), std::string::npos) << name << " not listed:\n" << r.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Clang, LtoFixture, ::testing::Values("lto-thin", "lto-full"),
                         [](const auto& p) { return p.param == "lto-thin" ? "ThinLto" : "FullLto"; });

}  // namespace
}  // namespace kas
