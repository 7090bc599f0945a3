// The module loader's text layout (kernel/module/main.c layout_sections),
// written out by hand for small section tables.
#include "core/elf/module_text_layout.hpp"

#include <elf.h>
#include <gtest/gtest.h>

namespace kas {
namespace {

constexpr uint64_t kText = SHF_ALLOC | SHF_EXECINSTR;

TEST(ModuleTextLayout, TextSectionsInHeaderOrderAligned) {
  const SectionShape sections[] = {
      {"", 0, 0, 0},
      {".text", kText, 0x13, 16},
      {".data", SHF_ALLOC | SHF_WRITE, 0x100, 8},
      {".init.text", kText, 0x20, 16},
      {".text.unlikely", kText, 0x7, 1},
      {".exit.text", kText, 0x9, 4},
      {".debug_info", 0, 0x1000, 1},
  };
  const ModuleTextLayout layout = ModuleTextLayout::of(sections);
  auto text = layout.placement(1);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->offset, 0u);
  EXPECT_EQ(text->region, ModuleTextLayout::Region::kCore);
  auto unlikely = layout.placement(4);
  ASSERT_TRUE(unlikely);
  EXPECT_EQ(unlikely->offset, 0x13u);  // align 1: right after .text
  auto exit = layout.placement(5);
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->offset, 0x1cu);  // 0x1a rounded up to 4; .exit stays in core
  EXPECT_EQ(layout.region_end(ModuleTextLayout::Region::kCore), 0x25u);
  auto init = layout.placement(3);
  ASSERT_TRUE(init);
  EXPECT_EQ(init->region, ModuleTextLayout::Region::kInit);
  EXPECT_EQ(init->offset, 0u);
  EXPECT_EQ(layout.region_end(ModuleTextLayout::Region::kInit), 0x20u);
  EXPECT_FALSE(layout.placement(2));  // data
  EXPECT_FALSE(layout.placement(6));
  EXPECT_FALSE(layout.resized(ModuleTextLayout::Region::kCore));
}

TEST(ModuleTextLayout, Arm64PltsMakeTheRestABound) {
  const SectionShape sections[] = {
      {"", 0, 0, 0},
      {".text", kText, 0x40, 8},
      {".plt", kText, 1, 1},
      {".text.unlikely", kText, 0x10, 8},
  };
  const ModuleTextLayout layout = ModuleTextLayout::of(sections);
  EXPECT_FALSE(layout.placement(1)->after_resized);
  EXPECT_TRUE(layout.placement(3)->after_resized);
  EXPECT_TRUE(layout.resized(ModuleTextLayout::Region::kCore));
  EXPECT_FALSE(layout.resized(ModuleTextLayout::Region::kInit));
}

}  // namespace
}  // namespace kas
