// /proc/kallsyms handling for --live: hidden addresses are reported with the
// reason; runtime addresses map back to vmlinux (KASLR) and to modules.
#include "core/query/live_kernel.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

TEST(LiveKernel, HiddenAddressesSayWhy) {
  test::TempDir dir;
  test::write_text(dir.file("kallsyms"),
                   "0000000000000000 T _text\n0000000000000000 t name_show\n0000000000000000 t name_show\t[uio]\n");
  auto live = LiveKernel::read(dir.file("kallsyms"));
  ASSERT_FALSE(live);
  EXPECT_NE(live.error().message.find("kptr_restrict"), std::string::npos) << live.error().message;
  EXPECT_NE(live.error().message.find(dir.file("kallsyms")), std::string::npos);
}

TEST(LiveKernel, TranslatesVmlinuxAndModuleAddresses) {
  test::TempDir dir;
  test::write_text(dir.file("kallsyms"),
                   "ffffffff9a000000 T _text\n"
                   "ffffffff9a100000 t name_show\n"
                   "ffffffffc0a00000 t uio_read\t[uio]\n"
                   "ffffffffc0a00100 t name_show\t[uio]\n");
  auto live = LiveKernel::read(dir.file("kallsyms"));
  ASSERT_TRUE(live) << live.error().message;
  EXPECT_EQ(live->vmlinux_address("_text"), 0xffffffff9a000000u);
  const int64_t offset = 0xffffffff9a000000 - 0xffffffff81000000;  // runtime minus link _text
  auto v = live->translate(0xffffffff9a100010, offset);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->by_address);
  EXPECT_EQ(v->address, 0xffffffff81100010u);
  auto m = live->translate(0xffffffffc0a0011a, offset);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->by_address);
  EXPECT_EQ(m->module, "uio");
  EXPECT_EQ(m->symbol, "name_show");
  EXPECT_EQ(m->offset, 0x1au);
  EXPECT_FALSE(live->translate(0x1000, offset));
}

TEST(LiveKernel, AnswersFromKallsymsAloneWithTheKernelsAliases) {
  test::TempDir dir;
  test::write_text(dir.file("kallsyms"),
                   "ffffffff9a000000 T _text\n"
                   "ffffffff9a100000 t name_show\n"
                   "ffffffff9a100000 t name_show@kernel_irq_irqdesc_c_230\n"
                   "ffffffff9a200000 t other_fn\n"
                   "ffffffffc0a00100 t name_show\t[uio]\n"
                   "ffffffffc0a00100 t name_show@drivers_uio_uio_c_215\t[uio]\n");
  auto live = LiveKernel::read(dir.file("kallsyms"));
  ASSERT_TRUE(live) << live.error().message;
  LookupAnswer a = live->lookup("name_show", 0, "why");
  ASSERT_EQ(a.definitions.size(), 2u);
  EXPECT_EQ(a.definitions[0].binary, "vmlinux");
  EXPECT_EQ(a.definitions[0].alias, "name_show@kernel_irq_irqdesc_c_230");
  EXPECT_EQ(a.definitions[1].binary, "uio");
  EXPECT_EQ(a.definitions[1].alias, "name_show@drivers_uio_uio_c_215");
  EXPECT_EQ(a.definitions[1].count, 2u);
  EXPECT_EQ(a.definitions[1].note, "why");
  EXPECT_EQ(live->lookup("name_show@*", 0, "").total, 2u);

  FrameQuery in_uio;
  in_uio.symbol = "name_show";
  in_uio.offset = 0x10;
  in_uio.module = "uio";
  in_uio.module_given = true;
  ResolveAnswer r = live->resolve(in_uio, "");
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].symbol.address, 0xffffffffc0a00100u);
  FrameQuery at;
  at.by_address = true;
  at.address = 0xffffffff9a100020;
  r = live->resolve(at, "");
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].offset, 0x20u);
  EXPECT_TRUE(r.candidates[0].symbol.name.starts_with("name_show"));
  FrameQuery both;
  both.symbol = "name_show";
  EXPECT_EQ(live->resolve(both, "").candidates.size(), 2u);  // ambiguous: both listed
}

TEST(LiveKernel, ReadsThisMachinesKallsymsOrSaysWhyNot) {
  auto live = LiveKernel::read();
  if (!live) {
    // Not readable, or hidden: the reason is in the message.
    EXPECT_NE(live.error().message.find("/proc/kallsyms"), std::string::npos);
    return;
  }
  EXPECT_GT(live->size(), 1000u);
  EXPECT_TRUE(live->vmlinux_address("_text"));
}

}  // namespace
}  // namespace kas
