#include "core/util/memory_budget.hpp"

#include <algorithm>
#include <cstdio>

namespace kas {

bool MemoryBudget::try_reserve(size_t bytes) {
  size_t now = reserved_.load(std::memory_order_relaxed);
  do {
    if (bytes > capacity_ || now > capacity_ - bytes) return false;
  } while (!reserved_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
  return true;
}

void MemoryBudget::release(size_t bytes) { reserved_.fetch_sub(bytes, std::memory_order_relaxed); }

std::string MemoryBudget::refusal(std::string_view what, size_t wanted) const {
  auto mib = [](size_t bytes) { return static_cast<double>(bytes) / (1 << 20); };
  char numbers[160];
  std::snprintf(numbers, sizeof numbers, " (%.1f MiB wanted, %.1f of %.1f MiB reserved; kasd --memory-budget)",
                mib(wanted), mib(reserved()), mib(capacity_));
  return "kasd's memory budget has no room for " + std::string(what) + numbers;
}

bool MemoryReservation::resize(size_t bytes) {
  if (budget_ == nullptr) {
    bytes_ = bytes;
    return true;
  }
  if (bytes > bytes_) {
    if (!budget_->try_reserve(bytes - bytes_)) return false;
  } else {
    budget_->release(bytes_ - bytes);
  }
  bytes_ = bytes;
  return true;
}

bool reserve_string(std::string& s, size_t capacity, MemoryReservation& reserved) {
  const size_t old = s.capacity();
  if (capacity <= old) return true;
  const size_t grown = std::max(capacity, 2 * old);
  const size_t before = reserved.bytes();
  if (!reserved.resize(before + grown)) return false;
  s.reserve(grown);
  (void)reserved.resize(before + s.capacity() - old);  // fewer bytes: cannot fail
  return true;
}

void MemoryReservation::reset() {
  if (budget_ != nullptr) budget_->release(bytes_);
  bytes_ = 0;
}

}  // namespace kas
