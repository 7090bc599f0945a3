// kas_load: a real kasd under a bounded mixed load (issue 27), as ctest runs
// it briefly and bench/daemon-load-bench.sh at length:
//   - well-formed clients, each a short connection with one census request
//     over a generated System.map whose answer is known here beforehand;
//   - hostile ones: partial frames that stall, huge announced lengths,
//     garbage, replies never read, connections that never speak;
//   - slow ones: a request sent a few bytes at a time, its reply read slowly;
//   - a prober doing what kas daemon status does (connect, hello, stats)
//     every 20 ms, timed.
// It fails (exit 1) on outcomes only: kasd dead or not answering, a
// well-formed request not answered exactly, a probe not answered, kasd's
// peak resident memory (/proc VmHWM) above its budget plus a fixed margin
// over what it held before the load. Timings are printed, never judged:
// the bench compares them with the goal.
//
// usage: kas_load --kasd PATH [--seconds N] [--budget-mib N] [--clients N] [--hostile N]
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proto/framing.hpp"
#include "tests/daemon/kasd_harness.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas::test {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string kasd;
  int seconds = 20;
  int budget_mib = 128;
  int clients = 3;  // well-formed client threads
  int hostile = 3;  // threads of each hostile kind
};

// Peak growth allowed past the budget: allocator slack, protobuf objects
// of replies being built, thread stacks.
constexpr long kMarginKib = 64 * 1024;

struct Tally {
  std::atomic<long> answered{0};      // well-formed requests answered exactly
  std::atomic<long> wrong{0};         // ... answered otherwise, or not at all
  std::atomic<long> hostile{0};       // hostile connections made
  std::atomic<long> slow{0};          // slow clients answered exactly
  std::atomic<long> probe_failed{0};  // status probes without a status
  std::mutex mutex;
  std::vector<double> probe_ms;
  std::string first_wrong;
  void wrong_answer(const std::string& what) {
    ++wrong;
    std::lock_guard lock(mutex);
    if (first_wrong.empty()) first_wrong = what;
  }
};

// A System.map of `names` distinct text symbols, and its census as kas
// census prints it: every name once, sorted.
std::string write_map(const std::string& path, int names, std::string& census) {
  std::vector<std::string> all;
  std::string map;
  for (int i = 0; i < names; ++i) {
    all.push_back("load_symbol_" + std::to_string(i));
    map += "ffffffff81000000 T " + all.back() + "\n";
  }
  std::sort(all.begin(), all.end());
  census.clear();
  for (const std::string& name : all) census += name + ":1\n";
  write_text(path, map);
  return path;
}

wire::Request census_request(const std::string& map) {
  wire::Request request;
  request.mutable_census()->mutable_sources()->set_vmlinux(map);
  request.mutable_census()->set_lto(wire::LTO_NONE);
  return request;
}

bool send_bytes(int fd, const std::string& bytes) {
  for (size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

// Waits until the peer closes `fd` or `limit` passes.
void wait_closed(int fd, std::chrono::milliseconds limit) {
  const auto end = Clock::now() + limit;
  char buf[4096];
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) == 1 && ::read(fd, buf, sizeof buf) <= 0) return;
  }
}

void well_formed(const std::string& socket, const wire::Request& request, const std::string& expected, Tally& tally,
                 const std::atomic<bool>& stop) {
  while (!stop) {
    const int fd = connect_greeted(socket);
    wire::Response response;
    if (fd < 0 || !send_request(fd, request) || !read_response(fd, response)) {
      tally.wrong_answer("no answer (connection or handshake failed)");
    } else if (!response.has_census() || response.census().symbfreq() != expected) {
      tally.wrong_answer(response.has_error() ? "error: " + response.error().message() : "another census");
    } else {
      ++tally.answered;
    }
    if (fd >= 0) ::close(fd);
  }
}

// One hostile connection of kind `kind`, held until kasd drops it or a
// few seconds pass.
void hostile_once(const std::string& socket, int kind, const wire::Request& big_reply, Tally& tally) {
  const int fd = kind == 0 ? connect_unix(socket) : connect_greeted(socket);
  if (fd < 0) return;  // kasd's connection limit: refused, as it should be
  ++tally.hostile;
  switch (kind) {
    case 0:  // connects and never speaks
      break;
    case 1: {  // announces 8 MiB, sends 1 MiB of it, stalls
      std::string frame("\x00\x00\x80\x00", 4);
      frame += std::string(1u << 20, 'x');
      (void)send_bytes(fd, frame);
      break;
    }
    case 2:  // a length past the frame limit
      (void)send_bytes(fd, std::string("\xff\xff\xff\xff", 4));
      break;
    case 3:  // garbage that parses as no request
      (void)send_bytes(fd, std::string("\x06\x00\x00\x00\xff\xff\xff\xff\xff\xff", 10));
      break;
    case 4:  // asks for a large reply and never reads it
      (void)send_request(fd, big_reply);
      break;
  }
  wait_closed(fd, std::chrono::seconds(4));
  ::close(fd);
}

void hostile(const std::string& socket, int kind, const wire::Request& big_reply, Tally& tally,
             const std::atomic<bool>& stop) {
  while (!stop) hostile_once(socket, kind, big_reply, tally);
}

