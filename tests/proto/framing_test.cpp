// proto/framing: the frame format (4-byte little-endian length + message)
// and the blocking reader/writer the client uses, over a real socketpair.
#include "proto/framing.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/util/fd.hpp"
#include "kas.pb.h"

namespace kas {
namespace {

// Both ends of a stream socketpair. Reads on `reader` time out, so a reader
// that waits for bytes that never come fails the test instead of hanging it.
struct Pair {
  Fd writer;
  Fd reader;
};

Pair socket_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair failed");
  timeval timeout{5, 0};
  ::setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return {Fd(fds[0]), Fd(fds[1])};
}

void send_bytes(int fd, const std::string& bytes) {
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

std::string header(uint32_t length) {
  std::string h(wire::kFrameHeaderBytes, '\0');
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return h;
}

wire::Request stats_request() {
  wire::Request r;
  r.mutable_stats();
  return r;
}

wire::Request lookup_request(const std::string& pattern) {
  wire::Request r;
  r.mutable_lookup()->mutable_target()->mutable_kernel()->set_vmlinux("/build/vmlinux");
  r.mutable_lookup()->add_patterns(pattern);
  return r;
}

TEST(FrameLength, IsLittleEndian) {
  const unsigned char bytes[] = {0x01, 0x02, 0x03, 0x00};
  auto n = wire::decode_frame_length(bytes);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 0x030201u);
}

TEST(FrameLength, TheLimitItselfIsAcceptedOneMoreIsNot) {
  const uint32_t limit = wire::kMaxFrameBytes;
  const unsigned char at[] = {static_cast<unsigned char>(limit), static_cast<unsigned char>(limit >> 8),
                              static_cast<unsigned char>(limit >> 16), static_cast<unsigned char>(limit >> 24)};
  ASSERT_TRUE(wire::decode_frame_length(at));
  const uint32_t over = limit + 1;
  const unsigned char past[] = {static_cast<unsigned char>(over), static_cast<unsigned char>(over >> 8),
                                static_cast<unsigned char>(over >> 16), static_cast<unsigned char>(over >> 24)};
  auto n = wire::decode_frame_length(past);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, ErrorCode::kBadInput);
  EXPECT_NE(n.error().message.find(std::to_string(over)), std::string::npos) << n.error().message;
}

TEST(EncodeFrame, HeaderCountsTheMessageBytes) {
  wire::Request request = lookup_request("name_show");
  std::string payload = request.SerializeAsString();
  auto frame = wire::encode_frame(request);
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(*frame, header(static_cast<uint32_t>(payload.size())) + payload);
}

TEST(EncodeFrame, AnEmptyMessageIsAHeaderOfZeros) {
  auto frame = wire::encode_frame(wire::Request());
  ASSERT_TRUE(frame) << frame.error().message;
  EXPECT_EQ(*frame, std::string(wire::kFrameHeaderBytes, '\0'));
}

TEST(EncodeFrame, AMessagePastTheLimitIsRefused) {
  wire::Response response;
  response.mutable_vmlinux()->set_text(std::string(wire::kMaxFrameBytes, 'x'));  // + field overhead
  auto frame = wire::encode_frame(response);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, ErrorCode::kInternal);
}

TEST(ReadFrame, ZeroLengthFrameIsAnEmptyMessage) {
  Pair p = socket_pair();
  send_bytes(p.writer.get(), header(0));
  wire::Request request = stats_request();  // must be cleared by the read
  auto r = wire::read_frame(p.reader.get(), request);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(request.body_case(), wire::Request::BODY_NOT_SET);
}

