#include "core/index/record_cache.hpp"

namespace kas {

Result<std::shared_ptr<const BinaryRecord>> RecordCache::get(const std::string& path, const std::string& name) {
  std::shared_ptr<const BinaryRecord> known;
  {
    std::lock_guard lock(mutex_);
    auto it = records_.find(path);
    if (it != records_.end()) known = it->second.lock();
  }
  if (known && known->name() == name && known->current()) {
    ++reuses_;
    return known;
  }
  auto read = BinaryRecord::read(path, name);
  if (!read) return read;
  ++reads_;
  std::lock_guard lock(mutex_);
  // Dead entries go when their path is read again; a sweep keeps the map
  // from growing with paths no snapshot uses any more.
  if (records_.size() > 4 * 4096) std::erase_if(records_, [](const auto& e) { return e.second.expired(); });
  records_[path] = *read;
  return read;
}

void RecordCache::put(const std::shared_ptr<const BinaryRecord>& record) {
  ++reads_;
  std::lock_guard lock(mutex_);
  records_[record->path()] = record;
}

}  // namespace kas
