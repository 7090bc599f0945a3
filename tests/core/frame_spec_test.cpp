// Parsing of resolve locations and of stack frames in kernel log lines.
#include "core/query/frame_spec.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/support/fixture_kernel.hpp"

namespace kas {
namespace {

TEST(FrameSpec, SymbolOffsetSize) {
  auto q = parse_frame_spec("name_show+0x1a/0x40");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_FALSE(q->by_address);
  EXPECT_EQ(q->symbol, "name_show");
  EXPECT_EQ(q->offset, 0x1au);
  EXPECT_TRUE(q->has_size);
  EXPECT_EQ(q->size, 0x40u);
  EXPECT_FALSE(q->module_given);
}

TEST(FrameSpec, ModulePrefixAndOopsSuffix) {
  auto a = parse_frame_spec("uio:name_show+0x10");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->module, "uio");
  EXPECT_EQ(a->symbol, "name_show");
  EXPECT_EQ(a->offset, 0x10u);
  EXPECT_FALSE(a->has_size);
  auto b = parse_frame_spec("name_show+0x1a/0x40 [fpga-mgr]");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->module, "fpga-mgr");
  EXPECT_EQ(b->size, 0x40u);
  auto c = parse_frame_spec("name_show");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->offset, 0u);
}

TEST(FrameSpec, AliasIsASymbol) {
  auto q = parse_frame_spec("name_show@drivers_uio_uio_c_215+0x8");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->symbol, "name_show@drivers_uio_uio_c_215");
  EXPECT_EQ(q->offset, 8u);
}

TEST(FrameSpec, Addresses) {
  auto a = parse_frame_spec("ffffffff8c4f76d0");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->by_address);
  EXPECT_EQ(a->address, 0xffffffff8c4f76d0u);
  auto b = parse_frame_spec("0x4011e8");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->by_address);
  EXPECT_EQ(b->address, 0x4011e8u);
  // A short hex word without 0x is a name (there are functions called "add").
  auto c = parse_frame_spec("add");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->by_address);
}

TEST(FrameSpec, RejectsMalformedWithTheReason) {
  for (const char* bad : {"", "+0x10", "name+zz", "name/0x10+0x4", "uio:", "a b", "uio:0xffff", "x+0x1 [a] "
                                                                                                  "[b]"}) {
    auto q = parse_frame_spec(bad);
    EXPECT_FALSE(q) << bad;
    if (!q) {
      EXPECT_NE(q.error().message.find("expected ADDR"), std::string::npos) << q.error().message;
    }
  }
}

TEST(LogFrame, FindsFramesInOopsLines) {
  auto a = find_log_frame("[   12.000009]  ? name_show+0x1a/0x40 [uio]");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->query.symbol, "name_show");
  EXPECT_EQ(a->query.module, "uio");
  EXPECT_EQ(a->query.text, "name_show+0x1a/0x40 [uio]");
  EXPECT_EQ(std::string("[   12.000009]  ? name_show+0x1a/0x40 [uio]").substr(a->begin, a->end - a->begin),
            a->query.text);
  EXPECT_TRUE(a->query.return_address);  // a call-trace frame

  auto rip = find_log_frame("[    1.0] RIP: 0010:dev_attr_show.cold+0x4/0x20");
  ASSERT_TRUE(rip);
  EXPECT_EQ(rip->query.symbol, "dev_attr_show.cold");
  EXPECT_FALSE(rip->query.return_address);  // the faulting instruction itself
  auto pc = find_log_frame("[    1.0] pc : name_show+0x1c/0x30 [uio]");
  ASSERT_TRUE(pc);
  EXPECT_FALSE(pc->query.return_address);
  auto lr = find_log_frame("[    1.0] lr : dev_attr_show+0x20/0x60");
  ASSERT_TRUE(lr);
  EXPECT_TRUE(lr->query.return_address);
  // No [module] on an oops frame: vmlinux.
  EXPECT_EQ(rip->query.module, "vmlinux");
  EXPECT_TRUE(rip->query.module_given);

  EXPECT_FALSE(find_log_frame("[    1.0] Call Trace:"));
  EXPECT_FALSE(find_log_frame("[    1.0] RAX: 0000000000000000 RBX: ffff888003c3e000"));
  EXPECT_FALSE(find_log_frame("offset+0x10 without a size is not a frame"));
}