TEST(ReadFrame, SeveralFramesInOneWriteAreReadOneByOne) {
  Pair p = socket_pair();
  std::string bytes;
  for (const wire::Request& r : {lookup_request("first"), stats_request(), lookup_request("third")}) {
    auto frame = wire::encode_frame(r);
    ASSERT_TRUE(frame);
    bytes += *frame;
  }
  send_bytes(p.writer.get(), bytes);
  wire::Request a, b, c;
  ASSERT_TRUE(wire::read_frame(p.reader.get(), a));
  ASSERT_TRUE(wire::read_frame(p.reader.get(), b));
  ASSERT_TRUE(wire::read_frame(p.reader.get(), c));
  ASSERT_TRUE(a.has_lookup());
  EXPECT_EQ(a.lookup().patterns(0), "first");
  EXPECT_TRUE(b.has_stats());
  ASSERT_TRUE(c.has_lookup());
  EXPECT_EQ(c.lookup().patterns(0), "third");
  p.writer.reset();
  wire::Request none;
  auto end = wire::read_frame(p.reader.get(), none);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().code, ErrorCode::kNotFound);  // a clean end between frames
}

TEST(ReadFrame, AFrameSplitAcrossManyWritesIsReassembled) {
  Pair p = socket_pair();
  wire::Request sent = lookup_request(std::string(300, 'n'));
  auto frame = wire::encode_frame(sent);
  ASSERT_TRUE(frame);
  // One byte at a time with pauses: the header and the body each arrive in
  // several reads.
  std::thread writer([&] {
    for (char byte : *frame) {
      (void)::write(p.writer.get(), &byte, 1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  wire::Request got;
  auto r = wire::read_frame(p.reader.get(), got);
  writer.join();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(got.SerializeAsString(), sent.SerializeAsString());
}

TEST(ReadFrame, OversizedLengthIsRejectedWithoutReadingTheBody) {
  Pair p = socket_pair();
  // No body follows and the writer stays open: a reader that tried to read
  // (or allocate) 4 GiB would time out with kIo instead.
  send_bytes(p.writer.get(), "\xff\xff\xff\xff");
  wire::Request request;
  auto r = wire::read_frame(p.reader.get(), request);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadInput);
  EXPECT_NE(r.error().message.find("exceeds the limit"), std::string::npos) << r.error().message;
}

TEST(ReadFrame, APeerGoneInsideAFrameIsAnIoError) {
  struct Case {
    const char* what;
    std::string bytes;
  };
  for (const Case& c : {Case{"inside the header", std::string("\x05\x00", 2)},
                        Case{"inside the body", header(100) + "short"}}) {
    Pair p = socket_pair();
    send_bytes(p.writer.get(), c.bytes);
    p.writer.reset();
    wire::Request request;
    auto r = wire::read_frame(p.reader.get(), request);
    ASSERT_FALSE(r) << c.what;
    // kIo, not kNotFound: the client must not take this for a clean close.
    EXPECT_EQ(r.error().code, ErrorCode::kIo) << c.what;
    EXPECT_NE(r.error().message.find("closed inside a frame"), std::string::npos) << r.error().message;
  }
}

TEST(ReadFrame, UnparsableBodyIsBadInput) {
  Pair p = socket_pair();
  // Field 1 as a length-delimited field claiming 100 bytes, with 3.
  send_bytes(p.writer.get(), header(5) + std::string("\x0a\x64\x01\x02\x03", 5));
  wire::Request request;
  auto r = wire::read_frame(p.reader.get(), request);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadInput);
}

TEST(WriteFrame, WhatIsWrittenIsReadBack) {
  Pair p = socket_pair();
  wire::Response sent;
  sent.mutable_error()->set_code(7);
  sent.mutable_error()->set_message("nm: line 3: bad");
  ASSERT_TRUE(wire::write_frame(p.writer.get(), sent));
  wire::Response got;
  ASSERT_TRUE(wire::read_frame(p.reader.get(), got));
  ASSERT_TRUE(got.has_error());
  EXPECT_EQ(got.error().code(), 7u);
  EXPECT_EQ(got.error().message(), "nm: line 3: bad");
}

TEST(WriteFrame, APeerThatIsGoneIsAnErrorNotASignal) {
  Pair p = socket_pair();
  p.reader.reset();
  // Without MSG_NOSIGNAL this would kill the test process with SIGPIPE.
  auto r = wire::write_frame(p.writer.get(), stats_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace kas
