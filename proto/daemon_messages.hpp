// What kas and kasd say about the daemon itself (the handshake, kas daemon
// status, the progress bar), as plain types: the programs build and read
// these, and only proto/ knows the wire messages they travel as
// (convert_daemon.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kas::wire {

// The protocol this build speaks (kas.proto's PROTOCOL_VERSION_CURRENT,
// checked where the two meet, convert_daemon.cpp): a Hello of another
// version is another build's.
inline constexpr uint32_t kProtocolVersion = 1;

// The greeting both sides send first. kas fills protocol_version, build_id
// and pid; kasd all of them.
struct DaemonHello {
  uint32_t protocol_version = 0;
  std::string build_id;
  std::vector<std::string> capabilities;  // the requests kasd answers: "vmlinux", ..., "stats"
  uint32_t pid = 0;
  // Which kasd answers, and how it was started: a kas of another build
  // replaces a daemon only where that brings up its own build.
  std::string executable;  // kasd's /proc/self/exe when it started
  bool socket_activated = false;
};

// kas daemon status.
struct DaemonStats {
  uint64_t kernels = 0;  // kernels kasd holds (one snapshot each)
  uint64_t files = 0;
  uint64_t memory_bytes = 0;
  uint64_t requests = 0;
  uint64_t uptime_seconds = 0;
  uint32_t pid = 0;
  std::string build_id;
  uint64_t records_read = 0;
  uint64_t records_reused = 0;
  uint64_t indexes_built = 0;  // lookup indexes built since start
};

// How far kasd is in indexing a target; indexing false: not under way.
struct IndexingProgress {
  bool indexing = false;
  std::string stage;
  uint64_t done = 0;
  uint64_t total = 0;
};

}  // namespace kas::wire
