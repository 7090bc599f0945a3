// What `kas probe` reports per SPEC, as text or JSON.
//
// JSON schema (stable; doc/json-output.md, doc/schema/kas-probe-1.schema.json):
//   {"schema":"kas-probe/1","results":[{"query":S,"error":S|null,"symbol":DEF|null,
//     "how":S|null,"location":S|null,"anchor":S|null,"anchor_offset":N|null,"anchor_after":B,"address":S|null,
//     "event":S|null,"return":B,"kprobe_events":S|null,"bpftrace":S|null,"perf":S|null,
//     "needs_event":B,"tracefs":S|null,"candidates":[DEF...]}]}
#pragma once

#include <string>
#include <vector>

#include "client/render/probe_format.hpp"
#include "service/vocabulary.hpp"

namespace kas::cli {

struct ProbeOutcome {
  ProbeAnswer answer;
  std::string event;    // the event name (without the group); "" with an error
  std::string address;  // --address: the runtime address the location was replaced by
  std::string tracefs;  // "added", "already there", "removed"; "" when tracefs was not touched
  std::string error;    // the answer's error, or why --address/--install/--remove failed
};

// `format`'s text for each outcome without an error, one per line; an
// installed event is named as such (bpftrace tracepoint:kas:EVENT, perf
// record -e kas:EVENT) rather than probed a second time.
[[nodiscard]] std::string probe_text(const std::vector<ProbeOutcome>& outcomes, ProbeFormat format, bool return_probe);

[[nodiscard]] std::string probe_json(const std::vector<ProbeOutcome>& outcomes, bool return_probe);

}  // namespace kas::cli
