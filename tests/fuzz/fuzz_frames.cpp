// The frame reader: any bytes from a peer, through a real session (framing,
// handshake, dispatch, replies) over a socketpair, until the peer closes.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <thread>

#include "daemon/session.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kas::fuzz::enter_scratch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kas::daemon::Dispatcher dispatcher("fuzz", 1, 64u << 20);
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) __builtin_trap();
  // Inputs are small (-max_len): the whole input fits the socket's buffer.
  for (size_t at = 0; at < size;) {
    const ssize_t n = ::write(fds[0], data + at, size - at);
    if (n <= 0) __builtin_trap();
    at += static_cast<size_t>(n);
  }
  ::shutdown(fds[0], SHUT_WR);
  // The replies are read as a client would: a reply bigger than the socket's
  // buffer would otherwise wait for the frame time limit.
  std::thread reader([fd = fds[0]] {
    char buf[1 << 16];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
  });
  (void)kas::daemon::serve_connection(kas::Fd(fds[1]), dispatcher);
  reader.join();
  ::close(fds[0]);
  return 0;
}
