#include "core/index/lto_detect.hpp"

#include <optional>
#include <string_view>

#include "core/elf/nm_type.hpp"
#include "core/util/text.hpp"

namespace kas {

namespace {

bool ends_with_bare_number(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot != std::string_view::npos && dot > 0 && text::all_digits(name.substr(dot + 1)) &&
         name.substr(0, dot).find('.') == std::string_view::npos;
}

bool is_gcc_clone(std::string_view name) {
  for (std::string_view marker : {".constprop.", ".isra.", ".part."}) {
    if (name.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

Lto lto_from_config(std::string_view config) {
  if (config_enables(config, "CONFIG_LTO_CLANG_FULL")) return Lto::kFull;
  if (config_enables(config, "CONFIG_LTO_CLANG_THIN")) return Lto::kThin;
  return Lto::kNone;
}

LtoDecision lto_from_names(std::span<const NmLine> lines) {
  // A bare .N is full LTO's only in code: GCC numbers function-scope
  // statics (descriptor.7), and a link that makes a data section executable
  // (7.x's x86 .data) has nm type them `t`. Code ends at _etext.
  std::optional<uint64_t> etext;
  for (const NmLine& line : lines) {
    if (line.name == "_etext" && !line.address.empty()) etext = line.value;
  }
  size_t thin = 0;
  size_t bare = 0;
  size_t clones = 0;
  for (const NmLine& line : lines) {
    if (is_gcc_clone(line.name)) ++clones;
    if (!nm_is_text(line.type)) continue;
    if (strip_lto_suffix(line.name, Lto::kThin).size() != line.name.size()) {
      ++thin;
    } else if (ends_with_bare_number(line.name) && (!etext || line.value < *etext)) {
      ++bare;
    }
  }
  if (thin > 0) return {Lto::kThin, std::to_string(thin) + " .llvm.N text names in vmlinux"};
  if (bare > 0 && clones == 0) {
    return {Lto::kFull, std::to_string(bare) + " text names ending in a bare .N and no GCC clone in vmlinux"};
  }
  return {Lto::kNone, "no LTO suffix in vmlinux's names"};
}

LtoDecision decide_lto(Lto requested, const KernelFiles& files, std::span<const NmLine> vmlinux_lines) {
  if (requested != Lto::kDetect) return {requested, "--lto " + std::string(lto_spelling(requested))};
  if (auto found = read_kernel_config(files)) {
    const std::string& config = found->path;
    Lto lto = lto_from_config(found->text);
    std::string setting = lto == Lto::kFull   ? "CONFIG_LTO_CLANG_FULL=y"
                          : lto == Lto::kThin ? "CONFIG_LTO_CLANG_THIN=y"
                                              : "no CONFIG_LTO_CLANG";
    // A marked suffix (.llvm.N, .lto_priv.N) is an LTO link's whatever the
    // config calls it: GCC LTO (out of tree) has no CONFIG_LTO_CLANG.
    if (lto == Lto::kNone && !vmlinux_lines.empty()) {
      if (LtoDecision names = lto_from_names(vmlinux_lines); names.lto == Lto::kThin) {
        return {Lto::kThin, setting + " in " + config + ", but " + names.reason, config};
      }
    }
    return {lto, setting + " in " + config, config};
  }
  if (!vmlinux_lines.empty()) return lto_from_names(vmlinux_lines);
  return {Lto::kNone, "no kernel config and no vmlinux names"};
}

}  // namespace kas
