// What kas may write to kprobe_events: each part of a command checked
// against the kernel's own parsing of it (kernel/trace/trace_probe.c and
// trace_kprobe.c, the same in 6.1 and 7.3), so that a name can neither end
// the command early nor add another. kprobe_events takes one command per
// line, drops everything after '#' and splits words on whitespace
// (trace_parse_run_command, argv_split): an event name or a symbol that held
// a newline or '#' would write commands nobody asked for (remove another
// group's probe) or move the probe. A name that breaks a rule is refused,
// never escaped: the kernel has no escapes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace kas::cli {

// MAX_EVENT_NAME_LEN (kernel/trace/trace.h), the NUL included: what an
// event name must stay under, here and where probe names are made
// (render/probe_format.cpp).
inline constexpr size_t kMaxEventName = 64;

// An event name as traceprobe_parse_event_name() takes it: is_good_name()
// ([A-Za-z_][A-Za-z0-9_]*) and shorter than MAX_EVENT_NAME_LEN (64). Error
// kInvalidArgument saying what is wrong.
[[nodiscard]] Result<void> check_event_name(std::string_view name);

// A group (system) name: is_good_system_name(), which also takes '-'; at
// most MAX_EVENT_NAME_LEN - 1 characters.
[[nodiscard]] Result<void> check_group_name(std::string_view name);

// A probe location as trace_kprobe reads its second word: an address
// (0xHEX, what --address gives) or [MODULE:]SYMBOL[+OFFSET], SYMBOL a
// kallsyms name (printable ASCII, shorter than KSYM_NAME_LEN, none of the
// characters the parser splits on: whitespace, '#', ':', '+', '-', '%',
// '/'), MODULE a module's name ([A-Za-z0-9_], shorter than
// MODULE_NAME_LEN), OFFSET a number up to UINT_MAX.
[[nodiscard]] Result<void> check_probe_location(std::string_view location);

// A whole command kas writes: "p:GROUP/EVENT LOCATION", "r:GROUP/EVENT
// LOCATION" or "-:GROUP/EVENT", each part checked as above.
[[nodiscard]] Result<void> check_kprobe_command(std::string_view command);

// `text` with control characters, bytes past ASCII and '\\' written as C
// escapes, for messages: a refused name is shown as it is, not as a
// terminal would act on it.
[[nodiscard]] std::string visible(std::string_view text);

}  // namespace kas::cli
