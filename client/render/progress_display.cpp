#include "client/render/progress_display.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace kas::cli {

std::string progress_bar(std::string_view stage, size_t done, size_t total) {
  constexpr size_t kWidth = 30;
  size_t filled = total == 0 ? 0 : std::min(kWidth, done * kWidth / total);
  std::string line = "kas: indexing [" + std::string(filled, '#') + std::string(kWidth - filled, ' ') + "] ";
  line += stage;
  if (total > 0) line += " " + std::to_string(done) + "/" + std::to_string(total);
  return line;
}

void ProgressLine::show(const std::string& text) {
  std::fprintf(stderr, "\r%s\033[K", text.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

WaitIndicator::WaitIndicator(Poll poll) : poll_(std::move(poll)) {
  if (::isatty(2) != 1) return;
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WaitIndicator::~WaitIndicator() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
}

void WaitIndicator::run(const std::stop_token& stop) {
  const auto start = std::chrono::steady_clock::now();
  const char spin[] = {'|', '/', '-', '\\'};
  ProgressLine line;
  std::unique_lock lock(mutex_);
  for (int tick = 0;; ++tick) {
    // Quick answers (a warm daemon) show nothing at all.
    if (cv_.wait_for(lock, stop, std::chrono::milliseconds(tick == 0 ? 400 : 100), [] { return false; })) break;
    if (stop.stop_requested()) break;
    std::optional<std::string> news = poll_();
    if (news) {
      line.show(*news);
    } else {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      char text[64];
      std::snprintf(text, sizeof text, "%c kas: waiting for kasd (%.1f s)", spin[tick % 4], seconds);
      line.show(text);
    }
  }
}

}  // namespace kas::cli
