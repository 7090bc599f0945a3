// Installed modules compressed the way modules_install does
// (CONFIG_MODULE_COMPRESS_*: Debian 6.12 installs X.ko.xz, others X.ko.zst
// or .gz), compressed here by the real xz, zstd and gzip tools: read like the
// plain module (symbols equal to nm's on the uncompressed file), found in an
// installed tree and counted in its census; a damaged one is refused with
// its path and the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/module_list.hpp"
#include "core/util/decompress.hpp"
#include "core/util/memory_budget.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

struct Tool {
  const char* suffix;
  std::vector<std::string> compress;  // reads stdin, writes stdout
};

const std::vector<Tool>& tools() {
  static const std::vector<Tool> t = {{".xz", {"xz", "-c", "--check=crc32"}},  // what kbuild passes
                                      {".zst", {"zstd", "-q", "-c"}},
                                      {".gz", {"gzip", "-n", "-c"}}};
  return t;
}

// `tool` applied to `in`, written to `out`.
void compress(const Tool& tool, const std::string& in, const std::string& out) {
  std::string cmd;
  for (const std::string& a : tool.compress) cmd += a + " ";
  auto r = test::run_process({"sh", "-c", cmd + "< '" + in + "' > '" + out + "'"});
  ASSERT_EQ(r.exit_code, 0) << cmd << r.err;
}

using Row = std::tuple<std::string, char, uint64_t>;

std::vector<Row> symbols_of(const ElfFile& file) {
  auto table = read_symbols(file);
  EXPECT_TRUE(table) << (table ? "" : table.error().message);
  std::vector<Row> rows;
  if (!table) return rows;
  for (const ElfSymbol& s : table->symbols) {
    if (s.nm_visible) rows.emplace_back(std::string(s.name), s.nm_type, s.defined() ? s.value : 0);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(CompressedModule, ReadsLikeThePlainModule) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  const std::string plain = k.module("hello");
  std::vector<Row> expected;
  for (const test::NmSymbol& s : test::nm_symbols(plain)) expected.emplace_back(s.name, s.type, s.value);
  std::sort(expected.begin(), expected.end());
  ASSERT_FALSE(expected.empty());

  test::TempDir dir;
  for (const Tool& tool : tools()) {
    const std::string packed = dir.file(std::string("hello.ko") + tool.suffix);
    compress(tool, plain, packed);
    auto file = ElfFile::open(packed);
    ASSERT_TRUE(file) << packed << ": " << file.error().message;
    EXPECT_TRUE(file->compressed()) << packed;
    EXPECT_TRUE(file->is_relocatable()) << packed;
    EXPECT_EQ(file->image().size(), std::filesystem::file_size(plain)) << packed;
    EXPECT_EQ(symbols_of(*file), expected) << packed;
  }
  auto unpacked = ElfFile::open(plain);
  ASSERT_TRUE(unpacked);
  EXPECT_FALSE(unpacked->compressed());
}

TEST(CompressedModule, DamagedOrForeignContentIsRefusedWithPathAndReason) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  for (const Tool& tool : tools()) {
    const std::string packed = dir.file(std::string("whole.ko") + tool.suffix);
    compress(tool, k.module("hello"), packed);
    // Cut in the middle of the stream.
    const std::string cut = dir.file(std::string("cut.ko") + tool.suffix);
    std::filesystem::copy_file(packed, cut);
    std::filesystem::resize_file(cut, std::filesystem::file_size(packed) / 2);
    auto file = ElfFile::open(cut);
    ASSERT_FALSE(file) << cut;
    EXPECT_EQ(file.error().code, ErrorCode::kBadElf);
    EXPECT_NE(file.error().message.find(cut + ": cannot decompress"), std::string::npos) << file.error().message;

    // A valid stream whose content is not ELF.
    const std::string text = dir.file("notes.txt");
    std::ofstream(text) << "not a module\n";
    const std::string foreign = dir.file(std::string("notes.ko") + tool.suffix);
    compress(tool, text, foreign);
    auto other = ElfFile::open(foreign);
    ASSERT_FALSE(other) << foreign;
    EXPECT_NE(other.error().message.find(foreign + ": not an ELF file"), std::string::npos) << other.error().message;
  }
}

TEST(CompressedModule, LimitStopsADecompressionBomb) {
  test::TempDir dir;
  const std::string zeros = dir.file("zeros");
  {
    std::ofstream out(zeros, std::ios::binary);
    const std::string block(1 << 20, '\0');
    for (int i = 0; i < 8; ++i) out << block;  // 8 MiB, compresses to almost nothing
  }
  for (const Tool& tool : tools()) {
    const std::string packed = dir.file(std::string("zeros") + tool.suffix);
    compress(tool, zeros, packed);
    const std::string data = test::read_text(packed);
    const Compression c = compression_of(data);
    ASSERT_NE(c, Compression::kNone) << packed;
    auto all = decompress(data, c, packed);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->size(), size_t{8} << 20);
    auto capped = decompress(data, c, packed, size_t{1} << 20);
    ASSERT_FALSE(capped) << packed;
    EXPECT_NE(capped.error().message.find("larger than the limit"), std::string::npos) << capped.error().message;
  }
}

