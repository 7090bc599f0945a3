#include "client/link/connection.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "client/link/daemon_trust.hpp"
#include "client/link/program_beside.hpp"
#include "core/util/path.hpp"
#include "proto/build_id.hpp"
#include "proto/socket_path.hpp"

namespace kas::cli {

const char* build_id() { return this_build_id(); }

namespace {

// Connects to `path` when its place and its listener can be trusted
// (daemon_trust.hpp); nothing is sent before both are checked.
Result<Fd> raw_connect(const std::string& path) {
  if (auto r = check_socket_place(path); !r) return std::unexpected(r.error());
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return fail(ErrorCode::kInvalidArgument, path + ": socket path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fail(ErrorCode::kIo, std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    return fail(err == ENOENT || err == ECONNREFUSED ? ErrorCode::kNotFound : ErrorCode::kIo,
                path + ": cannot connect: " + std::strerror(err));
  }
  if (auto r = check_peer(fd.get(), path); !r) return std::unexpected(r.error());
  return fd;
}

// kasd lives beside kas when installed, in ../daemon in a build tree; $KASD
// overrides both.
std::string kasd_binary() { return program_beside_kas("KASD", "kasd", {"", "../daemon"}); }

Result<wire::DaemonHello> handshake(int fd) {
  wire::DaemonHello ours;
  ours.protocol_version = wire::kProtocolVersion;
  ours.build_id = build_id();
  ours.pid = static_cast<uint32_t>(::getpid());
  auto written = wire::write_request(fd, wire::RequestEnvelope::hello(ours));
  // A daemon that refuses us (another uid) answers with an Error and closes
  // at once; our write may then fail, but its answer is still readable.
  auto response = wire::read_response(fd);
  if (!response) return std::unexpected(written ? response.error() : written.error());
  if (auto refused = response->error()) {
    // Refused for want of room (too many connections) stays kExhausted:
    // kas then runs in-process rather than restart a daemon that works.
    // Refused as another user (or without kasd's capabilities) stays
    // kInvalidArgument: asking again, or another daemon, gets the same.
    const ErrorCode code = refused->code;
    const bool kept = code == ErrorCode::kExhausted || code == ErrorCode::kInvalidArgument;
    return fail(kept ? code : ErrorCode::kIo, "kasd refused: " + refused->message);
  }
  auto greeting = response->hello();
  if (!greeting) return fail(ErrorCode::kIo, "kasd answered hello with something else");
  return std::move(*greeting);
}

Result<void> request_shutdown(int fd) {
  if (auto r = wire::write_request(fd, wire::RequestEnvelope::shutdown()); !r) return r;
  (void)wire::read_response(fd);
  return {};
}

bool same_build(const wire::DaemonHello& hello) {
  return hello.protocol_version == wire::kProtocolVersion && hello.build_id == build_id();
}

// Whether systemd, started again, would run the kasd this kas starts: the
// daemon's binary is ours (a running daemon whose package was upgraded
// reads "PATH (deleted)").
bool runs_our_kasd(const wire::DaemonHello& hello) {
  std::string exe = hello.executable;
  constexpr std::string_view kDeleted = " (deleted)";
  if (exe.ends_with(kDeleted)) exe.resize(exe.size() - kDeleted.size());
  return !exe.empty() && exe == path::real_path(kasd_binary());
}

// The socket of this kas's own daemon when systemd serves the default one
// with another installation's kasd (a build tree's kas beside the package).
std::string own_socket_beside(const std::string& path) { return path::directory(path) + "/kasd.own.sock"; }

// Whether `hello`'s daemon is another installation's that systemd serves:
// stopping it cannot bring up this build (systemd would start that binary
// again), and would only disturb the installation it belongs to, so this
// kas uses its own beside it.
bool serves_another_installation(const wire::DaemonHello& hello) {
  return !same_build(hello) && hello.socket_activated && !runs_our_kasd(hello);
}

// Whether the user named the socket (--socket, $KAS_SOCKET): then it is
// never switched for kasd.own.sock.
bool socket_chosen(const DaemonOptions& options) {
  return !options.socket_path.empty() || socket_from_environment() != nullptr;
}

// After asking a daemon of another build to stop: its socket closes (kas
// started it), or systemd keeps it and starts the unit again on the next
// connection. Returns a connection to the replacement when it is of this
// build; nothing when the socket is gone or another build answers again.
std::optional<Fd> await_replacement(const std::string& path, uint32_t old_pid) {
  for (int i = 0; i < 300; ++i) {
    auto fd = raw_connect(path);
    if (!fd) return std::nullopt;
    auto hello = handshake(fd->get());
    if (hello && hello->pid != old_pid) {
      if (same_build(*hello)) return std::move(*fd);
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

// A connected, greeted daemon of this build, started or replaced as needed.
Result<Fd> connect_daemon(const DaemonOptions& options) {
  std::string path = socket_path_of(options);
  const bool chosen = socket_chosen(options);
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto fd = raw_connect(path);
    if (!fd) {
      if (!options.autostart || fd.error().code != ErrorCode::kNotFound) return fd;
      if (auto started = start_daemon(path); !started) return std::unexpected(started.error());
      continue;
    }
    auto hello = handshake(fd->get());
    if (!hello) {
      // Refused (kasd's answer: another user, or no room) is final; a
      // daemon that died during the handshake is retried.
      const ErrorCode code = hello.error().code;
      if (!options.autostart || code == ErrorCode::kExhausted || code == ErrorCode::kInvalidArgument) {
        return std::unexpected(hello.error());
      }
      continue;  // died during the handshake: try again
    }
    if (same_build(*hello)) return fd;
    if (!options.autostart) {
      return fail(ErrorCode::kIo, "kasd at " + path + " is build " + hello->build_id + ", kas is " + build_id());
    }
    if (serves_another_installation(*hello)) {
      if (chosen) {
        return fail(ErrorCode::kIo, "kasd at " + path + " is started by systemd from " + hello->executable +
                                        " (build " + hello->build_id + "), not " + kasd_binary() + " (build " +
                                        build_id() + "): give this kas a socket of its own (--socket)");
      }
      path = own_socket_beside(path);
      continue;
    }
    // Another build of our own kasd: ask it to go, then take its
    // replacement, or start ours once its socket is gone.
    (void)request_shutdown(fd->get());
    if (auto next = await_replacement(path, hello->pid)) return std::move(*next);
  }
  return fail(ErrorCode::kIo, "no usable kasd at " + path);
}

}  // namespace

std::string socket_path_of(const DaemonOptions& options) {
  return options.socket_path.empty() ? default_socket_path() : options.socket_path;
}

std::string socket_in_use(const DaemonOptions& options) {
  const std::string path = socket_path_of(options);
  if (socket_chosen(options)) return path;
  auto fd = raw_connect(path);
  if (!fd) return path;
  auto hello = handshake(fd->get());
  return hello && serves_another_installation(*hello) ? own_socket_beside(path) : path;
}

Result<Fd> connect_existing(const std::string& socket_path, wire::DaemonHello* hello) {
  auto fd = raw_connect(socket_path);
  if (!fd) return fd;
  auto h = handshake(fd->get());
  if (!h) return std::unexpected(h.error());
  if (hello != nullptr) *hello = std::move(*h);
  return fd;
}

Result<void> start_daemon(const std::string& socket_path) {
  if (auto r = ensure_private_directory(socket_path); !r) return r;
  std::string kasd = kasd_binary();
  std::string log = socket_path + ".log";
  pid_t child = ::fork();
  if (child < 0) return fail(ErrorCode::kIo, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    // Detach twice so kasd is not our child and outlives make.
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    // Nothing of ours (make's jobserver pipes, a test harness's output
    // pipe) may stay open in a daemon that outlives us.
    ::close_range(3, ~0U, 0);
    ::execlp(kasd.c_str(), kasd.c_str(), "--socket", socket_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  // Poll until some daemon (ours, or one that won a start race) answers.
  for (int i = 0; i < 1000; ++i) {
    if (raw_connect(socket_path)) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return fail(ErrorCode::kIo, "started " + kasd + " but nothing answers at " + socket_path + " (see " + log + ")");
}

Result<wire::ResponseEnvelope> call_daemon(const DaemonOptions& options, const wire::RequestEnvelope& request) {
  Error last{ErrorCode::kIo, "no attempt"};
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto fd = connect_daemon(options);
    if (!fd) return std::unexpected(fd.error());
    if (auto r = wire::write_request(fd->get(), request); !r) {
      last = r.error();
      continue;
    }
    auto response = wire::read_response(fd->get());
    if (!response) {
      last = response.error();  // the daemon died mid-request: a new one gets it
      continue;
    }
    // Out of descriptors or memory, the daemon cannot serve this request;
    // this process may still have room for it.
    if (auto error = response->error(); error && error->code == ErrorCode::kExhausted) {
      return fail(ErrorCode::kExhausted, "kasd cannot serve this request: " + error->message);
    }
    return response;
  }
  return std::unexpected(last);
}

}  // namespace kas::cli
