// The daemon's own messages (daemon_messages.hpp) <-> wire messages.
#pragma once

#include "kas.pb.h"
#include "proto/daemon_messages.hpp"

namespace kas::wire {

void to_wire(const DaemonHello& in, Hello& out);
[[nodiscard]] DaemonHello from_wire(const Hello& in);

void to_wire(const DaemonStats& in, StatsReply& out);
[[nodiscard]] DaemonStats from_wire(const StatsReply& in);

void to_wire(const IndexingProgress& in, ProgressReply& out);
[[nodiscard]] IndexingProgress from_wire(const ProgressReply& in);

}  // namespace kas::wire
