// Parsing of resolve locations and of stack frames in kernel log lines.
#include "core/query/frame_spec.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kas
