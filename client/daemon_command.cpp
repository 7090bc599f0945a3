// kas daemon start|stop|status: managing the per-user kasd by hand.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "client/commands.hpp"
#include "client/connection.hpp"
#include "client/options.hpp"
#include "proto/framing.hpp"
#include "proto/socket_path.hpp"

namespace kas::cli {

namespace {

Result<wire::Response> ask(const std::string& socket, wire::Request request) {
  auto fd = connect_existing(socket);
  if (!fd) return std::unexpected(fd.error());
  if (auto r = wire::write_frame(fd->get(), request); !r) return std::unexpected(r.error());
  wire::Response response;
  if (auto r = wire::read_frame(fd->get(), response); !r) return std::unexpected(r.error());
  return response;
}

}  // namespace

int run_daemon(int argc, char** argv) {
  std::string socket = default_socket_path();
  std::vector<OptionSpec> specs = {{"socket", 0, "PATH", "kasd's socket (default: $KAS_SOCKET or the per-user one)",
                                    [&](const std::string& v) { socket = v; return true; }}};
  ParsedArgs args;
  if (!parse_options("daemon", argc, argv, 2, specs, args)) return kExitUsage;
  if (args.help || args.positional.size() != 1) {
    std::printf(
        "usage: kas daemon start|stop|status [--socket PATH]\n\n"
        "  start   start kasd for this user unless one runs (kas also does this on demand)\n"
        "  stop    ask kasd to finish its requests and exit\n"
        "  status  trees loaded, files, memory, requests served, uptime\n\n%s\n"
        "example:\n"
        "  kas daemon status\n",
        format_options(specs).c_str());
    return args.help ? kExitOk : kExitUsage;
  }
  const std::string& verb = args.positional[0];
  if (verb == "start") {
    if (connect_existing(socket)) {
      std::printf("kasd already running at %s\n", socket.c_str());
      return kExitOk;
    }
    if (auto r = start_daemon(socket); !r) {
      std::fprintf(stderr, "kas: %s\n", r.error().message.c_str());
      return kExitFailure;
    }
    std::printf("kasd started at %s\n", socket.c_str());
    return kExitOk;
  }
  if (verb == "stop") {
    wire::Request request;
    request.mutable_shutdown();
    auto r = ask(socket, request);
    if (!r) {
      std::printf("kasd not running at %s\n", socket.c_str());
      return kExitOk;
    }
    for (int i = 0; i < 500 && connect_existing(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::printf("kasd stopped\n");
    return kExitOk;
  }
  if (verb == "status") {
    wire::Request request;
    request.mutable_stats();
    auto r = ask(socket, request);
    if (!r) {
      if (r.error().code == ErrorCode::kNotFound) {
        std::printf("kasd not running at %s\n", socket.c_str());
      } else {
        std::fprintf(stderr, "kas: kasd at %s: %s\n", socket.c_str(), r.error().message.c_str());
      }
      return kExitFailure;
    }
    const wire::StatsReply& s = r->stats();
    std::printf("kasd pid %u, build %s%s\nsocket %s\ntrees %llu, files %llu, memory %.1f MiB\n"
                "requests %llu, uptime %llus\nfiles read %llu, reused %llu, lookup indexes built %llu\n",
                s.pid(), s.build_id().c_str(), s.build_id() == build_id() ? "" : " (not this kas's build)",
                socket.c_str(), static_cast<unsigned long long>(s.trees()), static_cast<unsigned long long>(s.files()),
                static_cast<double>(s.memory_bytes()) / (1 << 20), static_cast<unsigned long long>(s.requests()),
                static_cast<unsigned long long>(s.uptime_seconds()), static_cast<unsigned long long>(s.records_read()),
                static_cast<unsigned long long>(s.records_reused()), static_cast<unsigned long long>(s.indexes_built()));
    return kExitOk;
  }
  std::fprintf(stderr, "kas daemon: unknown action '%s' (start, stop, status)\n", verb.c_str());
  return kExitUsage;
}

}  // namespace kas::cli
