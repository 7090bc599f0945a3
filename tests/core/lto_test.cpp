#include "core/alias/lto.hpp"

#include <gtest/gtest.h>

namespace kas {
namespace {

TEST(Lto, StripsLinkerNumbersOnly) {
  EXPECT_EQ(strip_lto_suffix("foo.llvm.1234567"), "foo");
  EXPECT_EQ(strip_lto_suffix("foo.lto_priv.0"), "foo");
  EXPECT_EQ(strip_lto_suffix("foo.lto_priv.0.llvm.99"), "foo");
  EXPECT_EQ(strip_lto_suffix("foo.constprop.0"), "foo.constprop.0");
  EXPECT_EQ(strip_lto_suffix("foo.isra.1"), "foo.isra.1");
  EXPECT_EQ(strip_lto_suffix("foo.cold"), "foo.cold");
  EXPECT_EQ(strip_lto_suffix("__key.12"), "__key.12");
  EXPECT_EQ(strip_lto_suffix("foo.llvm.x1"), "foo.llvm.x1");
  EXPECT_EQ(strip_lto_suffix(".llvm.1"), ".llvm.1");
}

}  // namespace
}  // namespace kas
