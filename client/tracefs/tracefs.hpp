// The running kernel's tracefs: adding and removing kprobe events through
// its kprobe_events file, with the kernel's own reason (error_log) when it
// refuses one.
#pragma once

#include <string>

#include "core/util/result.hpp"

namespace kas::cli {

struct Tracefs {
  std::string dir;  // holds kprobe_events (and error_log, events/)

  [[nodiscard]] std::string file(const std::string& name) const { return dir + "/" + name; }
};

// `requested` when given, else /sys/kernel/tracing, else
// /sys/kernel/debug/tracing: the first holding kprobe_events. The error says
// why there is none (not mounted, no permission, no CONFIG_KPROBE_EVENTS).
[[nodiscard]] Result<Tracefs> find_tracefs(const std::string& requested);

enum class Installed { kAdded, kAlreadyThere };

// Adds the kprobe_events `line` ("p:GROUP/EVENT LOCATION"). An event of
// that name already probing the same place is left as it is; one probing
// another place is an error (never replaced behind the user's back). A line
// that check_kprobe_command() refuses is an error before anything is read or
// written.
[[nodiscard]] Result<Installed> install_kprobe(const Tracefs& tracefs, const std::string& line);

// Removes the event GROUP/EVENT ("-:GROUP/EVENT"); an error when there is
// none or the kernel keeps it (enabled, or in use by perf or bpftrace), and
// for a name check_kprobe_command() refuses.
[[nodiscard]] Result<void> remove_kprobe(const Tracefs& tracefs, const std::string& group_event);

}  // namespace kas::cli
