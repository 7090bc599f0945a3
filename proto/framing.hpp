// Frames on the kas socket: a 4-byte little-endian length, then one
// protobuf message. The length is checked before any allocation.
#pragma once

#include <cstdint>
#include <string>

#include "core/util/result.hpp"

// Declared only: the programs include this header for the frame length
// and never see the protobuf runtime; whoever passes a message has it.
namespace google::protobuf {
class MessageLite;
}

namespace kas::wire {

// Largest frame either side accepts: a vmlinux nm reply is ~5 MB, a census
// ~15 MB; anything past this is a bug or an attack.
constexpr uint32_t kMaxFrameBytes = 64u << 20;
constexpr size_t kFrameHeaderBytes = 4;

// Length from a frame header. Error kBadInput when above kMaxFrameBytes.
[[nodiscard]] Result<uint32_t> decode_frame_length(const unsigned char header[kFrameHeaderBytes]);

// Header + serialized message. Error kInternal when the message is too big.
[[nodiscard]] Result<std::string> encode_frame(const google::protobuf::MessageLite& message);

// Blocking I/O on a socket (the client side). read_frame returns kNotFound
// on a clean end of stream before any byte of a frame (peer closed), kIo
// on errors or a truncated frame, kBadInput on an oversized or unparsable one.
[[nodiscard]] Result<void> write_frame(int fd, const google::protobuf::MessageLite& message);
[[nodiscard]] Result<void> read_frame(int fd, google::protobuf::MessageLite& message);

}  // namespace kas::wire
