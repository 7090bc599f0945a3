#include "core/util/descriptor_budget.hpp"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>

namespace kas {

namespace {

std::optional<size_t> soft_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  if (limit.rlim_cur == RLIM_INFINITY) return size_t{65536};
  return static_cast<size_t>(limit.rlim_cur);
}

}  // namespace

size_t cached_descriptor_budget() { return std::max<size_t>(soft_limit().value_or(1024) / 2, 16); }

size_t connection_budget() { return std::clamp<size_t>(soft_limit().value_or(4096) / 4, 8, 1024); }

std::optional<size_t> free_descriptors() {
  const auto limit = soft_limit();
  if (!limit) return std::nullopt;
  // opendir takes a descriptor itself: when none is left, nothing is free.
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return errno == EMFILE || errno == ENFILE ? std::optional<size_t>(0) : std::nullopt;
  size_t open = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++open;
  }
  ::closedir(dir);
  --open;  // the directory's own
  return open >= *limit ? 0 : *limit - open;
}

}  // namespace kas
