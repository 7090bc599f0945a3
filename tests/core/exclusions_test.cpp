#include "core/alias/exclusions.hpp"

#include <gtest/gtest.h>

namespace kas {
namespace {

TEST(Exclusions, CompilerAndMacroGeneratedNames) {
  for (const char* name :
       {"__compound_literal.12", "__key.3", "__wkey.1", "__mkey.22", "__wmwkey.4", "TRACE_SYSTEM_foo",
        "__TRACE_SYSTEM_bar", "__already_done.9", "__msg.1", "__func__.77", "CSWTCH.123", "_rs.5", "___tp_str.8",
        "__flags.2", "___done.6", "__print_once.1", "___once_key.3", "__pfx_name_show", "__cfi_name_show", ".LC0",
        ".L12.3", "__UNIQUE_ID_license283", "symbols.4", "_note_18"}) {
    EXPECT_TRUE(is_excluded_name(name)) << name;
  }
}

TEST(Exclusions, RealNamesThatLookAlike) {
  for (const char* name : {"name_show", "__key", "__key.x", "__keys.1", "key.1", "__func__", "CSWTCH",
                           "__msgs.1", "symbols", "_note_x", "func.constprop.0", "foo.isra.0", ".Lfoo", "__pfx",
                           "note_1", "__flags", "my_TRACE_SYSTEM"}) {
    EXPECT_FALSE(is_excluded_name(name)) << name;
  }
}

}  // namespace
}  // namespace kas
