// Which LTO suffixes a kernel's names carry, so that neither kbuild nor a
// user has to say (--lto stays as an override).
//
// The kernel's configuration decides when one is found beside the inputs:
// CONFIG_LTO_CLANG_THIN=y or CONFIG_LTO_CLANG_FULL=y in a build tree's
// include/config/auto.conf or .config, an installed kernel's
// /boot/config-RELEASE or its headers' build/. Without one, vmlinux's names
// decide: a ".llvm.N" text name is ThinLTO's; text names ending in a bare
// ".N" with no GCC clone name (.constprop.N, .isra.N, .part.N) anywhere are
// full LTO's (GCC kernels have thousands of clones; clang never makes
// one, and outside full LTO never gives a function a bare ".N").
#pragma once

#include <span>
#include <string>

#include "core/census/lto.hpp"
#include "core/elf/nm_listing.hpp"
#include "core/index/kernel_config.hpp"
#include "core/index/kernel_files.hpp"

namespace kas {

struct LtoDecision {
  Lto lto = Lto::kNone;
  std::string reason;  // "CONFIG_LTO_CLANG_FULL=y in PATH", "288 .llvm.N text names in vmlinux"
  std::string config = {};  // the config file that decided, if one did
};

// Lto::kThin / kFull / kNone from a kernel config file's text.
[[nodiscard]] Lto lto_from_config(std::string_view config);

// From vmlinux's nm lines (see above).
[[nodiscard]] LtoDecision lto_from_names(std::span<const NmLine> lines);

// `requested` unless it is Lto::kDetect; else the first config candidate
// (kThin when it names no Clang LTO but vmlinux's names carry .llvm.N or
// .lto_priv.N); else vmlinux's names (when `vmlinux_lines` is not empty);
// else kNone.
[[nodiscard]] LtoDecision decide_lto(Lto requested, const KernelFiles& files,
                                     std::span<const NmLine> vmlinux_lines);

}  // namespace kas
