#include "proto/convert_daemon.hpp"

namespace kas::wire {

static_assert(kProtocolVersion == PROTOCOL_VERSION_CURRENT, "daemon_messages.hpp must follow kas.proto");

void to_wire(const DaemonHello& in, Hello& out) {
  out.set_protocol_version(in.protocol_version);
  out.set_build_id(in.build_id);
  for (const std::string& c : in.capabilities) out.add_capabilities(c);
  out.set_pid(in.pid);
  out.set_executable(in.executable);
  out.set_socket_activated(in.socket_activated);
}

DaemonHello from_wire(const Hello& in) {
  DaemonHello out;
  out.protocol_version = in.protocol_version();
  out.build_id = in.build_id();
  out.capabilities.assign(in.capabilities().begin(), in.capabilities().end());
  out.pid = in.pid();
  out.executable = in.executable();
  out.socket_activated = in.socket_activated();
  return out;
}

void to_wire(const DaemonStats& in, StatsReply& out) {
  out.set_kernels(in.kernels);
  out.set_files(in.files);
  out.set_memory_bytes(in.memory_bytes);
  out.set_records_read(in.records_read);
  out.set_records_reused(in.records_reused);
  out.set_indexes_built(in.indexes_built);
  out.set_requests(in.requests);
  out.set_uptime_seconds(in.uptime_seconds);
  out.set_pid(in.pid);
  out.set_build_id(in.build_id);
}

DaemonStats from_wire(const StatsReply& in) {
  return {.kernels = in.kernels(),
          .files = in.files(),
          .memory_bytes = in.memory_bytes(),
          .requests = in.requests(),
          .uptime_seconds = in.uptime_seconds(),
          .pid = in.pid(),
          .build_id = in.build_id(),
          .records_read = in.records_read(),
          .records_reused = in.records_reused(),
          .indexes_built = in.indexes_built()};
}

void to_wire(const IndexingProgress& in, ProgressReply& out) {
  out.set_indexing(in.indexing);
  out.set_stage(in.stage);
  out.set_done(in.done);
  out.set_total(in.total);
}

IndexingProgress from_wire(const ProgressReply& in) {
  return {.indexing = in.indexing(), .stage = in.stage(), .done = in.done(), .total = in.total()};
}

}  // namespace kas::wire
