// The running kernel's debug files when the distribution's debug package is
// not installed: fetched by build-id through debuginfod (kas-fetch, with
// the user's DEBUGINFOD_URLS), and laid out as a kernel's files: the
// debuginfod cache's files behind NAME.ko links, so that modules keep their
// names.
#pragma once

#include <string>

#include "service/vocabulary.hpp"
#include "core/util/result.hpp"

namespace kas::cli {

// `sysfs` gives the build-ids (running_build_ids). The links live in
// CACHE/kas/live/BUILDID/modules, CACHE the user's own (user_cache.hpp).
// Errors: no build-id, a cache directory that is not the user's own or is
// writable by others (its path and why), kas-fetch missing or refusing its
// cache, vmlinux not found by any server (modules that are not found are
// reported on stderr and left out).
[[nodiscard]] Result<KernelFiles> fetched_running_kernel(const std::string& sysfs);

}  // namespace kas::cli
