// ftrace call-site records, read from objects gcc makes with the kernel's
// ftrace flags (-pg -mfentry -mrecord-mcount); the oracle is the compiler's
// own choice: a no_instrument_function (the kernel's notrace) function gets
// no __fentry__ call and no record, every other one gets one at its start.
#include "core/elf/ftrace_sites.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

constexpr const char* kSource = R"(
#define notrace __attribute__((no_instrument_function))
notrace void __fentry__(void) {}
__attribute__((noinline)) int traced(int x) { return x * 3 + 1; }
notrace __attribute__((noinline)) int untraced(int x) { return x * 5 + 2; }
__attribute__((cold, noinline)) int traced_cold(int x) { return x - 7; }
notrace int _start(void) { return traced(1) + untraced(2) + traced_cold(3); }
)";

struct Built {
  std::string object;
  std::string program;
};

Built build(test::TempDir& dir) {
  test::write_text(dir.file("f.c"), kSource);
  Built b{dir.file("f.o"), dir.file("f")};
  auto cc = test::run_process({"gcc", "-O2", "-pg", "-mfentry", "-mrecord-mcount", "-fno-pie", "-c", "-o", b.object,
                               dir.file("f.c")});
  EXPECT_EQ(cc.exit_code, 0) << cc.err;
  auto ld = test::run_process({"ld", "-o", b.program, b.object});
  EXPECT_EQ(ld.exit_code, 0) << ld.err;
  return b;
}

// nm's value of `name` in `path`.
uint64_t value_of(const std::string& path, const std::string& name) {
  for (const test::SizedSymbol& s : test::nm_sized(path)) {
    if (s.name == name) return s.value;
  }
  ADD_FAILURE() << name << " not in " << path;
  return 0;
}

uint64_t size_of(const std::string& path, const std::string& name) {
  for (const test::SizedSymbol& s : test::nm_sized(path)) {
    if (s.name == name) return s.size;
  }
  return 0;
}

TEST(FtraceSites, ALinkedProgramsRecordsAreAddresses) {
  test::TempDir dir;
  const Built b = build(dir);
  auto file = ElfFile::open(b.program);
  ASSERT_TRUE(file) << file.error().message;
  auto sites = read_ftrace_sites(*file);
  ASSERT_TRUE(sites) << sites.error().message;
  EXPECT_TRUE(sites->recorded);
  for (const char* name : {"traced", "traced_cold"}) {
    EXPECT_TRUE(sites->any_in(0, value_of(b.program, name), size_of(b.program, name))) << name;
  }
  for (const char* name : {"untraced", "_start", "__fentry__"}) {
    EXPECT_FALSE(sites->any_in(0, value_of(b.program, name), size_of(b.program, name))) << name;
  }
}

TEST(FtraceSites, AnObjectsRecordsAreSectionOffsetsFromItsRelocations) {
  test::TempDir dir;
  const Built b = build(dir);
  auto file = ElfFile::open(b.object);
  ASSERT_TRUE(file) << file.error().message;
  auto sites = read_ftrace_sites(*file);
  ASSERT_TRUE(sites) << sites.error().message;
  EXPECT_TRUE(sites->recorded);
  // readelf: the section index of each symbol.
  auto section_of = [&](const std::string& name) -> uint32_t {
    auto r = test::run_process({"readelf", "-sW", b.object});
    for (const std::string& line : test::split_lines(r.out)) {
      if (line.ends_with(" " + name)) {
        std::istringstream in(line);
        std::string num, value, size, type, bind, vis, ndx;
        in >> num >> value >> size >> type >> bind >> vis >> ndx;
        return static_cast<uint32_t>(std::stoul(ndx));
      }
    }
    ADD_FAILURE() << name;
    return 0;
  };
  for (const char* name : {"traced", "traced_cold"}) {
    EXPECT_TRUE(sites->any_in(section_of(name), value_of(b.object, name), size_of(b.object, name))) << name;
  }
  EXPECT_FALSE(sites->any_in(section_of("untraced"), value_of(b.object, "untraced"), size_of(b.object, "untraced")));
  EXPECT_EQ(sites->sites.size(), 2u);
}

