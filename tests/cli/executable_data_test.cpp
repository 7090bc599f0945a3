// Variables in an executable data section, as Linux 7.x's x86-64 vmlinux
// has them: its linker script puts .text..relocate_kernel inside .data, so
// .data is flagged WAX and nm (hence scripts/kallsyms, /proc/kallsyms and
// every tracer) types each variable there `t`. Their ELF type is still
// STT_OBJECT and DWARF defines them by a DW_TAG_variable at their address:
// kas must seek a variable, not a subprogram. A "vmlinux" compiled here with
// one assembly file that flags .data executable; the expected file:line of
// each copy is where this test wrote its definition.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

// Each unit defines the same static variable and a function-scope static
// (GCC names its symbol count.N; DWARF names it count), a few lines apart
// so the copies' lines differ.
std::string unit_source(const std::string& entry, int padding) {
  std::string text;
  for (int i = 0; i < padding; ++i) text += "/* padding */\n";
  text += "static int set_root = 1;\n";                                            // padding + 1
  text += "int *" + entry + "(int which)\n{\n";
  text += "\tstatic int count = 3;\n";                                             // padding + 4
  text += "\treturn which ? &set_root : &count;\n}\n";
  return text;
}

class ExecutableData : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.file("drivers/one"));
    std::filesystem::create_directories(dir_.file("drivers/two"));
    test::write_text(dir_.file("drivers/one/attr.c"), unit_source("one_entry", 0));
    test::write_text(dir_.file("drivers/two/attr.c"), unit_source("two_entry", 3));
    // As relocate_kernel_64.S's code lands in 7.3's .data: an executable
    // input section that the link merges into .data (the default linker
    // script takes .data.* there). No debug info, as the kernel's own data
    // labels there (saved_rsp) have none.
    test::write_text(dir_.file("relocate.S"), ".section .data..relocate_kernel,\"awx\",@progbits\n"
                                              "saved_word:\n\t.quad 0\n"
                                              ".section .note.GNU-stack,\"\",@progbits\n");
    // _etext, which every kernel has, ends the code (the default linker
    // script provides it when referenced).
    test::write_text(dir_.file("main.c"), "int *one_entry(int); int *two_entry(int); extern char _etext[];\n"
                                          "int main(int c, char** v) { (void)v;\n"
                                          "  return *one_entry(c) + *two_entry(c) + (_etext != (char*)v); }\n");
    auto built = test::run_process({"gcc", "-g", "-O1", "-fno-inline", "-Wl,--no-warn-rwx-segments", "-o",
                                    dir_.file("vmlinux"), "main.c", "drivers/one/attr.c", "drivers/two/attr.c",
                                    "relocate.S"},
                                   dir_.path());
    ASSERT_EQ(built.exit_code, 0) << built.err;
    auto nm = test::run_process(test::nm_command({"-n"}, dir_.file("vmlinux")));
    ASSERT_EQ(nm.exit_code, 0) << nm.err;
    test::write_text(dir_.file("vmlinux.syms"), nm.out);
    test::write_text(dir_.file("modules.order"), "");
  }

  // The nm letters of `name`'s copies.
  std::multiset<char> letters_of(const std::string& name) const {
    std::multiset<char> letters;
    for (const test::NmSymbol& s : test::nm_symbols(dir_.file("vmlinux"))) {
      if (s.has_value && s.name == name) letters.insert(s.type);
    }
    return letters;
  }
  // The names GCC gives a function-scope static `stem` (stem.N).
  std::set<std::string> numbered(const std::string& stem) const {
    std::set<std::string> names;
    for (const test::NmSymbol& s : test::nm_symbols(dir_.file("vmlinux"))) {
      if (s.has_value && s.name.rfind(stem + ".", 0) == 0) names.insert(s.name);
    }
    return names;
  }

  test::TempDir dir_;
};

TEST_F(ExecutableData, VariablesTypedTextAreLocatedByTheirVariableEntry) {
  // The setup is the one 7.3 has: .data executable, its variables `t`,
  // their ELF type OBJECT.
  auto sections = test::run_process({"readelf", "-SW", dir_.file("vmlinux")});
  std::string data_line = sections.out.substr(sections.out.find(" .data "));
  data_line = data_line.substr(0, data_line.find('\n'));
  ASSERT_NE(data_line.find("WAX"), std::string::npos) << data_line;
  ASSERT_EQ(letters_of("set_root"), (std::multiset<char>{'t', 't'}));
  auto symbols = test::run_process({"readelf", "-sW", dir_.file("vmlinux")});
  size_t objects = 0;
  std::istringstream rows(symbols.out);
  for (std::string row; std::getline(rows, row);) {
    if (row.ends_with(" set_root")) objects += row.find(" OBJECT ") != std::string::npos ? 1 : 0;
  }
  ASSERT_EQ(objects, 2u);
  std::set<std::string> counts = numbered("count");
  ASSERT_EQ(counts.size(), 1u) << "GCC numbers both units' count alike";
  const std::string count = *counts.begin();
  ASSERT_EQ(letters_of(count), (std::multiset<char>{'t', 't'}));

  auto r = test::run_process({test::kas_binary(), "vmlinux", "--no-daemon", "--nm", dir_.file("vmlinux.syms"),
                              "--elf", dir_.file("vmlinux"), "--modules-order", dir_.file("modules.order"), "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> aliases;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) {
    if (line.find("@drivers_") != std::string::npos) aliases.insert(line.substr(line.rfind(' ') + 1));
  }
  const std::set<std::string> expected = {
      "set_root@drivers_one_attr_c_1", "set_root@drivers_two_attr_c_4",
      count + "@drivers_one_attr_c_4", count + "@drivers_two_attr_c_7"};
  EXPECT_EQ(aliases, expected) << r.err;
  EXPECT_NE(r.err.find(" 0 without location"), std::string::npos) << r.err;
  // GCC's count.N is no full-LTO suffix, though nm types it text.
  EXPECT_NE(r.err.find("LTO suffixes: none"), std::string::npos) << r.err;
}

TEST_F(ExecutableData, LookupShowsWhereEachCopyIsDefined) {
  auto r = test::run_process({test::kas_binary(), "lookup", "set_root", "--no-daemon", "--vmlinux",
                              dir_.file("vmlinux"), "--modules-order", dir_.file("modules.order")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("drivers/one/attr.c:1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("drivers/two/attr.c:4"), std::string::npos) << r.out;
}

TEST_F(ExecutableData, AVariableTypedTextIsNoProbeLocation) {
  auto r = test::run_process({test::kas_binary(), "probe", "set_root@drivers_one_attr_c_1", "--no-daemon",
                              "--vmlinux", dir_.file("vmlinux"), "--modules-order", dir_.file("modules.order")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("is a variable"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kas
