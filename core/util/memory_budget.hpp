// kasd's one memory budget (--memory-budget): what its requests may hold at
// once besides the cached kernels, which give way to it (daemon/
// kernel_cache). Every buffer whose size a client decides (a request frame
// as it arrives, an encoded reply waiting for the client to read it, a
// module's decompressed bytes) is reserved here before it is allocated, so
// that a request asking for more than is left fails, with a message saying
// so, instead of the daemon growing until the kernel kills it.
//
// A reservation only counts bytes: it is taken before the allocation it
// stands for and released after that memory is freed, so the count is an
// upper bound of what those buffers hold. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace kas {

class MemoryBudget {
 public:
  explicit MemoryBudget(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Adds `bytes` to what is reserved if that stays within the capacity;
  // false (nothing reserved) otherwise. Lock-free.
  [[nodiscard]] bool try_reserve(size_t bytes);
  void release(size_t bytes);

  [[nodiscard]] size_t capacity() const { return capacity_; }
  [[nodiscard]] size_t reserved() const { return reserved_.load(std::memory_order_relaxed); }

  // "kasd's memory budget has no room for WHAT (N MiB wanted, M of C MiB
  // reserved; kasd --memory-budget)": the message of a refused reservation.
  [[nodiscard]] std::string refusal(std::string_view what, size_t wanted) const;

 private:
  const size_t capacity_;
  std::atomic<size_t> reserved_{0};
};

// Bytes reserved from a budget for one buffer, released when destroyed.
// A reservation without a budget (kas in-process, or a test) is never
// refused: there the limits are the process's own. Move-only.
class MemoryReservation {
 public:
  MemoryReservation() = default;
  explicit MemoryReservation(MemoryBudget* budget) : budget_(budget) {}
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  MemoryReservation(MemoryReservation&& other) noexcept
      : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  MemoryReservation& operator=(MemoryReservation&& other) noexcept {
    if (this != &other) {
      reset();
      budget_ = std::exchange(other.budget_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  ~MemoryReservation() { reset(); }

  // Makes the reservation `bytes` (more or fewer than now); false, with
  // the reservation unchanged, when the budget cannot give the difference.
  [[nodiscard]] bool resize(size_t bytes);
  // Back to zero bytes.
  void reset();

  [[nodiscard]] size_t bytes() const { return bytes_; }
  [[nodiscard]] MemoryBudget* budget() const { return budget_; }

 private:
  MemoryBudget* budget_ = nullptr;
  size_t bytes_ = 0;
};

// Gives `s` a capacity of at least `capacity` bytes with the memory
// reserved first in `reserved`: the old and the new buffer while the
// content is copied, then what the string holds (libstdc++ at least doubles
// a capacity it grows, which is counted). False, with `s` and `reserved`
// unchanged, when the budget has no room.
[[nodiscard]] bool reserve_string(std::string& s, size_t capacity, MemoryReservation& reserved);

}  // namespace kas
