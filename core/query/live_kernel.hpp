// The running kernel as /proc/kallsyms shows it: turns its runtime
// addresses into what the build's files know. vmlinux is loaded at its link
// address plus a KASLR offset (runtime _text minus the ELF's _text); a
// module address is named by the nearest module symbol before it, which the
// index then finds in the module's file as SYMBOL+OFF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/query/answers.hpp"
#include "core/util/result.hpp"

namespace kas {

class LiveKernel {
 public:
  // Reads `kallsyms`. Error kInvalidArgument when every address reads 0
  // (kptr_restrict hides them from this user: the message says how to see
  // them), the file's error otherwise.
  [[nodiscard]] static Result<LiveKernel> read(const std::string& kallsyms = "/proc/kallsyms");

  // Runtime address of vmlinux's `name`.
  [[nodiscard]] std::optional<uint64_t> vmlinux_address(std::string_view name) const;

  // Runtime address of `name` in `module` ("" for vmlinux); nullopt when
  // that binary lists it never or more than once.
  [[nodiscard]] std::optional<uint64_t> unique_address(std::string_view module, std::string_view name) const;

  // True when some name in `kallsyms` holds `separator`: the kernel was
  // built with aliases. Reads names only, so kptr_restrict does not matter.
  [[nodiscard]] static Result<bool> lists_aliases(const std::string& kallsyms, char separator);

  // `runtime` as a query: a vmlinux link address (`kaslr_offset` taken
  // off) or MODULE:SYMBOL+OFF. Error text when no symbol precedes it.
  [[nodiscard]] Result<FrameQuery> translate(uint64_t runtime, int64_t kaslr_offset) const;

  [[nodiscard]] size_t size() const { return symbols_.size(); }

  // Answers from /proc/kallsyms alone, for a running kernel whose debug info
  // is nowhere: binaries, runtime addresses, nm types and the aliases the
  // kernel carries (when built with kas), but no sizes, files or lines.
  // `note` (why) goes into every definition.
  [[nodiscard]] LookupAnswer lookup(std::string_view pattern, size_t limit, const std::string& note) const;
  [[nodiscard]] ResolveAnswer resolve(const FrameQuery& query, const std::string& note) const;

 private:
  struct Symbol {
    uint64_t address;
    std::string name;
    std::string module;  // "" for vmlinux
    char type = '?';
  };
  // `symbols` described, with each name's count over the whole kernel
  // (one pass over it for all of them).
  [[nodiscard]] std::vector<SymbolDefinition> describe(const std::vector<const Symbol*>& symbols,
                                                       const std::string& note) const;
  std::vector<Symbol> symbols_;  // by address
};

// The build-ids of the running kernel and its loaded modules, read from
// sysfs (SYSFS/kernel/notes, SYSFS/module/M/notes/.note.gnu.build-id;
// readable by every user): the keys debuginfod serves debug info by.
struct RunningBuildIds {
  std::string vmlinux;
  std::vector<std::pair<std::string, std::string>> modules;  // (name, build-id), by name
};
// Error kNotFound when the kernel's own build-id cannot be read. Modules
// without a readable build-id are left out.
[[nodiscard]] Result<RunningBuildIds> running_build_ids(const std::string& sysfs = "/sys");

}  // namespace kas
