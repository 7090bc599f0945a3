// A real kasd started by a test, spoken to over raw connections: what the
// memory, lane and load tests need that kas itself would hide (a peer that
// stalls, never reads, or goes away mid-request), and what /proc says of
// the daemon (its memory and CPU time) as the oracle.
#pragma once

#include <string>
#include <vector>

#include "kas.pb.h"

namespace kas::test {

class Kasd {
 public:
  // Starts kasd on `socket` with `args`, its stderr in `log`, and waits
  // until it answers. pid() is -1 when it did not come up (see log()).
  Kasd(const std::string& socket, const std::vector<std::string>& args, std::string log);
  ~Kasd();  // SIGKILL: its requests may be held on purpose
  Kasd(const Kasd&) = delete;
  Kasd& operator=(const Kasd&) = delete;

  [[nodiscard]] int pid() const { return pid_; }
  [[nodiscard]] const std::string& socket() const { return socket_; }
  [[nodiscard]] std::string log() const;
  [[nodiscard]] bool alive() const;

 private:
  std::string socket_;
  std::string log_;
  int pid_ = -1;
};

// A connected socket to `path`, or -1.
[[nodiscard]] int connect_unix(const std::string& path);
// connect_unix and the Hello handshake; -1 when either fails.
[[nodiscard]] int connect_greeted(const std::string& path);
// One frame (no SIGPIPE: false when the peer has gone).
[[nodiscard]] bool send_request(int fd, const wire::Request& request);
// The next frame, or false when the connection ended first.
[[nodiscard]] bool read_response(int fd, wire::Response& response);

// From /proc/PID/status, in KiB: "VmHWM" (peak resident) or "VmRSS"; -1
// when the process is gone.
[[nodiscard]] long proc_status_kib(int pid, const char* field);
// CPU time the process has used (utime + stime), in clock ticks.
[[nodiscard]] long cpu_ticks_of(int pid);

// Writes `count` zstd files of `mib` MiB of zeros each into `dir` as
// bomb_N.ko.zst (a few KiB each); false when zstd failed.
[[nodiscard]] bool write_decompression_bombs(const std::string& dir, int count, int mib);

}  // namespace kas::test
