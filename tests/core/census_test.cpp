#include "core/census/census.hpp"

#include <gtest/gtest.h>

namespace kas {
namespace {

TEST(Census, CountsMergesAndWritesSortedSymbfreq) {
  Census a;
  a.add("name_show");
  a.add("b");
  Census b;
  b.add("name_show", 2);
  a.merge(b);
  EXPECT_EQ(a.count("name_show"), 3u);
  EXPECT_TRUE(a.duplicated("name_show"));
  EXPECT_FALSE(a.duplicated("b"));
  EXPECT_EQ(a.count("absent"), 0u);
  EXPECT_EQ(a.to_symbfreq(), "b:1\nname_show:3\n");
}

TEST(Census, SymbfreqRoundTrip) {
  auto census = Census::from_symbfreq("x.y:2\n__func__.3:7\n", "c");
  ASSERT_TRUE(census) << census.error().message;
  EXPECT_EQ(census->count("x.y"), 2u);
  EXPECT_EQ(census->count("__func__.3"), 7u);
  EXPECT_EQ(census->to_symbfreq(), "__func__.3:7\nx.y:2\n");
}

TEST(Census, MalformedSymbfreqIsAnErrorWithLine) {
  for (const char* bad : {"foo\n", "foo:\n", ":3\n", "foo:x\n", "foo:0\n", "foo:3x\n"}) {
    auto census = Census::from_symbfreq(std::string("ok:1\n") + bad, "modules.symbfreq");
    ASSERT_FALSE(census) << bad;
    EXPECT_NE(census.error().message.find("modules.symbfreq:2:"), std::string::npos) << census.error().message;
  }
}

}  // namespace
}  // namespace kas