TEST(LogFrame, EveryFormTheKernelsPrint) {
  struct Case {
    const char* line;
    const char* symbol;
    const char* module;  // "vmlinux" when the frame names none
    bool return_address;
  };
  const Case cases[] = {
      // x86-64, printk caller id (CONFIG_PRINTK_CALLER) and log level
      {"<4>[   42.118043][  T4242]  dev_attr_show+0x18/0x40", "dev_attr_show", "vmlinux", true},
      {"[   42.118043][    C1]  ? ret_from_fork+0x1f/0x30", "ret_from_fork", "vmlinux", true},
      // CONFIG_STACKTRACE_BUILD_ID
      {"[    3.1]  name_show+0x9/0x20 [kas_hello 5f3a0c2e9b7d41e8a6f00c1d2e3f4a5b6c7d8e9f]", "name_show", "kas_hello",
       true},
      {"[    3.1] RIP: 0010:name_show+0x9/0x20 [kas_hello 5f3a0c2e]", "name_show", "kas_hello", false},
      // GCC's split and specialised copies; a vmlinux .init.text function
      {" __alloc_pages_slowpath.constprop.0+0xc48/0xd60", "__alloc_pages_slowpath.constprop.0", "vmlinux", true},
      {" dump_backtrace.part.0+0xe0/0xf0", "dump_backtrace.part.0", "vmlinux", true},
      {" ata_scsi_queuecmd.isra.0+0x40/0x60", "ata_scsi_queuecmd.isra.0", "vmlinux", true},
      {" start_kernel+0x6d9/0x708", "start_kernel", "vmlinux", true},
      // arm64
      {"[   10.5] pc : name_show+0x1c/0x38 [kas_hello]", "name_show", "kas_hello", false},
      {"[   10.5] lr : dev_attr_show+0x20/0x64", "dev_attr_show", "vmlinux", true},
      {"[   10.5]  show_stack+0x20/0x38", "show_stack", "vmlinux", true},
      // a WARN()'s own address, and journalctl's prefix
      {"WARNING: CPU: 0 PID: 1 at kernel/foo.c:12 foo_init+0x12/0x40 [foo]", "foo_init", "foo", false},
      {"Dec 07 08:00:00 host kernel:  vfs_read+0x9d/0x180", "vfs_read", "vmlinux", true},
  };
  for (const Case& c : cases) {
    auto f = find_log_frame(c.line);
    ASSERT_TRUE(f) << c.line;
    EXPECT_EQ(f->query.symbol, c.symbol) << c.line;
    EXPECT_EQ(f->query.module, c.module) << c.line;
    EXPECT_EQ(f->query.return_address, c.return_address) << c.line;
    EXPECT_TRUE(f->query.has_size) << c.line;
  }
  auto stale = find_log_frame("[    6.708385][   T54]  ? lapic_can_unplug_cpu+0x70/0x70");
  ASSERT_TRUE(stale);
  EXPECT_TRUE(stale->unreliable);
  EXPECT_TRUE(stale->stale_pointer());
  auto inside = find_log_frame("[    6.708385][   T54]  ? handle_mm_fault+0x4f/0x100");
  ASSERT_TRUE(inside);
  EXPECT_TRUE(inside->unreliable);
  EXPECT_FALSE(inside->stale_pointer());
  auto reliable = find_log_frame("[    6.708385][   T54]  vfs_write+0x99/0x2d0");
  ASSERT_TRUE(reliable);
  EXPECT_FALSE(reliable->unreliable);
  auto id = find_log_frame("[    3.1]  name_show+0x9/0x20 [kas_hello 5f3a0c2e]");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->query.build_id, "5f3a0c2e");
  EXPECT_EQ(id->query.text, "name_show+0x9/0x20 [kas_hello 5f3a0c2e]");
}

