// kasd: the daemon. Parses options, takes the listening socket (systemd's,
// or its own under a lock), and serves until stopped.
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <utility>

#include "core/util/bus_fault.hpp"
#include "core/util/parallel.hpp"
#include "core/util/path.hpp"
#include "core/util/request_context.hpp"
#include "daemon/dispatch.hpp"
#include "daemon/listener.hpp"
#include "daemon/peer.hpp"
#include "daemon/server.hpp"
#include "proto/build_id.hpp"
#include "proto/socket_path.hpp"

namespace {

void usage(FILE* to) {
  std::fprintf(to,
               "usage: kasd [--socket PATH] [--idle-timeout SECONDS] [--jobs N] [--memory-budget MIB]\n"
               "            [--frame-timeout SECONDS] [--request-timeout SECONDS]\n"
               "            [--foreground]\n\n"
               "The kas daemon: keeps build trees' census and debug info in memory and\n"
               "answers kas clients over a Unix socket. kas starts it on demand; systemd\n"
               "can socket-activate it (the per-user kasd.socket). It serves only the user\n"
               "it runs as, with no privilege that user's kas lacks. Logs go to stderr.\n\n"
               "  --socket PATH          listen here (default: %s)\n"
               "  --idle-timeout SECONDS exit after this long without requests\n"
               "                         (default $KASD_IDLE_TIMEOUT, else 600; 0: never)\n"
               "  --jobs N               worker threads for indexing (default: all cores)\n"
               "  --memory-budget MIB    what requests may hold at once (request frames, unread\n"
               "                         replies, decompressed modules: past it a request fails)\n"
               "                         and cached kernels (the least recently used go) (default 1024)\n"
               "  --frame-timeout SECONDS  close a connection that sends no complete request,\n"
               "                         or takes no reply, within this (default 30)\n"
               "  --request-timeout SECONDS  answer a request still running after this with an\n"
               "                         error; it finishes unused (default 1800)\n"
               "  --foreground           accepted for compatibility: kasd never forks itself\n"
               "  -h, --help             this help\n"
               "  --version              print the build id\n\n"
               "example:\n"
               "  kasd --socket /tmp/kasd-test.sock --idle-timeout 30 &\n",
               kas::default_socket_path().c_str());
}

// Debian's default soft limit is 1,024 of a hard 524,288: a quarter goes to
// connections, half to cached kernels' files (kernel_cache.cpp). Take up to
// 8,192 where the hard limit allows, so that a dozen cached trees do not
// evict each other; the budgets follow whatever limit results.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = std::min<rlim_t>(limit.rlim_max, 8192);
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = wanted;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

bool parse_number(const char* text, unsigned long& out) {
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, out);
  return ec == std::errc() && ptr == end && end != text;
}

}  // namespace

