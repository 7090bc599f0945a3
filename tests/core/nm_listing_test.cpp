#include "core/elf/nm_listing.hpp"

#include <gtest/gtest.h>

namespace kas {
namespace {

TEST(NmListing, ParsesNmKallsymsAndUndefinedForms) {
  std::string text =
      "ffffffff81000000 T _stext\n"
      "ffffffffc052102c t name_show\t[hello]\n"
      "                 U printk\n"
      "\n"
      "0000000000000010 d counter.0\n";
  auto lines = parse_nm_listing(text, "x.syms");
  ASSERT_TRUE(lines) << lines.error().message;
  ASSERT_EQ(lines->size(), 4u);
  EXPECT_EQ((*lines)[0].value, 0xffffffff81000000u);
  EXPECT_EQ((*lines)[0].type, 'T');
  EXPECT_EQ((*lines)[0].name, "_stext");
  EXPECT_EQ((*lines)[0].text, "ffffffff81000000 T _stext");
  EXPECT_EQ((*lines)[1].module, "hello");
  EXPECT_EQ((*lines)[2].address, "");
  EXPECT_EQ((*lines)[2].type, 'U');
  EXPECT_EQ((*lines)[3].name, "counter.0");
}

TEST(NmListing, MalformedLineNamesFileAndLine) {
  for (const char* bad : {"ffffffff81000000 T\n", "zzzz T foo\n", "ffff TT foo\n", "ffff T foo bar\n",
                          "    T foo\n"}) {
    std::string text = std::string("ffffffff81000000 T ok\n") + bad;
    auto lines = parse_nm_listing(text, "dir/vmlinux.syms");
    ASSERT_FALSE(lines) << bad;
    EXPECT_EQ(lines.error().code, ErrorCode::kBadInput);
    EXPECT_NE(lines.error().message.find("dir/vmlinux.syms:2:"), std::string::npos) << lines.error().message;
  }
}

}  // namespace
}  // namespace kas
