// read_symbols against binutils nm: same defined symbols, same letters, same
// values, for an executable and for relocatable objects.
#include "core/elf/symtab.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

using Row = std::tuple<std::string, char, uint64_t>;

std::vector<Row> ours(const std::string& path) {
  auto file = ElfFile::open(path);
  EXPECT_TRUE(file) << (file ? "" : file.error().message);
  if (!file) return {};
  auto table = read_symbols(*file);
  EXPECT_TRUE(table) << (table ? "" : table.error().message);
  if (!table) return {};
  std::vector<Row> rows;
  for (const ElfSymbol& s : table->symbols) {
    if (s.nm_visible) rows.emplace_back(std::string(s.name), s.nm_type, s.defined() ? s.value : 0);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<Row> theirs(const std::string& path) {
  std::vector<Row> rows;
  for (const test::NmSymbol& s : test::nm_symbols(path)) rows.emplace_back(s.name, s.type, s.value);
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(ElfSymtab, MatchesNmOnExecutableAndObjects) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  for (const std::string& path : {k.vmlinux(), k.module("hello"), k.module("other"),
                                  k.module_part("hello", "hello"), k.objtree + "/arch/x86/entry/thunk.o"}) {
    auto expected = theirs(path);
    ASSERT_FALSE(expected.empty()) << path;
    EXPECT_EQ(ours(path), expected) << path;
  }
}

// aarch64 objects hold mapping symbols ($x, $d) that aarch64-linux-gnu-nm
// (what kbuild's mksysmap runs) does not list but a host nm for all targets
// does: read_symbols lists what the target's nm does.
TEST(ElfSymtab, MatchesTheTargetNmOnAarch64) {
  const auto& k = test::fixture_kernel("arm64");
  ASSERT_FALSE(k.root.empty());
  for (const std::string& path : {k.vmlinux(), k.module("hello"), k.module_part("hello", "hello"),
                                  k.vmlinux_object()}) {
    auto expected = theirs(path);
    ASSERT_FALSE(expected.empty()) << path;
    EXPECT_EQ(ours(path), expected) << path;
    auto host = test::run_process({"nm", path});
    ASSERT_EQ(host.exit_code, 0) << host.err;
    EXPECT_NE(host.out.find(" $x"), std::string::npos) << "the fixture must hold mapping symbols: " << path;
    for (const Row& row : ours(path)) EXPECT_NE(std::get<0>(row)[0], '$') << path;
  }
}

TEST(ElfSymtab, MatchesNmOnUnusualSymbolKinds) {
  // weak, common, absolute, TLS, ifunc, unique, read-only and small sections
  test::TempDir dir;
  test::write_text(dir.file("kinds.c"),
                   "int common_var;\n"
                   "__attribute__((weak)) int weak_fn(void) { return 1; }\n"
                   "__attribute__((weak)) int weak_obj = 3;\n"
                   "extern int undefined_weak(void) __attribute__((weak));\n"
                   "__thread int tls_var = 1;\n"
                   "static __thread int tls_bss;\n"
                   "const int ro_var = 5;\n"
                   "static int impl(void) { return 2; }\n"
                   "static void *resolve(void) { return (void *)impl; }\n"
                   "int ifn(void) __attribute__((ifunc(\"resolve\")));\n"
                   "int use(void) { return undefined_weak ? undefined_weak() + tls_bss : ro_var; }\n"
                   "asm(\".globl abs_sym\\n.set abs_sym, 0x1234\\n\");\n"
                   "__attribute__((section(\".comment.kas\"))) const char note[] = \"x\";\n");
  auto r = test::run_process({"gcc", "-O1", "-fcommon", "-c", "-o", dir.file("kinds.o"), dir.file("kinds.c")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ours(dir.file("kinds.o")), theirs(dir.file("kinds.o")));
}

TEST(ElfSymtab, ErrorsNameTheFile) {
  test::TempDir dir;
  test::write_text(dir.file("not-elf"), "hello\n");
  auto text = ElfFile::open(dir.file("not-elf"));
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::kBadElf);
  EXPECT_NE(text.error().message.find(dir.file("not-elf")), std::string::npos);

  auto missing = ElfFile::open(dir.file("missing.o"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  const auto& k = test::fixture_kernel("intree");
  std::string truncated = dir.file("truncated.o");
  std::string bytes = test::read_text(k.module("hello"));
  test::write_text(truncated, bytes.substr(0, 200));
  auto t = ElfFile::open(truncated);
  if (t) {
    auto table = read_symbols(*t);
    ASSERT_FALSE(table);
    EXPECT_NE(table.error().message.find(truncated), std::string::npos);
  } else {
    EXPECT_NE(t.error().message.find(truncated), std::string::npos);
  }
}

}  // namespace
}  // namespace kas
