// Streaming decoders into a growing string: the decompressed size is not
// trusted from any header (a truncated or hostile file must fail cleanly).
// The size a header claims, bounded by the input's size, only chooses the
// first allocation: a census reads thousands of modules of about 120 KiB
// (Debian 6.12's 4,229 .ko.xz), and a fixed first megabyte, filled with
// zeros before the decoder wrote it, touched 4 GiB to hold 0.5. From there
// the string doubles as it fills, each step reserved from the caller's
// budget before it is allocated, and the decoder is given at most
// kStep bytes of room per call, so that a bomb (a few KiB that expand to
// gigabytes) is refused at the budget and a cancelled request stops within
// a few megabytes.
#include "core/util/decompress.hpp"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>

#include "core/util/request_context.hpp"

namespace kas {

namespace {

constexpr size_t kChunk = size_t{1} << 20;
constexpr size_t kStep = size_t{4} << 20;
// The first allocation: what the header claims, at most kMaxRatio times the
// input (so a lying header cannot make it large), or kTypicalRatio times
// the input when the header says nothing (xz modules: 5.5 on average).
constexpr size_t kMaxRatio = 64;
constexpr size_t kTypicalRatio = 6;
constexpr size_t kSmallest = 4096;

std::unexpected<Error> broken(const std::string& path, Compression c, std::string_view why) {
  return fail(ErrorCode::kBadElf,
              path + ": cannot decompress (" + std::string(compression_name(c)) + "): " + std::string(why));
}

// Where a decoder writes: a string grown within a limit and a reservation.
class Output {
 public:
  Output(const std::string& path, Compression c, size_t limit, MemoryReservation& reserved, size_t first)
      : path_(path), c_(c), limit_(limit), reserved_(reserved), first_(first) {}

  // Room for the decoder's next call, from `used` on, at most kStep
  // bytes; grows the string first when it is full. An error when the
  // limit or the budget is reached. Throws Cancelled (request_context.hpp).
  Result<std::span<char>> room(size_t used) {
    check_cancelled();
    if (used == out_.size()) {
      if (used >= limit_) return broken(path_, c_, "larger than the limit");
      const size_t size = std::min(limit_, used == 0 ? first_ : used + std::max(kChunk, used));
      if (!reserve_string(out_, size, reserved_)) {
        // kExhausted: kas runs the request in-process, within its own limits.
        return fail(ErrorCode::kExhausted, path_ + ": cannot decompress (" + std::string(compression_name(c_)) +
                                               "): " + reserved_.budget()->refusal("its content", size));
      }
      // Not zero-filled: the decoder writes every byte before take() keeps it.
      out_.resize_and_overwrite(size, [](char*, size_t n) { return n; });
    }
    return std::span<char>(out_.data() + used, std::min(kStep, out_.size() - used));
  }
  [[nodiscard]] char* data() { return out_.data(); }
  [[nodiscard]] const std::string& path() const { return path_; }
  // The content, its reservation left at the string's capacity.
  std::string take(size_t used) {
    out_.resize(used);
    return std::move(out_);
  }