int main(int argc, char** argv) {
  // A file truncated while a request reads it fails that request (naming
  // the file), not the daemon and everyone else's requests with it.
  kas::install_bus_fault_guard();
  std::string socket_path = kas::default_socket_path();
  kas::daemon::ServerOptions options;
  unsigned jobs = kas::default_jobs();
  unsigned long budget_mib = 1024;
  if (const char* idle = std::getenv("KASD_IDLE_TIMEOUT"); idle != nullptr) {
    unsigned long n = 0;
    if (parse_number(idle, n)) options.idle_timeout = std::chrono::seconds(n);
  }
  kas::daemon::DispatchHooks hooks;
  enum { kSocket = 256, kIdle, kJobs, kBudget, kAllow, kFrameTimeout, kRequestTimeout, kForeground, kVersion, kTestDelay };
  // Not in usage(), for tests only: --test-request-delay-ms MS sleeps before
  // each request (not stats or progress, see DispatchHooks), so that a test
  // can kill the daemon while a client's request is inside it.
  const option longs[] = {{"socket", required_argument, nullptr, kSocket},
                          {"idle-timeout", required_argument, nullptr, kIdle},
                          {"jobs", required_argument, nullptr, kJobs},
                          {"memory-budget", required_argument, nullptr, kBudget},
                          {"allow-uid", required_argument, nullptr, kAllow},
                          {"frame-timeout", required_argument, nullptr, kFrameTimeout},
                          {"request-timeout", required_argument, nullptr, kRequestTimeout},
                          {"foreground", no_argument, nullptr, kForeground},
                          {"version", no_argument, nullptr, kVersion},
                          {"help", no_argument, nullptr, 'h'},
                          {"test-request-delay-ms", required_argument, nullptr, kTestDelay},
                          {nullptr, 0, nullptr, 0}};
  for (int c; (c = getopt_long(argc, argv, "h", longs, nullptr)) != -1;) {
    unsigned long n = 0;
    switch (c) {
      case kSocket: socket_path = optarg; break;
      case kIdle:
        if (!parse_number(optarg, n)) return std::fprintf(stderr, "kasd: bad --idle-timeout '%s'\n", optarg), 2;
        options.idle_timeout = std::chrono::seconds(n);
        break;
      case kJobs:
        if (!parse_number(optarg, n) || n == 0) return std::fprintf(stderr, "kasd: bad --jobs '%s'\n", optarg), 2;
        jobs = static_cast<unsigned>(n);
        break;
      case kBudget:
        if (!parse_number(optarg, n)) return std::fprintf(stderr, "kasd: bad --memory-budget '%s'\n", optarg), 2;
        budget_mib = n;
        break;
      case kAllow:
        // Removed: one process serving several users was the root of the
        // holes in issue 27 (README, "Security").
        std::fprintf(stderr, "kasd: --allow-uid is gone: a kasd serves only its own user; run one kasd per user "
                             "(systemctl --user enable --now kasd.socket), or kas --no-daemon\n");
        return 2;
      case kFrameTimeout:
        if (!parse_number(optarg, n) || n == 0) {
          return std::fprintf(stderr, "kasd: bad --frame-timeout '%s' (seconds, at least 1)\n", optarg), 2;
        }
        options.limits.frame = std::chrono::seconds(n);
        break;
      case kRequestTimeout:
        if (!parse_number(optarg, n) || n == 0) {
          return std::fprintf(stderr, "kasd: bad --request-timeout '%s' (seconds, at least 1)\n", optarg), 2;
        }
        options.limits.request = std::chrono::seconds(n);
        break;
      case kForeground: break;
      case kTestDelay:
        if (!parse_number(optarg, n)) {
          return std::fprintf(stderr, "kasd: bad --test-request-delay-ms '%s'\n", optarg), 2;
        }
        // In slices, so that a cancelled request stops as real work does.
        hooks.before_request = [delay = std::chrono::milliseconds(n)](const kas::wire::RequestEnvelope&) {
          const auto end = std::chrono::steady_clock::now() + delay;
          while (std::chrono::steady_clock::now() < end) {
            kas::check_cancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
        };
        break;
      case kVersion: std::printf("kasd %s\n", kas::this_build_id()); return 0;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (optind != argc) {
    std::fprintf(stderr, "kasd: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  if (auto dropped = kas::daemon::drop_privileges(); !dropped) {
    std::fprintf(stderr, "kasd: %s\n", dropped.error().message.c_str());
    return 1;
  }
  raise_descriptor_limit();

  try {
    auto listener = kas::daemon::open_listener(socket_path);
    if (!listener) {
      std::fprintf(stderr, "kasd: %s\n", listener.error().message.c_str());
      return 1;
    }
    if (listener->another_daemon) {
      // Not an error: a racing start lost to a live daemon, which serves.
      std::fprintf(stderr, "kasd: another kasd serves %s\n", socket_path.c_str());
      return 0;
    }
    std::fprintf(stderr, "kasd: %s serving %s (pid %d, %u jobs)\n", kas::this_build_id(),
                 listener->from_systemd ? "systemd socket" : socket_path.c_str(), static_cast<int>(::getpid()), jobs);
    options.workers = std::max(4u, jobs * 2);
    kas::MemoryBudget budget(static_cast<size_t>(budget_mib) << 20);
    options.budget = &budget;
    kas::daemon::Dispatcher dispatcher(kas::this_build_id(), jobs, static_cast<size_t>(budget_mib) << 20, std::move(hooks));
    dispatcher.set_origin(kas::path::real_path("/proc/self/exe"), listener->from_systemd);
    int status = kas::daemon::serve(*listener, dispatcher, options);
    kas::daemon::remove_socket_file(*listener);
    std::fprintf(stderr, "kasd: stopped\n");
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kasd: fatal: %s\n", e.what());
    return 1;
  }
}
