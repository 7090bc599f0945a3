// Fields of /proc/PID/status, the kernel's own account of a process.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kas {

// The value of `key` ("Umask", "CapEff") in /proc/`pid`/status, `pid` a
// number or "self", with the whitespace after the colon removed; none when
// the file or the line cannot be read (the process has gone, no /proc).
[[nodiscard]] std::optional<std::string> proc_status_field(const std::string& pid, std::string_view key);

}  // namespace kas
