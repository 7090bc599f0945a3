// A kernel's configuration, found beside its files: what kas needs to know
// about how it was built (LTO, whether kallsyms carries aliases) when the
// files alone do not say.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/index/kernel_files.hpp"

namespace kas {

// The configuration files that describe `files`' kernel, most specific
// first (only those that exist): a build tree's include/config/auto.conf or
// .config beside the nm listing, census file or modules.order; an installed
// kernel's config-RELEASE beside System.map-RELEASE (or vmlinux-RELEASE),
// /boot/config-RELEASE, or its modules directory's build/.
[[nodiscard]] std::vector<std::string> kernel_config_candidates(const KernelFiles& files);

// The first of kernel_config_candidates() that can be read: its path and
// text; nullopt when none can.
struct KernelConfig {
  std::string path;
  std::string text;
};
[[nodiscard]] std::optional<KernelConfig> read_kernel_config(const KernelFiles& files);

// True when `config` (a .config or auto.conf text) sets OPTION=y.
[[nodiscard]] bool config_enables(std::string_view config, std::string_view option);

}  // namespace kas
