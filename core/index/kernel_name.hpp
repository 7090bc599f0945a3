// How a user names a kernel — a kbuild tree, an installed release or
// modules directory, the running kernel — and the files that name stands
// for. The one resolver behind both `kas module --kernel` (which needs
// only symbol names) and `kas lookup / resolve / decode --tree / --kernel
// / --live` (which need debug info): the two look in different places for
// the same kernel, so the caller says which it needs.
#pragma once

#include <string>

#include "core/index/kernel_files.hpp"
#include "core/util/result.hpp"

namespace kas {

// What the caller reads of the kernel's files.
enum class KernelNeeds {
  // Symbol names only (a census): System.map and the modules of
  // /lib/modules/R, which every installed kernel has.
  kNames,
  // DWARF too (an index to query): the files of the distribution's debug
  // package, ROOT/usr/lib/debug/boot/vmlinux-R and the modules of
  // ROOT/usr/lib/debug/lib/modules/R (Debian's linux-image-R-dbg layout).
  kDebugInfo,
};

struct KernelName {
  enum class Kind {
    kBuildTree,  // `where` is a kbuild object tree: DIR/vmlinux and DIR/modules.order
    // `where` is a release R, a modules directory (one with a '/' or that
    // exists), or a debug package's ROOT/usr/lib/debug/boot/vmlinux-R (a
    // file: release R below ROOT).
    kInstalled,
    kRunning,    // an installed kernel whose release is running_release()
  };
  // Each field has a default ("= {}") so that designated initializers may
  // give only the fields a kind uses.
  Kind kind = Kind::kRunning;
  std::string where = {};
  // For a release (kInstalled, kRunning): look below ROOT instead of / (an
  // unpacked package, --debug-root). A modules directory says where it is.
  std::string root = {};
  // kNames: vmlinux's names are in this file (--system-map); no search.
  std::string system_map = {};
};

// The files of the kernel `name` names, as `needs` wants them.
//
// kBuildTree: DIR/vmlinux (an ELF file serves both needs) and, when present,
// DIR/modules.order. Error kNotFound naming DIR/vmlinux.
//
// kNames for a release or modules directory DIR (/lib/modules/R or
// ROOT/lib/modules/R for a release R, else the debug package's
// ROOT/usr/lib/debug/lib/modules/R when only that exists; R = basename(DIR)
// for a directory):
// the modules of DIR, and System.map looked for, in order: `system_map`
// when given, DIR/System.map, DIR/../../../boot/System.map-R and
// DIR/../../../usr/lib/debug/boot/System.map-R (a root or unpacked
// packages), /boot/System.map-R, /usr/lib/debug/boot/System.map-R (Debian's
// -dbg package; its linux-image ships a placeholder, which is skipped), and
// /proc/kallsyms when R is the running kernel. Errors kNotFound: DIR is not
// a directory, `system_map` is not a file, or no System.map (saying where
// it looked).
//
// kDebugInfo for a release R: ROOT/usr/lib/debug/boot/vmlinux-R and, when
// present, ROOT/usr/lib/debug/lib/modules/R. For a modules directory DIR
// that is a debug package's (…/usr/lib/debug/lib/modules/R): DIR and the
// package's boot/vmlinux-R; for any other DIR (…/lib/modules/R, whose
// modules carry no DWARF): the debug files below DIR/../../.. as for a
// release. Errors kNotFound: DIR is not a directory, or no debug vmlinux
// (saying which package provides it).
//
// A debug package's ROOT/usr/lib/debug/boot/vmlinux-R stands for release R
// below ROOT, for both needs. Any other file: error kInvalidArgument saying
// what a kernel is named by and which option takes the file.
[[nodiscard]] Result<KernelFiles> find_kernel_files(const KernelName& name, KernelNeeds needs);

// uname -r; "" when uname fails.
[[nodiscard]] std::string running_release();

}  // namespace kas
