// Streaming decoders into a growing string: the decompressed size is not
// trusted from any header (a truncated or hostile file must fail cleanly).
#include "core/util/decompress.hpp"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace kas {

namespace {

constexpr size_t kChunk = size_t{1} << 20;

std::unexpected<Error> broken(const std::string& path, Compression c, std::string_view why) {
  return fail(ErrorCode::kBadElf,
              path + ": cannot decompress (" + std::string(compression_name(c)) + "): " + std::string(why));
}

// Grows `out` by a chunk for the next write; false when `limit` is reached.
bool grow(std::string& out, size_t used, size_t limit) {
  if (used >= limit) return false;
  out.resize(std::min(limit, used + std::max(kChunk, used / 2)));
  return true;
}

Result<std::string> unxz(std::string_view data, const std::string& path, size_t limit) {
  lzma_stream s = LZMA_STREAM_INIT;
  // Kernel modules are single xz streams; concatenated ones decode too.
  if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
    return broken(path, Compression::kXz, "out of memory");
  }
  std::unique_ptr<lzma_stream, decltype(&lzma_end)> guard(&s, lzma_end);
  std::string out;
  s.next_in = reinterpret_cast<const uint8_t*>(data.data());
  s.avail_in = data.size();
  size_t used = 0;
  for (;;) {
    if (used == out.size() && !grow(out, used, limit)) return broken(path, Compression::kXz, "larger than the limit");
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    s.avail_out = out.size() - used;
    lzma_ret r = lzma_code(&s, s.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    used = out.size() - s.avail_out;
    if (r == LZMA_STREAM_END) break;
    if (r == LZMA_OK) continue;
    if (r == LZMA_BUF_ERROR) return broken(path, Compression::kXz, "truncated");
    return broken(path, Compression::kXz, r == LZMA_MEM_ERROR ? "out of memory" : "corrupt data");
  }
  out.resize(used);
  return out;
}

Result<std::string> gunzip(std::string_view data, const std::string& path, size_t limit) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return broken(path, Compression::kGzip, "out of memory");  // gzip header
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&s, inflateEnd);
  std::string out;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(std::min<size_t>(data.size(), UINT32_MAX));
  size_t used = 0;
  for (;;) {
    if (used == out.size() && !grow(out, used, limit)) {
      return broken(path, Compression::kGzip, "larger than the limit");
    }
    s.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    s.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - used, UINT32_MAX));
    int r = inflate(&s, Z_NO_FLUSH);
    used = static_cast<size_t>(reinterpret_cast<char*>(s.next_out) - out.data());
    if (r == Z_STREAM_END) break;
    if (r == Z_OK) continue;
    if (r == Z_BUF_ERROR && s.avail_in == 0 && s.avail_out != 0) return broken(path, Compression::kGzip, "truncated");
    if (r == Z_BUF_ERROR) continue;  // output full: grow
    return broken(path, Compression::kGzip, s.msg != nullptr ? s.msg : "corrupt data");
  }
  out.resize(used);
  return out;
}

Result<std::string> unzstd(std::string_view data, const std::string& path, size_t limit) {
  std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> s(ZSTD_createDStream(), ZSTD_freeDStream);
  if (!s) return broken(path, Compression::kZstd, "out of memory");
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  std::string out;
  size_t used = 0;
  size_t r = 1;
  while (r != 0) {
    if (used == out.size() && !grow(out, used, limit)) {
      return broken(path, Compression::kZstd, "larger than the limit");
    }
    ZSTD_outBuffer o{out.data(), out.size(), used};
    const size_t before_in = in.pos;
    r = ZSTD_decompressStream(s.get(), &o, &in);
    if (ZSTD_isError(r)) return broken(path, Compression::kZstd, ZSTD_getErrorName(r));
    const bool progressed = o.pos != used || in.pos != before_in;
    used = o.pos;
    // r != 0: the frame is not complete. With all input read and room left
    // in the output, no more can come.
    if (r != 0 && in.pos == in.size && used < out.size() && !progressed) {
      return broken(path, Compression::kZstd, "truncated");
    }
    // A complete frame followed by more input: another frame.
    if (r == 0 && in.pos < in.size) r = 1;
  }
  out.resize(used);
  return out;
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

Result<std::string> decompress(std::string_view data, Compression c, const std::string& path, size_t limit) {
  switch (c) {
    case Compression::kXz: return unxz(data, path, limit);
    case Compression::kGzip: return gunzip(data, path, limit);
    case Compression::kZstd: return unzstd(data, path, limit);
    case Compression::kNone: break;
  }
  return fail(ErrorCode::kInternal, path + ": decompress called on an uncompressed file");
}

}  // namespace kas
