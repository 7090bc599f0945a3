#include "tests/daemon/kasd_harness.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include "proto/build_id.hpp"
#include "proto/framing.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas::test {

Kasd::Kasd(const std::string& socket, const std::vector<std::string>& args, std::string log)
    : socket_(socket), log_(std::move(log)) {
  // $KAS_TEST_KASD: another build's kasd, to see these tests fail on the
  // code before a fix.
  const char* other = std::getenv("KAS_TEST_KASD");
  // Without ASan's quarantine of freed blocks (256 MiB by default), which
  // would be counted as kasd's resident memory.
  const char* asan = std::getenv("ASAN_OPTIONS");
  std::vector<std::string> argv = {
      "env", "ASAN_OPTIONS=" + std::string(asan != nullptr ? asan : "") + ":quarantine_size_mb=0:allocator_release_to_os_interval_ms=50",
      other != nullptr ? other : KAS_TEST_KASD_BINARY, "--socket", socket_, "--idle-timeout", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawn_process(argv, log_ + ".out", log_);
  for (int i = 0; i < 1000; ++i) {
    const int fd = connect_greeted(socket_);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    if (::kill(pid_, 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  (void)wait_process(pid_);
  pid_ = -1;
}

Kasd::~Kasd() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  (void)wait_process(pid_);
}

std::string Kasd::log() const { return read_text(log_); }

bool Kasd::alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0 && proc_status_kib(pid_, "VmRSS") > 0; }

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

int connect_greeted(const std::string& path) {
  const int fd = connect_unix(path);
  if (fd < 0) return -1;
  wire::Request hello;
  hello.mutable_hello()->set_protocol_version(wire::PROTOCOL_VERSION_CURRENT);
  hello.mutable_hello()->set_build_id(this_build_id());
  wire::Response answer;
  if (!send_request(fd, hello) || !read_response(fd, answer) || !answer.has_hello()) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_request(int fd, const wire::Request& request) {
  auto frame = wire::encode_frame(request);
  if (!frame) return false;
  for (size_t at = 0; at < frame->size();) {
    const ssize_t n = ::send(fd, frame->data() + at, frame->size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

bool read_response(int fd, wire::Response& response) { return static_cast<bool>(wire::read_frame(fd, response)); }

long proc_status_kib(int pid, const char* field) {
  const std::string status = read_text("/proc/" + std::to_string(pid) + "/status");
  const std::string key = std::string(field) + ":";
  const size_t at = status.find(key);
  return at == std::string::npos ? -1 : std::stol(status.substr(at + key.size()));
}

long cpu_ticks_of(int pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream in(stat.substr(paren + 2));
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  return f.size() > 12 ? std::stol(f[11]) + std::stol(f[12]) : -1;
}

bool write_decompression_bombs(const std::string& dir, int count, int mib) {
  const std::string first = dir + "/bomb_0.ko.zst";
  auto made = run_process({"sh", "-c", "head -c " + std::to_string(mib) + "M /dev/zero | zstd -q -1 -o '" + first + "'"});
  if (made.exit_code != 0) return false;
  for (int i = 1; i < count; ++i) {
    if (run_process({"cp", first, dir + "/bomb_" + std::to_string(i) + ".ko.zst"}).exit_code != 0) return false;
  }
  return true;
}

}  // namespace kas::test
