// What `kas probe` prints for an answer: a kprobe_events line, a bpftrace
// probe or a perf probe command, with an event name tracefs accepts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "service/vocabulary.hpp"

namespace kas::cli {

enum class ProbeFormat { kKprobe, kBpftrace, kPerf };

[[nodiscard]] std::optional<ProbeFormat> parse_probe_format(std::string_view text);

// A location "[MODULE:]NAME[+0xOFF]" in its parts (names hold no ':' or '+').
struct LocationParts {
  std::string module;
  std::string name;
  std::string offset;  // "+0x.." or ""
};
[[nodiscard]] LocationParts split_location(const std::string& location);

// The group of every event kas probe makes ("kas/EVENT", "kas:EVENT").
inline constexpr std::string_view kProbeGroup = "kas";

// The event name for `answer`: `requested` when given, else its alias (or
// name) with every character that is not [A-Za-z0-9_] turned into '_' and
// a leading digit prefixed, as tracefs wants (is_good_name(): a C
// identifier), and for a return probe "__return" after it, as perf names
// one (get_new_event_name(), tools/perf/util/probe-event.c), so that the
// entry and the return probe of one function can both be installed. A name
// of MAX_EVENT_NAME_LEN (64 in 6.1 and 6.12) or more characters, which
// traceprobe_parse_event_name() refuses, is cut to 63: the name's start,
// '_' and 8 hex digits of a hash of the whole name, then the suffix.
[[nodiscard]] std::string probe_event_name(const ProbeAnswer& answer, const std::string& requested,
                                           bool return_probe);

// "p:kas/EVENT LOCATION" ("r:" for a return probe).
[[nodiscard]] std::string kprobe_line(const ProbeAnswer& answer, const std::string& event, bool return_probe);

struct ProbeText {
  std::string text;
  // The text names the kprobe event (kas:EVENT) rather than the location:
  // the tool cannot take the location itself, and the event must be
  // installed first (kas probe --install).
  bool needs_event = false;
};

// The probe in `format`:
//  - kprobe: the kprobe_events line;
//  - bpftrace: the attach point, kprobe:NAME[+0xOFF] (a name with '@' or
//    another character bpftrace's lexer splits on is quoted, which its
//    parser accepts with the offset after the quote); MODULE:NAME is
//    kprobe:MODULE:NAME, which bpftrace 0.20 and later accept (0.17 refuses
//    it), so a module's name that no other binary has is given plain;
//  - perf: the perf probe command, '@' and perf's other special characters
//    in the name escaped with a backslash (perf-probe(1), ESCAPED
//    CHARACTER), a module given with -m.
// bpftrace and perf both refuse an offset past the end of the symbol named
// (bpftrace: "Offset outside the function bounds"; perf: "Offset N is
// bigger than the size of NAME") and perf an offset on a return probe, so
// an anchored location is given to them as the installed kprobe event:
// tracepoint:kas:EVENT, perf record -e kas:EVENT. So is any location once
// `installed` (a second probe of the same name would clash with it).
[[nodiscard]] ProbeText format_probe(const ProbeAnswer& answer, const std::string& event, bool return_probe,
                                     ProbeFormat format, bool installed = false);

}  // namespace kas::cli
