// What a terminal shows while kas waits: a progress bar of the kernel being
// indexed (in-process, or asked of the daemon on a second connection), a
// spinner when there is nothing to count. Nothing at all when stderr is not
// a terminal, or when the answer comes within 0.4 s.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace kas::cli {

// "kas: indexing [#######       ] reading module symbol tables 1234/4023"
[[nodiscard]] std::string progress_bar(std::string_view stage, size_t done, size_t total);

// One status line on stderr, rewritten in place and erased at the end.
class ProgressLine {
 public:
  ProgressLine() = default;
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  void show(const std::string& text);
  void clear();

 private:
  bool shown_ = false;
};

// While alive, on a terminal, polls `poll` (what to show, or nullopt for
// "no news") every 100 ms after the first 400 ms, and shows it.
class WaitIndicator {
 public:
  using Poll = std::function<std::optional<std::string>()>;
  explicit WaitIndicator(Poll poll);
  ~WaitIndicator();
  WaitIndicator(const WaitIndicator&) = delete;
  WaitIndicator& operator=(const WaitIndicator&) = delete;

 private:
  void run(const std::stop_token& stop);

  Poll poll_;
  std::mutex mutex_;
  std::condition_variable_any cv_;
  std::jthread thread_;
};

}  // namespace kas::cli
