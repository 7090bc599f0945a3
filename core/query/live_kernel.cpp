#include "core/query/live_kernel.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <filesystem>

#include "core/elf/build_id.hpp"
#include "core/index/nm_listing.hpp"
#include "core/util/file.hpp"

namespace kas {

std::string running_release() {
  struct utsname u {};
  return ::uname(&u) == 0 ? u.release : "";
}

Result<LiveKernel> LiveKernel::read(const std::string& kallsyms) {
  auto data = read_file(kallsyms);
  if (!data) return std::unexpected(data.error());
  auto lines = parse_nm_listing(*data, kallsyms);
  if (!lines) return std::unexpected(lines.error());
  LiveKernel live;
  bool any_address = false;
  live.symbols_.reserve(lines->size());
  for (const NmLine& line : *lines) {
    if (line.address.empty()) continue;
    any_address = any_address || line.value != 0;
    live.symbols_.push_back({line.value, std::string(line.name), std::string(line.module)});
  }
  if (!any_address) {
    auto restrict = read_file("/proc/sys/kernel/kptr_restrict");
    std::string level = restrict ? std::string(restrict->substr(0, restrict->find('\n'))) : "?";
    return fail(ErrorCode::kInvalidArgument,
                kallsyms + ": every address reads 0: the kernel hides them from this user (kernel.kptr_restrict=" +
                    level + "); run as root, or 'sysctl kernel.kptr_restrict=0' (1 hides them from users without "
                            "CAP_SYSLOG, 2 from everyone). Frames written as SYMBOL+OFF resolve without them.");
  }
  std::stable_sort(live.symbols_.begin(), live.symbols_.end(),
                   [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
  return live;
}

std::optional<uint64_t> LiveKernel::vmlinux_address(std::string_view name) const {
  for (const Symbol& s : symbols_) {
    if (s.module.empty() && s.name == name) return s.address;
  }
  return std::nullopt;
}

Result<FrameQuery> LiveKernel::translate(uint64_t runtime, int64_t kaslr_offset) const {
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(runtime));
  FrameQuery q;
  q.text = text;
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), runtime,
                             [](uint64_t a, const Symbol& s) { return a < s.address; });
  if (it == symbols_.begin()) {
    return fail(ErrorCode::kNotFound, std::string(text) + ": below every symbol of the running kernel");
  }
  const Symbol& before = *--it;
  if (before.module.empty()) {
    q.by_address = true;
    q.address = runtime - static_cast<uint64_t>(kaslr_offset);
    return q;
  }
  q.symbol = before.name;
  q.offset = runtime - before.address;
  q.module = before.module;
  q.module_given = true;
  return q;
}

Result<RunningBuildIds> running_build_ids(const std::string& sysfs) {
  auto id_in = [](const std::string& path) -> std::string {
    auto data = read_file(path);
    if (!data) return {};
    return build_id_from_notes(
        std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(data->data()), data->size()));
  };
  RunningBuildIds ids;
  const std::string kernel_notes = sysfs + "/kernel/notes";
  ids.vmlinux = id_in(kernel_notes);
  if (ids.vmlinux.empty()) {
    return fail(ErrorCode::kNotFound, kernel_notes + ": no build-id of the running kernel there");
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(sysfs + "/module", ec)) {
    std::string id = id_in(entry.path().string() + "/notes/.note.gnu.build-id");
    if (!id.empty()) ids.modules.emplace_back(entry.path().filename().string(), std::move(id));
  }
  std::sort(ids.modules.begin(), ids.modules.end());
  return ids;
}

}  // namespace kas
