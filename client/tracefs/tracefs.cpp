#include "client/tracefs/tracefs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "client/tracefs/tracefs_names.hpp"
#include "core/util/fd.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

namespace {

constexpr const char* kLockdown = "/sys/kernel/security/lockdown";

// One event of kprobe_events: "p:kas/EVENT name_show+0" as the kernel lists
// it (offsets in decimal), or as kas wrote it ("+0x10").
struct Probe {
  char type = 'p';
  std::string event;  // GROUP/EVENT
  std::string symbol;
  uint64_t offset = 0;

  bool same_place(const Probe& o) const { return type == o.type && symbol == o.symbol && offset == o.offset; }
};

std::optional<Probe> parse_probe(const std::string& line) {
  if (line.empty() || (line[0] != 'p' && line[0] != 'r')) return std::nullopt;
  const size_t colon = line.find(':');
  const size_t space = line.find(' ', colon == std::string::npos ? 0 : colon);
  if (colon == std::string::npos || space == std::string::npos) return std::nullopt;
  Probe p;
  p.type = line[0];
  p.event = line.substr(colon + 1, space - colon - 1);
  std::string location = line.substr(space + 1);
  location = location.substr(0, location.find(' '));
  const size_t plus = location.rfind('+');
  p.symbol = location.substr(0, plus);
  if (plus != std::string::npos) p.offset = std::strtoull(location.c_str() + plus + 1, nullptr, 0);
  return p;
}

// At most `limit` bytes of `path`: tracefs files have no size to trust, and
// a listing of kprobe events is small ("" when unreadable).
std::string read_head(const std::string& path, size_t limit) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string data;
  if (!fd.valid()) return data;
  char buf[1 << 16];
  while (data.size() < limit) {
    ssize_t n = ::read(fd.get(), buf, std::min(sizeof buf, limit - data.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

constexpr size_t kListingLimit = 4 << 20;

std::vector<Probe> listed(const Tracefs& t) {
  std::vector<Probe> out;
  const std::string all = read_head(t.file("kprobe_events"), kListingLimit);
  const std::string* text = &all;
  size_t at = 0;
  while (at < text->size()) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    if (auto p = parse_probe(text->substr(at, end - at))) out.push_back(*p);
    at = end + 1;
  }
  return out;
}

bool locked_down() {
  auto text = read_file(kLockdown);
  return text && text->find("[confidentiality]") != std::string::npos;
}

// Why `path` cannot be opened or written, for a kprobe user.
std::string access_reason(const std::string& path, int err) {
  if (err == EPERM && locked_down()) {
    return path + ": the kernel is locked down (" + kLockdown + " says confidentiality): it allows no kprobes";
  }
  if (err == EACCES || err == EPERM) {
    return path + ": " + std::strerror(err) + ": adding or removing kprobes needs root (CAP_SYS_ADMIN)";
  }
  return path + ": " + std::strerror(err);
}

// What error_log gained while the kernel refused a command: the new text,
// else its last entry (an entry starts with "[ timestamp]"), indented.
std::string kernel_reason(const Tracefs& t, const std::string& before) {
  const std::string log = read_head(t.file("error_log"), kListingLimit);
  const std::string* after = &log;
  if (after->empty()) return {};
  std::string entry;
  if (after->size() > before.size() && after->compare(0, before.size(), before) == 0) {
    entry = after->substr(before.size());
  } else {
    size_t start = after->rfind("\n[");
    entry = start == std::string::npos ? *after : after->substr(start + 1);
  }
  while (!entry.empty() && entry.back() == '\n') entry.pop_back();
  std::string out = "\n" + t.file("error_log") + ":";
  size_t at = 0;
  while (at <= entry.size()) {
    size_t end = entry.find('\n', at);
    if (end == std::string::npos) end = entry.size();
    out += "\n  " + entry.substr(at, end - at);
    at = end + 1;
  }
  return out;
}

// Writes `command` to kprobe_events in one write(2), appending: O_TRUNC
// would delete every kprobe event of the system.
Result<void> write_command(const Tracefs& t, const std::string& command, int& err) {
  const std::string path = t.file("kprobe_events");
  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd.valid()) {
    err = errno;
    return fail(ErrorCode::kIo, access_reason(path, err));
  }
  const std::string before = read_head(t.file("error_log"), kListingLimit);
  const std::string data = command + "\n";
  ssize_t n;
  do {
    n = ::write(fd.get(), data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(data.size())) return {};
  err = n < 0 ? errno : EIO;
  if (err == EACCES || err == EPERM) return fail(ErrorCode::kIo, access_reason(path, err));
  return fail(ErrorCode::kIo, path + ": the kernel refused '" + command + "': " + std::strerror(err) +
                                  kernel_reason(t, before));
}

}  // namespace

Result<Tracefs> find_tracefs(const std::string& requested) {
  if (!requested.empty()) {
    if (::access((requested + "/kprobe_events").c_str(), F_OK) != 0) {
      return fail(ErrorCode::kNotFound, requested + "/kprobe_events: " + std::strerror(errno) +
                                            " (not a tracefs, or a kernel without CONFIG_KPROBE_EVENTS)");
    }
    return Tracefs{requested};
  }
  std::string why;
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    const std::string events = std::string(dir) + "/kprobe_events";
    if (::access(events.c_str(), F_OK) == 0) return Tracefs{dir};
    if (errno == EACCES || errno == EPERM) why = access_reason(events, errno);
  }
  if (!why.empty()) return fail(ErrorCode::kIo, why);
  struct stat st {};
  if (::stat("/sys/kernel/tracing/trace", &st) == 0) {
    return fail(ErrorCode::kNotFound,
                "/sys/kernel/tracing has no kprobe_events: the kernel was built without CONFIG_KPROBE_EVENTS");
  }
  return fail(ErrorCode::kNotFound,
              "no tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing: mount it "
              "(mount -t tracefs nodev /sys/kernel/tracing)");
}

Result<Installed> install_kprobe(const Tracefs& t, const std::string& line) {
  if (auto r = check_kprobe_command(line); !r) return std::unexpected(r.error());
  auto wanted = parse_probe(line);
  if (!wanted) return fail(ErrorCode::kInternal, "not a kprobe_events line: " + line);
  for (const Probe& p : listed(t)) {
    if (p.event != wanted->event) continue;
    if (p.same_place(*wanted)) return Installed::kAlreadyThere;
    return fail(ErrorCode::kInvalidArgument,
                t.file("kprobe_events") + ": " + p.event + " exists already, on " + p.symbol + "+" +
                    std::to_string(p.offset) + ": remove it first (--remove) or name another event (--event NAME)");
  }
  int err = 0;
  if (auto r = write_command(t, line, err); !r) return std::unexpected(r.error());
  return Installed::kAdded;
}

Result<void> remove_kprobe(const Tracefs& t, const std::string& group_event) {
  if (auto r = check_kprobe_command("-:" + group_event); !r) return std::unexpected(r.error());
  bool present = false;
  for (const Probe& p : listed(t)) present = present || p.event == group_event;
  if (!present) return fail(ErrorCode::kNotFound, t.file("kprobe_events") + ": no event " + group_event);
  int err = 0;
  auto r = write_command(t, "-:" + group_event, err);
  if (!r && err == EBUSY) {
    const size_t slash = group_event.find('/');
    return fail(ErrorCode::kIo, r.error().message + "\n" + group_event +
                                    " is enabled or in use (perf, bpftrace): disable it first: echo 0 > " +
                                    t.file("events/" + group_event.substr(0, slash) + "/" +
                                           group_event.substr(slash + 1) + "/enable"));
  }
  return r;
}

}  // namespace kas::cli
