// client/render/probe_format: the event names kas probe gives, checked against
// what the kernel's kprobe_events takes (traceprobe_parse_event_name():
// a C identifier shorter than MAX_EVENT_NAME_LEN, 64) and perf's naming of
// return probes (NAME__return, get_new_event_name()).
#include "client/render/probe_format.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace kas {
namespace {

ProbeAnswer answer_for(const std::string& alias) {
  ProbeAnswer a;
  a.symbol.name = alias.substr(0, alias.find('@'));
  a.symbol.alias = alias;
  a.location = alias;
  a.how = "alias";
  return a;
}

bool kprobe_events_takes(const std::string& event) {
  static const std::regex identifier("^[A-Za-z_][A-Za-z0-9_]*$");
  return std::regex_match(event, identifier) && event.size() < 64;
}

TEST(ProbeEventName, AReturnProbeIsNamedApartFromTheEntryProbeAsPerfDoes) {
  const ProbeAnswer a = answer_for("name_show@kernel_irq_irqdesc_c_230");
  const std::string entry = cli::probe_event_name(a, "", false);
  const std::string ret = cli::probe_event_name(a, "", true);
  EXPECT_EQ(entry, "name_show_kernel_irq_irqdesc_c_230");
  EXPECT_EQ(ret, "name_show_kernel_irq_irqdesc_c_230__return");
  EXPECT_EQ(cli::kprobe_line(a, ret, true), "r:kas/name_show_kernel_irq_irqdesc_c_230__return " + a.location);
  // A name the user gives is taken as it is.
  EXPECT_EQ(cli::probe_event_name(a, "mine", true), "mine");
}

TEST(ProbeEventName, LongNamesAreCutBelowTheKernelsLimitAndStayDistinct) {
  for (size_t length = 50; length <= 80; ++length) {
    const std::string alias = "f@" + std::string(length - 2, 'a');
    const ProbeAnswer a = answer_for(alias);
    const std::string entry = cli::probe_event_name(a, "", false);
    const std::string ret = cli::probe_event_name(a, "", true);
    EXPECT_TRUE(kprobe_events_takes(entry)) << entry << " (" << entry.size() << ")";
    EXPECT_TRUE(kprobe_events_takes(ret)) << ret << " (" << ret.size() << ")";
    EXPECT_TRUE(ret.ends_with("__return")) << ret;
    EXPECT_NE(entry, ret);
    // Two long aliases that differ only at the end get different events.
    const std::string other = cli::probe_event_name(answer_for(alias + "b"), "", false);
    EXPECT_NE(entry, other) << alias;
  }
  // 63 characters fit as they are; 64 do not (len >= MAX_EVENT_NAME_LEN).
  EXPECT_EQ(cli::probe_event_name(answer_for("f@" + std::string(61, 'a')), "", false), "f_" + std::string(61, 'a'));
  EXPECT_EQ(cli::probe_event_name(answer_for("f@" + std::string(62, 'a')), "", false).size(), 63u);
}

}  // namespace
}  // namespace kas
