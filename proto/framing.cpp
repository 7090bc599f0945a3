#include "proto/framing.hpp"

#include <google/protobuf/message_lite.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kas::wire {

Result<uint32_t> decode_frame_length(const unsigned char header[kFrameHeaderBytes]) {
  uint32_t n = static_cast<uint32_t>(header[0]) | static_cast<uint32_t>(header[1]) << 8 |
               static_cast<uint32_t>(header[2]) << 16 | static_cast<uint32_t>(header[3]) << 24;
  if (n > kMaxFrameBytes) {
    return fail(ErrorCode::kBadInput,
                "frame of " + std::to_string(n) + " bytes exceeds the limit of " + std::to_string(kMaxFrameBytes));
  }
  return n;
}

Result<std::string> encode_frame(const google::protobuf::MessageLite& message) {
  size_t size = message.ByteSizeLong();
  if (size > kMaxFrameBytes) {
    return fail(ErrorCode::kInternal, "message of " + std::to_string(size) + " bytes exceeds the frame limit");
  }
  std::string frame(kFrameHeaderBytes, '\0');
  auto n = static_cast<uint32_t>(size);
  for (size_t i = 0; i < kFrameHeaderBytes; ++i) frame[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  if (!message.AppendToString(&frame)) return fail(ErrorCode::kInternal, "cannot serialize message");
  return frame;
}

namespace {

// Reads exactly `size` bytes; `got` tells how many arrived before EOF.
Result<void> read_exact(int fd, char* buf, size_t size, size_t& got) {
  got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, buf + got, size - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, std::string("socket read failed: ") + std::strerror(errno));
    }
    if (n == 0) return {};
    got += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

Result<void> write_frame(int fd, const google::protobuf::MessageLite& message) {
  auto frame = encode_frame(message);
  if (!frame) return std::unexpected(frame.error());
  std::string_view rest = *frame;
  while (!rest.empty()) {
    ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, std::string("socket write failed: ") + std::strerror(errno));
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<void> read_frame(int fd, google::protobuf::MessageLite& message) {
  unsigned char header[kFrameHeaderBytes];
  size_t got = 0;
  if (auto r = read_exact(fd, reinterpret_cast<char*>(header), sizeof header, got); !r) return r;
  if (got == 0) return fail(ErrorCode::kNotFound, "connection closed by peer");
  if (got < sizeof header) return fail(ErrorCode::kIo, "connection closed inside a frame header");
  auto length = decode_frame_length(header);
  if (!length) return std::unexpected(length.error());
  std::string body(*length, '\0');
  if (auto r = read_exact(fd, body.data(), body.size(), got); !r) return r;
  if (got < body.size()) return fail(ErrorCode::kIo, "connection closed inside a frame");
  if (!message.ParseFromString(body)) return fail(ErrorCode::kBadInput, "unparsable message");
  return {};
}

}  // namespace kas::wire