// A request trickled in a few bytes at a time, its reply read 4 KiB at a time.
void slow(const std::string& socket, const wire::Request& request, const std::string& expected, Tally& tally,
          const std::atomic<bool>& stop) {
  auto frame = wire::encode_frame(request);
  while (!stop && frame) {
    const int fd = connect_greeted(socket);
    if (fd < 0) {
      tally.wrong_answer("slow client: no connection");
      continue;
    }
    bool sent = true;
    for (size_t at = 0; sent && at < frame->size(); at += 16) {
      sent = send_bytes(fd, frame->substr(at, 16));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    wire::Response response;
    if (!sent || !read_response(fd, response) || !response.has_census() ||
        response.census().symbfreq() != expected) {
      tally.wrong_answer("slow client: no exact answer");
    } else {
      ++tally.slow;
    }
    ::close(fd);
  }
}

void prober(const std::string& socket, int pid, Tally& tally, const std::atomic<bool>& stop) {
  wire::Request stats;
  stats.mutable_stats();
  while (!stop) {
    const auto start = Clock::now();
    const int fd = connect_greeted(socket);
    wire::Response response;
    const bool ok = fd >= 0 && send_request(fd, stats) && read_response(fd, response) && response.has_stats() &&
                    response.stats().pid() == static_cast<uint32_t>(pid);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (fd >= 0) ::close(fd);
    if (ok) {
      std::lock_guard lock(tally.mutex);
      tally.probe_ms.push_back(ms);
    } else {
      ++tally.probe_failed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100 * static_cast<double>(v.size())))];
}

int run(const Options& o) {
  TempDir dir;
  std::string expected, big_census;
  const std::string map = write_map(dir.file("System.map"), 2000, expected);
  const std::string big_map = write_map(dir.file("big.map"), 100000, big_census);
  const std::string socket = dir.file("kasd.sock");
  Kasd kasd(socket, {"--memory-budget", std::to_string(o.budget_mib), "--frame-timeout", "2"},
            dir.file("kasd.log"));
  if (kasd.pid() < 0) {
    std::fprintf(stderr, "kas_load: kasd did not start:\n%s", kasd.log().c_str());
    return 1;
  }
  const wire::Request request = census_request(map);
  const wire::Request big_reply = census_request(big_map);
  Tally tally;
  {  // Warm: both kernels cached before the baseline.
    for (const wire::Request* r : {&request, &big_reply}) {
      const int fd = connect_greeted(socket);
      wire::Response response;
      if (fd < 0 || !send_request(fd, *r) || !read_response(fd, response) || !response.has_census()) {
        std::fprintf(stderr, "kas_load: kasd does not answer a census:\n%s", kasd.log().c_str());
        return 1;
      }
      ::close(fd);
    }
  }
  const long before = proc_status_kib(kasd.pid(), "VmRSS");
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&] { well_formed(socket, request, expected, tally, stop); });
  }
  for (int kind = 0; kind < 5; ++kind) {
    for (int i = 0; i < o.hostile; ++i) threads.emplace_back([&, kind] { hostile(socket, kind, big_reply, tally, stop); });
  }
  threads.emplace_back([&] { slow(socket, request, expected, tally, stop); });
  threads.emplace_back([&] { prober(socket, kasd.pid(), tally, stop); });
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  stop = true;
  for (std::thread& t : threads) t.join();

  const long peak = proc_status_kib(kasd.pid(), "VmHWM");
  const bool alive = kasd.alive() && connect_greeted(socket) >= 0;
  std::printf("kas_load: %d s, budget %d MiB: %ld well-formed requests answered, %ld wrong; %ld slow clients; "
              "%ld hostile connections\n",
              o.seconds, o.budget_mib, tally.answered.load(), tally.wrong.load(), tally.slow.load(),
              tally.hostile.load());
  std::printf("kas_load: status probes: %zu answered, %ld failed; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, "
              "max %.1f ms\n",
              tally.probe_ms.size(), tally.probe_failed.load(), percentile(tally.probe_ms, 50),
              percentile(tally.probe_ms, 90), percentile(tally.probe_ms, 99), percentile(tally.probe_ms, 100));
  std::printf("kas_load: kasd resident %.1f MiB before the load, peak %.1f MiB (budget %d MiB + margin %ld MiB)\n",
              static_cast<double>(before) / 1024, static_cast<double>(peak) / 1024, o.budget_mib,
              kMarginKib / 1024);
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      std::printf("kas_load: FAILED: %s\n", what.c_str());
      ++failures;
    }
  };
  check(alive, "kasd is not alive and answering after the load");
  check(tally.wrong == 0, std::to_string(tally.wrong.load()) + " well-formed requests not answered exactly (first: " +
                              tally.first_wrong + ")");
  check(tally.answered > 0 && tally.slow > 0, "no well-formed or no slow request answered");
  check(tally.probe_failed == 0, std::to_string(tally.probe_failed.load()) + " status probes not answered");
  check(peak - before < o.budget_mib * 1024L + kMarginKib, "kasd's peak resident memory past its budget");
  if (failures != 0) std::printf("kasd's log:\n%s", kasd.log().substr(0, 4000).c_str());
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kas::test

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  kas::test::Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--kasd") {
      o.kasd = value;
    } else if (key == "--seconds") {
      o.seconds = std::atoi(value);
    } else if (key == "--budget-mib") {
      o.budget_mib = std::atoi(value);
    } else if (key == "--clients") {
      o.clients = std::atoi(value);
    } else if (key == "--hostile") {
      o.hostile = std::atoi(value);
    } else {
      std::fprintf(stderr, "usage: kas_load [--kasd PATH] [--seconds N] [--budget-mib N] [--clients N] [--hostile N]\n");
      return 2;
    }
  }
  if (!o.kasd.empty()) ::setenv("KAS_TEST_KASD", o.kasd.c_str(), 1);
  return kas::test::run(o);
}