TEST(FtraceSites, WithoutRecordsNothingIsTold) {
  test::TempDir dir;
  test::write_text(dir.file("g.c"), "int f(int x) { return x + 1; }\n");
  ASSERT_EQ(test::run_process({"gcc", "-O2", "-c", "-o", dir.file("g.o"), dir.file("g.c")}).exit_code, 0);
  auto file = ElfFile::open(dir.file("g.o"));
  ASSERT_TRUE(file);
  auto sites = read_ftrace_sites(*file);
  ASSERT_TRUE(sites);
  EXPECT_FALSE(sites->recorded);
}

TEST(KprobeBlacklist, AModulesKprobesAndNoinstrTextIsListed) {
  test::TempDir dir;
  test::write_text(dir.file("k.c"), "__attribute__((section(\".kprobes.text\"))) int a(int x) { return x + 1; }\n"
                                    "__attribute__((section(\".noinstr.text\"))) int b(int x) { return x + 2; }\n"
                                    "int c(int x) { return x + 3; }\n");
  ASSERT_EQ(test::run_process({"gcc", "-O2", "-c", "-o", dir.file("k.o"), dir.file("k.c")}).exit_code, 0);
  auto file = ElfFile::open(dir.file("k.o"));
  ASSERT_TRUE(file);
  auto blacklist = read_kprobe_blacklist(*file);
  ASSERT_TRUE(blacklist) << blacklist.error().message;
  ASSERT_EQ(blacklist->sections.size(), 2u);
  for (uint32_t s : blacklist->sections) {
    const std::string_view name = file->section_name(s);
    EXPECT_TRUE(name == ".kprobes.text" || name == ".noinstr.text") << name;
    EXPECT_TRUE(blacklist->holds(s, 0));
  }
  for (size_t s = 1; s < file->section_count(); ++s) {
    if (file->section_name(s) == ".text") {
      EXPECT_FALSE(blacklist->holds(static_cast<uint32_t>(s), 0));
    }
  }
}

TEST(KprobeBlacklist, VmlinuxAreasAndNokprobeListFromItsSymbols) {
  test::TempDir dir;
  // A linked program standing in for vmlinux: the area bounds and the
  // NOKPROBE table are symbols, as vmlinux.lds makes them.
  test::write_text(dir.file("v.c"),
                   "__attribute__((section(\".entry.text\"), noinline)) int in_entry(int x) { return x + 1; }\n"
                   "__attribute__((noinline)) int listed(int x) { return x + 2; }\n"
                   "__attribute__((noinline)) int free_one(int x) { return x + 3; }\n"
                   "__attribute__((section(\"_kprobe_blacklist\"), used)) static unsigned long kbl = (unsigned long)listed;\n"
                   "int _start(void) { return in_entry(1) + listed(2) + free_one(3); }\n");
  ASSERT_EQ(test::run_process({"gcc", "-O2", "-fno-pie", "-c", "-o", dir.file("v.o"), dir.file("v.c")}).exit_code, 0);
  auto ld = test::run_process({"ld", "-o", dir.file("v"), dir.file("v.o"), "--defsym=__entry_text_start=in_entry",
                               "--defsym=__entry_text_end=in_entry+16",
                               "--defsym=__start_kprobe_blacklist=__start__kprobe_blacklist",
                               "--defsym=__stop_kprobe_blacklist=__stop__kprobe_blacklist"});
  ASSERT_EQ(ld.exit_code, 0) << ld.err;
  auto file = ElfFile::open(dir.file("v"));
  ASSERT_TRUE(file);
  auto blacklist = read_kprobe_blacklist(*file);
  ASSERT_TRUE(blacklist) << blacklist.error().message;
  const std::string v = dir.file("v");
  EXPECT_TRUE(blacklist->holds(0, value_of(v, "in_entry")));
  EXPECT_TRUE(blacklist->holds(0, value_of(v, "listed")));
  EXPECT_FALSE(blacklist->holds(0, value_of(v, "free_one")));
}

}  // namespace
}  // namespace kas
