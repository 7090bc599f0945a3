// Binary records shared between the kernel snapshots of one process (the
// daemon's): a file read for one snapshot is not read again for another, or
// for the next snapshot of the same tree, while it has not changed on disk.
// Holds records only while some snapshot does (weak references), so the
// snapshots' memory budget stays the only one. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/index/binary_record.hpp"

namespace kas {

class RecordCache {
 public:
  // The record of `path`, reused when the file's stat is unchanged since it
  // was read, read otherwise. Errors: BinaryRecord::read's.
  [[nodiscard]] Result<std::shared_ptr<const BinaryRecord>> get(const std::string& path, const std::string& name);

  // Makes `record` (read by someone else: a rebuilt module) the one for its
  // path.
  void put(const std::shared_ptr<const BinaryRecord>& record);

  [[nodiscard]] uint64_t reads() const { return reads_; }
  [[nodiscard]] uint64_t reuses() const { return reuses_; }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<const BinaryRecord>> records_;
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> reuses_{0};
};

}  // namespace kas
