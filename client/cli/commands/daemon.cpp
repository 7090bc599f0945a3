// kas daemon start|stop|status: managing the per-user kasd by hand, the one
// this kas's requests go to.
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "client/cli/commands/commands.hpp"
#include "client/cli/common_options.hpp"
#include "client/link/connection.hpp"

namespace kas::cli {

namespace {

// One request to the daemon at `socket`; `hello`, when given, gets its
// greeting.
Result<wire::ResponseEnvelope> ask(const std::string& socket, const wire::RequestEnvelope& request,
                                   wire::DaemonHello* hello = nullptr) {
  auto fd = connect_existing(socket, hello);
  if (!fd) return std::unexpected(fd.error());
  if (auto r = wire::write_request(fd->get(), request); !r) return std::unexpected(r.error());
  return wire::read_response(fd->get());
}

int start(const std::string& socket) {
  if (connect_existing(socket)) {
    std::printf("kasd already running at %s\n", socket.c_str());
    return kExitOk;
  }
  if (auto r = start_daemon(socket); !r) return report(r.error());
  std::printf("kasd started at %s\n", socket.c_str());
  return kExitOk;
}

int stop(const std::string& socket) {
  wire::DaemonHello hello;
  if (auto asked = ask(socket, wire::RequestEnvelope::shutdown(), &hello); !asked) {
    if (asked.error().code != ErrorCode::kNotFound) {
      // Not ours to stop (another user's, or refused us): say so.
      std::fprintf(stderr, "kas: kasd at %s: %s\n", socket.c_str(), asked.error().message.c_str());
      return kExitFailure;
    }
    std::printf("kasd not running at %s\n", socket.c_str());
    return kExitOk;
  }
  if (hello.socket_activated) {
    // systemd holds this socket: a connection to see whether kasd is gone
    // would have it started again. Wait for its process instead.
    const auto pid = static_cast<pid_t>(hello.pid);
    for (int i = 0; i < 500 && pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::printf("kasd stopped; systemd starts it again on the next request (systemctl [--user] stop kasd.socket "
                "keeps it stopped)\n");
    return kExitOk;
  }
  for (int i = 0; i < 500 && connect_existing(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::printf("kasd stopped\n");
  return kExitOk;
}

int status(const std::string& socket) {
  auto r = ask(socket, wire::RequestEnvelope::stats());
  if (!r) {
    if (r.error().code == ErrorCode::kNotFound) {
      std::printf("kasd not running at %s\n", socket.c_str());
    } else {
      std::fprintf(stderr, "kas: kasd at %s: %s\n", socket.c_str(), r.error().message.c_str());
    }
    return kExitFailure;
  }
  // An Error answer (kasd gave up on it, or refused it) is a failure with
  // kasd's reason, not a status of zeros.
  const auto stats = r->stats();
  if (!stats) {
    const auto error = r->error();
    const std::string why = error ? error->message : "an answer that is not a status";
    std::fprintf(stderr, "kas: kasd at %s: %s\n", socket.c_str(), why.c_str());
    return kExitFailure;
  }
  const wire::DaemonStats& s = *stats;
  std::printf("kasd pid %u, build %s%s\nsocket %s\nkernels %llu, module files %llu, memory %.1f MiB\n"
              "requests %llu, uptime %llus\nfiles read %llu, reused %llu, lookup indexes built %llu\n",
              s.pid, s.build_id.c_str(), s.build_id == build_id() ? "" : " (not this kas's build)", socket.c_str(),
              static_cast<unsigned long long>(s.kernels), static_cast<unsigned long long>(s.files),
              static_cast<double>(s.memory_bytes) / (1 << 20), static_cast<unsigned long long>(s.requests),
              static_cast<unsigned long long>(s.uptime_seconds), static_cast<unsigned long long>(s.records_read),
              static_cast<unsigned long long>(s.records_reused), static_cast<unsigned long long>(s.indexes_built));
  return kExitOk;
}

int run(const Invocation& args) {
  // The daemon this kas's requests go to, not merely the one at the
  // default socket: that may be another installation's, which this kas
  // leaves alone (client/link/connection.hpp).
  DaemonOptions options;
  options.socket_path = args.value("socket");
  const std::string socket = socket_in_use(options);
  const std::string& action = args.operands()[0];
  if (action == "start") return start(socket);
  if (action == "stop") return stop(socket);
  if (action == "status") return status(socket);
  return args.usage_error("unknown action '" + action + "' (start, stop, status)");
}

}  // namespace

const Command& daemon_command() {
  static const Command command{
      .name = "daemon",
      .summary = "start, stop or query kasd (used by the other commands by default)",
      .usage = "kas daemon start|stop|status [--socket PATH]",
      .about = "  start   start kasd for this user unless one runs (kas also does this on demand)\n"
               "  stop    ask kasd to finish its requests and exit\n"
               "  status  kernels loaded, files, memory, requests served, uptime, files read\n",
      .options = {socket_option()},
      // A wrong count shows the help: it lists the actions.
      .operands = {.min = 1, .max = 1, .complete = Completion::kWords, .words = "start stop status"},
      .examples = "  kas daemon status\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
