// client/tracefs/tracefs_names: what kas writes to kprobe_events, checked against
// the kernel's own parsing. Event and group names are compared, over every
// string of one and two bytes, with a transliteration of the kernel's
// __is_good_name() (kernel/trace/trace.h, identical in 6.1 and 7.3) on its
// ASCII ctype; locations and commands with the rule of trace_kprobe.c or
// trace_parse_run_command() each row stands for.
#include "client/tracefs/tracefs_names.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kas {
namespace {

// __is_good_name(name, hash_ok), with the kernel's isalpha()/isdigit() for
// ASCII (kas refuses the Latin-1 letters the kernel's ctype also takes).
bool kernel_is_good_name(const std::string& name, bool hash_ok) {
  auto alpha = [](unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](unsigned char c) { return c >= '0' && c <= '9'; };
  const char* p = name.c_str();
  if (!alpha(*p) && *p != '_' && (!hash_ok || *p != '-')) return false;
  while (*++p != '\0') {
    if (!alpha(*p) && !digit(*p) && *p != '_' && (!hash_ok || *p != '-')) return false;
  }
  return true;
}

std::vector<std::string> short_strings() {
  std::vector<std::string> out;
  for (int a = 1; a < 256; ++a) {
    out.push_back(std::string(1, static_cast<char>(a)));
    for (int b = 1; b < 256; ++b) out.push_back({static_cast<char>(a), static_cast<char>(b)});
  }
  return out;
}

TEST(TracefsNames, EventAndGroupNamesAreWhatIsGoodNameTakes) {
  for (const std::string& s : short_strings()) {
    EXPECT_EQ(cli::check_event_name(s).has_value(), kernel_is_good_name(s, false)) << cli::visible(s);
    EXPECT_EQ(cli::check_group_name(s).has_value(), kernel_is_good_name(s, true)) << cli::visible(s);
  }
  EXPECT_FALSE(cli::check_event_name(""));
  EXPECT_FALSE(cli::check_group_name(""));
}

// traceprobe_parse_event_name(): an event of len >= MAX_EVENT_NAME_LEN (64)
// is EVENT_TOO_LONG, a group with slash - event + 1 > 64 GROUP_TOO_LONG.
TEST(TracefsNames, NamesAreShorterThanMaxEventNameLen) {
  EXPECT_TRUE(cli::check_event_name(std::string(63, 'a')));
  EXPECT_FALSE(cli::check_event_name(std::string(64, 'a')));
  EXPECT_TRUE(cli::check_group_name(std::string(63, 'a')));
  EXPECT_FALSE(cli::check_group_name(std::string(64, 'a')));
}

TEST(TracefsNames, TheInjectedEventOfIssue27IsRefusedSayingWhy) {
  auto r = cli::check_event_name("x vfs_write\n-:kprobes/other #");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "'x vfs_write\\n-:kprobes/other #' is no event name: tracefs takes only letters, digits and '_', and "
            "not a digit first (ASCII)");
}

TEST(TracefsNames, LocationsAreKallsymsNamesModulesAndNumbersAsTraceKprobeReadsThem) {
  for (const char* ok : {"name_show", "name_show@kernel_irq_irqdesc_c_230", "uio:name_show",
                         "uio:name_show@drivers_uio_uio_c_215+0x10", "c_start.cold", "_RNvCs1234_4core3foo",
                         "x+0xffffffff", "x+42", "0xffffffffc0a00000", "dup_a_entry$x"}) {
    EXPECT_TRUE(cli::check_probe_location(ok)) << ok << ": " << cli::check_probe_location(ok).error().message;
  }
  struct Refused {
    std::string location;
    std::string why;  // part of the message
  };
  for (const Refused& c : std::vector<Refused>{
           {"", "no symbol name"},
           {"x y", "whitespace ends the word"},                        // argv_split
           {"x\ty", "whitespace ends the word"},
           {"evil\n-:other/mine", "a newline ends the command"},       // trace_parse_run_command
           {"dupmod:evil\n-:other/mine\np:other/mine x+0x1", "a newline ends the command"},
           {"x#y", "'#' starts a comment"},                            // trace_parse_run_command
           {"mod:x#y+0x10", "'#' starts a comment"},
           {"x%return", "'%' starts a suffix"},                        // BAD_ADDR_SUFFIX
           {"x-1", "'+' and '-' start the offset"},                    // traceprobe_split_symbol_offset
           {"x+-1", "the offset after '+' must be a number"},
           {"x+", "the offset after '+' must be a number"},
           {"x+0x100000000", "the offset after '+' must be a number up to 0xffffffff"},  // offset > UINT_MAX
           {"x+0x1g", "the offset after '+' must be a number"},
           {"a:b:c", "':' separates MODULE:SYMBOL"},                   // validate_probe_symbol: first ':'
           {":x", "a module's name has 1 to 55 characters"},
           {"mod:", "no symbol name"},
           {"my-mod:x", "a loaded module's name holds only letters, digits and '_'"},
           {std::string(56, 'm') + ":x", "a module's name has 1 to 55 characters"},  // MODULE_NAME_LEN
           {"a/b", "'/' with ':' makes it a uprobe"},
           {"1234", "a name starting with a digit is read as an address"},  // kstrtoul
           {"x\x01", "a control character"},
           {"x\x7f", "a control character"},
           {"x\xa0", "not ASCII"},                                      // the kernel's isspace(0xa0)
           {std::string(512, 's'), "a kallsyms name has at most 511 characters"},  // KSYM_NAME_LEN
       }) {
    auto r = cli::check_probe_location(c.location);
    ASSERT_FALSE(r) << cli::visible(c.location);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(r.error().message.starts_with("'" + cli::visible(c.location) + "' is no kprobe location: "))
        << r.error().message;
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(cli::check_probe_location(std::string(511, 's')));
  EXPECT_TRUE(cli::check_probe_location(std::string(55, 'm') + ":x"));
}

TEST(TracefsNames, ACommandIsOneProbeOfOneGroupAndEvent) {
  EXPECT_TRUE(cli::check_kprobe_command("p:kas/name_show_kernel_irq_irqdesc_c_230 name_show@kernel_irq_irqdesc_c_230"));
  EXPECT_TRUE(cli::check_kprobe_command("r:kas/x__return uio:name_show"));
  EXPECT_TRUE(cli::check_kprobe_command("p:kas/x 0xffffffffc0a00000"));
  EXPECT_TRUE(cli::check_kprobe_command("-:kas/x"));
  for (const char* refused : {"p:kas/x", "-:kas/x name_show", "p:kas/x a b", "x:kas/x name_show", "p:x name_show",
                              "p:kas/x vfs_write\n-:kprobes/other # name_show", "-:kas/x\n-:kprobes/other",
                              "p:kas/x dupmod:evil\n-:other/mine +0x10", "p:ka.s/x name_show", "p:/x name_show",
                              "p:kas/ name_show", "p:kas/x name_show#"}) {
    EXPECT_FALSE(cli::check_kprobe_command(refused)) << cli::visible(refused);
  }
}

}  // namespace
}  // namespace kas
