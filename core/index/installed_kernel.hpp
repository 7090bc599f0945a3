// An installed kernel as a census source: its vmlinux symbol names (System.map,
// or /proc/kallsyms for the running kernel) and its module files. This is how
// an out-of-tree module built against distribution headers gets aliases with
// no file copied by hand.
#pragma once

#include <string>

#include "core/index/census_sources.hpp"
#include "core/util/result.hpp"

namespace kas {

// `dir_or_release` is a modules directory (/lib/modules/R, or one unpacked
// from a package) or a release name R. System.map is looked for, in order:
// `system_map` when given, DIR/System.map, DIR/../../../boot/System.map-R
// and DIR/../../../usr/lib/debug/boot/System.map-R (a root or unpacked
// packages), /boot/System.map-R, /usr/lib/debug/boot/System.map-R (Debian's
// -dbg package; its linux-image ships a placeholder, which is skipped), and
// /proc/kallsyms when R is the running kernel. Errors: kNotFound saying
// where it looked.
[[nodiscard]] Result<CensusSources> installed_kernel_sources(const std::string& dir_or_release,
                                                             const std::string& system_map);

}  // namespace kas
