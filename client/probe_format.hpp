// What `kas probe` prints for an answer: a kprobe_events line, with an
// event name tracefs accepts.
#pragma once

#include <string>

#include "core/query/answers.hpp"

namespace kas::cli {

// The event name for `answer`: `requested` when given, else its alias (or
// name) with every character that is not [A-Za-z0-9_] turned into '_' and
// a leading digit prefixed, as tracefs wants (is_good_name(): a C
// identifier); longer than MAX_EVENT_NAME_LEN (64 in 6.1 and 6.12) is cut
// to 55 characters plus '_' and 8 hex digits of a hash of the whole name.
[[nodiscard]] std::string probe_event_name(const ProbeAnswer& answer, const std::string& requested);

// "p:kas/EVENT LOCATION" ("r:" for a return probe; "kas" is the group).
[[nodiscard]] std::string kprobe_line(const ProbeAnswer& answer, const std::string& event, bool return_probe);

}  // namespace kas::cli