 private:
  const std::string& path_;
  Compression c_;
  size_t limit_;
  MemoryReservation& reserved_;
  size_t first_;
  std::string out_;
};

uint32_t little_endian32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The size of the last xz stream, from its index (which the footer locates);
// 0 when the file does not end in a well-formed footer and index.
uint64_t xz_claimed(std::string_view data) {
  if (data.size() < 2 * LZMA_STREAM_HEADER_SIZE) return 0;
  const auto* end = reinterpret_cast<const uint8_t*>(data.data()) + data.size();
  lzma_stream_flags footer;
  if (lzma_stream_footer_decode(&footer, end - LZMA_STREAM_HEADER_SIZE) != LZMA_OK) return 0;
  if (footer.backward_size > data.size() - 2 * LZMA_STREAM_HEADER_SIZE) return 0;
  lzma_index* index = nullptr;
  uint64_t memlimit = uint64_t{1} << 20;
  size_t pos = 0;
  if (lzma_index_buffer_decode(&index, &memlimit, nullptr, end - LZMA_STREAM_HEADER_SIZE - footer.backward_size, &pos,
                               footer.backward_size) != LZMA_OK) {
    return 0;
  }
  const uint64_t size = lzma_index_uncompressed_size(index);
  lzma_index_end(index, nullptr);
  return size;
}

// The first allocation for `data` (see kMaxRatio).
size_t first_allocation(std::string_view data, Compression c, size_t limit) {
  uint64_t claimed = 0;
  switch (c) {
    case Compression::kXz: claimed = xz_claimed(data); break;
    // ISIZE, the last member's size modulo 2^32 (RFC 1952).
    case Compression::kGzip: claimed = data.size() >= 18 ? little_endian32(data.data() + data.size() - 4) : 0; break;
    case Compression::kZstd: {
      const unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
      claimed = size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ? 0 : size;
      break;
    }
    case Compression::kNone: break;
  }
  const uint64_t most = std::max<uint64_t>(kSmallest, uint64_t{data.size()} * kMaxRatio);
  // One byte more than claimed: the decoder reads the stream's end with room
  // left, instead of asking for a doubling to find nothing more.
  const uint64_t first = claimed != 0 ? claimed + 1 : uint64_t{data.size()} * kTypicalRatio;
  return static_cast<size_t>(std::min<uint64_t>(std::clamp<uint64_t>(first, kSmallest, most), limit));
}

Result<std::string> unxz(std::string_view data, Output& out) {
  const std::string& path = out.path();
  lzma_stream s = LZMA_STREAM_INIT;
  // Kernel modules are single xz streams; concatenated ones decode too.
  if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
    return broken(path, Compression::kXz, "out of memory");
  }
  std::unique_ptr<lzma_stream, decltype(&lzma_end)> guard(&s, lzma_end);
  s.next_in = reinterpret_cast<const uint8_t*>(data.data());
  s.avail_in = data.size();
  size_t used = 0;
  for (;;) {
    auto room = out.room(used);
    if (!room) return std::unexpected(room.error());
    s.next_out = reinterpret_cast<uint8_t*>(room->data());
    s.avail_out = room->size();
    lzma_ret r = lzma_code(&s, s.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    used = static_cast<size_t>(reinterpret_cast<char*>(s.next_out) - out.data());
    if (r == LZMA_STREAM_END) break;
    if (r == LZMA_OK) continue;
    // xz reports a full output buffer as LZMA_BUF_ERROR only when no
    // progress was possible: with room given, the input ended early.
    if (r == LZMA_BUF_ERROR) return broken(path, Compression::kXz, "truncated");
    return broken(path, Compression::kXz, r == LZMA_MEM_ERROR ? "out of memory" : "corrupt data");
  }
  return out.take(used);
}

Result<std::string> gunzip(std::string_view data, Output& out) {
  const std::string& path = out.path();
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return broken(path, Compression::kGzip, "out of memory");  // gzip header
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&s, inflateEnd);
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(std::min<size_t>(data.size(), UINT32_MAX));
  size_t used = 0;
  for (;;) {
    auto room = out.room(used);
    if (!room) return std::unexpected(room.error());
    s.next_out = reinterpret_cast<Bytef*>(room->data());
    s.avail_out = static_cast<uInt>(room->size());
    int r = inflate(&s, Z_NO_FLUSH);
    used = static_cast<size_t>(reinterpret_cast<char*>(s.next_out) - out.data());
    // The end of a member; another may follow (gzip -d reads them all, as xz
    // and zstd do below).
    if (r == Z_STREAM_END && s.avail_in >= 2 &&
        compression_of({reinterpret_cast<const char*>(s.next_in), 2}) == Compression::kGzip) {
      if (inflateReset(&s) != Z_OK) return broken(path, Compression::kGzip, "out of memory");
      continue;
    }
    if (r == Z_STREAM_END) break;
    if (r == Z_OK) continue;
    if (r == Z_BUF_ERROR && s.avail_in == 0 && s.avail_out != 0) return broken(path, Compression::kGzip, "truncated");
    if (r == Z_BUF_ERROR) continue;  // output full: grow
    return broken(path, Compression::kGzip, s.msg != nullptr ? s.msg : "corrupt data");
  }
  return out.take(used);
}

Result<std::string> unzstd(std::string_view data, Output& out) {
  const std::string& path = out.path();
  std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> s(ZSTD_createDStream(), ZSTD_freeDStream);
  if (!s) return broken(path, Compression::kZstd, "out of memory");
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  size_t used = 0;
  size_t r = 1;
  while (r != 0) {
    auto room = out.room(used);
    if (!room) return std::unexpected(room.error());
    ZSTD_outBuffer o{room->data(), room->size(), 0};
    const size_t before_in = in.pos;
    r = ZSTD_decompressStream(s.get(), &o, &in);
    if (ZSTD_isError(r)) return broken(path, Compression::kZstd, ZSTD_getErrorName(r));
    const bool progressed = o.pos != 0 || in.pos != before_in;
    used += o.pos;
    // r != 0: the frame is not complete. With all input read and room left
    // in the output, no more can come.
    if (r != 0 && in.pos == in.size && o.pos < o.size && !progressed) {
      return broken(path, Compression::kZstd, "truncated");
    }
    // A complete frame followed by more input: another frame.
    if (r == 0 && in.pos < in.size) r = 1;
  }
  return out.take(used);
}

}  // namespace

Compression compression_of(std::string_view head) {
  if (head.starts_with(std::string_view("\xFD" "7zXZ\0", 6))) return Compression::kXz;
  if (head.starts_with("\x1F\x8B")) return Compression::kGzip;
  if (head.starts_with("\x28\xB5\x2F\xFD")) return Compression::kZstd;
  return Compression::kNone;
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kXz: return "xz";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kNone: break;
  }
  return "none";
}

Result<std::string> decompress(std::string_view data, Compression c, const std::string& path, size_t limit,
                               MemoryReservation* reserved) {
  MemoryReservation unlimited;
  Output out(path, c, limit, reserved != nullptr ? *reserved : unlimited, first_allocation(data, c, limit));
  switch (c) {
    case Compression::kXz: return unxz(data, out);
    case Compression::kGzip: return gunzip(data, out);
    case Compression::kZstd: return unzstd(data, out);
    case Compression::kNone: break;
  }
  return fail(ErrorCode::kInternal, path + ": decompress called on an uncompressed file");
}

}  // namespace kas