// The call traces booted kernels printed (tests/e2e/traces, x86-64 and
// arm64, 6.1 and 6.12): every line holding NAME+0xOFF/0xSIZE, as an
// independent regular expression finds them, is a frame, with its module
// and its "? " mark; no other line is.
TEST(LogFrame, EveryFrameOfTheRecordedTraces) {
  const std::regex frame(R"(\]\s+(\? )?([A-Za-z0-9_.$]+)\+0x[0-9a-f]+/0x[0-9a-f]+( \[([a-z0-9_]+)\])?$)");
  for (const char* kind : {"x86_64-6.1", "arm64-6.1", "x86_64-6.12", "arm64-6.12"}) {
    std::ifstream in(test::fixtures_dir() + "/../e2e/traces/" + kind + ".txt");
    ASSERT_TRUE(in) << kind;
    size_t frames = 0;
    size_t in_modules = 0;
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      const bool is_frame = std::regex_search(line, m, frame);
      auto found = find_log_frame(line);
      ASSERT_EQ(found.has_value(), is_frame) << kind << ": " << line;
      if (!is_frame) continue;
      ++frames;
      EXPECT_EQ(found->query.symbol, m[2].str()) << line;
      EXPECT_EQ(found->unreliable, m[1].matched) << line;
      EXPECT_EQ(found->query.module, m[4].matched ? m[4].str() : "vmlinux") << line;
      EXPECT_TRUE(found->query.return_address) << line;  // no oops: every frame is a return address
      in_modules += m[4].matched ? 1 : 0;
    }
    EXPECT_GT(frames, 150u) << kind;
    EXPECT_EQ(in_modules, 1u) << kind << ": kas_hello's name_show";
  }
}

TEST(FrameSpec, TracerSpellings) {
  auto perf = parse_frame_spec("name_show@kernel/irq/irqdesc.c");
  ASSERT_TRUE(perf) << perf.error().message;
  EXPECT_EQ(perf->symbol, "name_show");
  EXPECT_EQ(perf->source, "kernel/irq/irqdesc.c");
  EXPECT_FALSE(perf->has_source_line);
  auto base = parse_frame_spec("uio:name_show@uio.c:3+0x4");
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(base->module, "uio");
  EXPECT_EQ(base->source, "uio.c");
  EXPECT_TRUE(base->has_source_line);
  EXPECT_EQ(base->source_line, 3u);
  EXPECT_EQ(base->offset, 4u);
  auto klp = parse_frame_spec("name_show,2");
  ASSERT_TRUE(klp) << klp.error().message;
  EXPECT_EQ(klp->symbol, "name_show");
  EXPECT_TRUE(klp->has_sympos);
  EXPECT_EQ(klp->sympos, 2u);
  auto zero = parse_frame_spec("uio:name_show,0");
  ASSERT_TRUE(zero);
  EXPECT_TRUE(zero->has_sympos);
  EXPECT_EQ(zero->sympos, 0u);
  // An alias is no perf source: its decoration has no '.' or '/'.
  auto alias = parse_frame_spec("name_show@kernel_irq_irqdesc_c_230");
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->symbol, "name_show@kernel_irq_irqdesc_c_230");
  EXPECT_TRUE(alias->source.empty());
  for (const char* bad : {"name_show,x", "name_show@a.c:x", "name_show@a.c+0x4/0x10", "name_show,"}) {
    EXPECT_FALSE(parse_frame_spec(bad)) << bad;
  }
}

}  // namespace
}  // namespace kas