// The size a header claims (xz's index, gzip's ISIZE, zstd's frame header)
// only chooses the first allocation: content decompresses whole and exact
// whether the claim is right (a module: one allocation, a byte over its
// size), missing (zstd --no-content-size), short (two gzip members, which
// gzip -d reads both of: ISIZE is the last one's) or out of proportion with
// the input (8 MiB of zeros).
TEST(CompressedModule, WhatAHeaderClaimsOnlySizesTheFirstAllocation) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  const std::string module = k.module("hello");
  const std::string zeros = dir.file("zeros");
  std::ofstream(zeros, std::ios::binary) << std::string(size_t{8} << 20, '\0');
  const std::string twice = dir.file("twice");
  std::ofstream(twice, std::ios::binary) << test::read_text(module) << test::read_text(module);
  struct Case {
    std::string source;
    std::string packed;
    std::string command;
    bool exact;  // the claim is the size: no second allocation
  };
  const std::vector<Case> cases = {
      {module, dir.file("m.xz"), "xz -c --check=crc32 < '" + module + "'", true},
      {module, dir.file("m.zst"), "zstd -q -c '" + module + "'", true},  // from a file, as kbuild: sized
      {module, dir.file("m.gz"), "gzip -n -c < '" + module + "'", true},
      {module, dir.file("m-nosize.zst"), "zstd -q -c --no-content-size '" + module + "'", false},
      {twice, dir.file("twice.gz"), "gzip -n -c < '" + module + "'; gzip -n -c < '" + module + "'", false},
      {zeros, dir.file("zeros.xz"), "xz -c < '" + zeros + "'", false},
  };
  for (const Case& c : cases) {
    auto r = test::run_process({"sh", "-c", "(" + c.command + ") > '" + c.packed + "'"});
    ASSERT_EQ(r.exit_code, 0) << c.command << r.err;
    const std::string data = test::read_text(c.packed);
    const std::string want = test::read_text(c.source);
    MemoryBudget budget(size_t{1} << 30);
    MemoryReservation reserved(&budget);
    auto got = decompress(data, compression_of(data), c.packed, size_t{1} << 31, &reserved);
    ASSERT_TRUE(got) << c.packed << ": " << got.error().message;
    EXPECT_TRUE(*got == want) << c.packed << ": " << got->size() << " bytes, want " << want.size();
    if (c.exact) {
      EXPECT_LE(reserved.bytes(), want.size() + 1) << c.packed;
    }
    EXPECT_LE(reserved.bytes(), 2 * want.size() + (size_t{1} << 20)) << c.packed;
  }
}

// An installed tree: modules.order names X.ko, the files are X.ko.xz etc.
TEST(CompressedModule, FoundInAnInstalledTreeAndNamedWithoutSuffixes) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("kernel/drivers"));
  std::ofstream(dir.file("modules.order")) << "kernel/drivers/hello.ko\nkernel/drivers/other-mod.ko\n"
                                              "kernel/plain.ko\n";
  compress(tools()[0], k.module("hello"), dir.file("kernel/drivers/hello.ko.xz"));
  compress(tools()[1], k.module("other"), dir.file("kernel/drivers/other-mod.ko.zst"));
  std::filesystem::copy_file(k.module("hello_twin"), dir.file("kernel/plain.ko"));
  std::ofstream(dir.file("kernel/README.xz")) << "x";  // not a module's name

  auto found = find_modules(dir.path());
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found, (std::vector<std::string>{dir.file("kernel/drivers/hello.ko.xz"),
                                              dir.file("kernel/drivers/other-mod.ko.zst"),
                                              dir.file("kernel/plain.ko")}));
  auto listed = read_modules_order(dir.file("modules.order"));
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(*listed, *found);
  EXPECT_EQ(module_name_from_path(dir.file("kernel/drivers/other-mod.ko.zst")), "other_mod");
  EXPECT_EQ(module_name_from_path("kvm-intel.ko.gz"), "kvm_intel");
  EXPECT_EQ(module_name_from_path("a.xz"), "a.xz");
}

// The census of an installed tree is the same whether its modules are
// compressed or not (kas census --modules DIR on both).
TEST(CompressedModule, CensusOfACompressedTreeEqualsThePlainOne) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("plain"));
  std::filesystem::create_directories(dir.file("packed"));
  size_t i = 0;
  for (const char* mod : {"hello", "other", "hello_twin"}) {
    std::filesystem::copy_file(k.module(mod), dir.file(std::string("plain/") + mod + ".ko"));
    const Tool& tool = tools()[i++ % tools().size()];
    compress(tool, k.module(mod), dir.file(std::string("packed/") + mod + ".ko" + tool.suffix));
  }
  for (const char* tree : {"plain", "packed"}) {
    auto r = test::run_process({test::kas_binary(), "census", "--no-daemon", "--nm", k.syms(), "--modules",
                                dir.file(tree), "-o", dir.file(std::string(tree) + ".symbfreq")});
    ASSERT_EQ(r.exit_code, 0) << tree << ": " << r.err;
  }
  const std::string plain = test::read_text(dir.file("plain.symbfreq"));
  EXPECT_NE(plain.find("name_show:4\n"), std::string::npos);  // 2 in vmlinux, 1 per module
  EXPECT_EQ(test::read_text(dir.file("packed.symbfreq")), plain);
}

// kas module writes its output from the input's bytes: a compressed module
// is refused (nothing written), not turned into a plain ELF file named .xz.
TEST(CompressedModule, KasModuleRefusesToRewriteOne) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  const std::string packed = dir.file("hello.ko.xz");
  compress(tools()[0], k.module("hello"), packed);
  const std::string before = test::read_text(packed);
  auto r = test::run_process({test::kas_binary(), "module", "--no-daemon", "--nm", k.syms(), "--modules-order",
                              k.modules_order(), packed, "--in-place"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(packed + ": a compressed module"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_text(packed), before);
  EXPECT_EQ(test::count_entries(dir.path()), 1u);
}

}  // namespace
}  // namespace kas
