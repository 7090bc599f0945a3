#include "core/query/live_kernel.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "core/elf/build_id.hpp"
#include "core/elf/nm_listing.hpp"
#include "core/util/file.hpp"
#include "core/util/text.hpp"

namespace kas {

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
    live.symbols_.push_back({line.value, std::string(line.name), std::string(line.module), line.type});
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

std::optional<uint64_t> LiveKernel::unique_address(std::string_view module, std::string_view name) const {
  std::optional<uint64_t> found;
  for (const Symbol& s : symbols_) {
    if (s.module != module || s.name != name) continue;
    if (found) return std::nullopt;
    found = s.address;
  }
  return found;
}

Result<bool> LiveKernel::lists_aliases(const std::string& kallsyms, char separator) {
  auto data = read_file(kallsyms);
  if (!data) return std::unexpected(data.error());
  auto lines = parse_nm_listing(*data, kallsyms);
  if (!lines) return std::unexpected(lines.error());
  return std::any_of(lines->begin(), lines->end(),
                     [&](const NmLine& line) { return line.name.find(separator) != std::string_view::npos; });
}

Result<FrameQuery> LiveKernel::translate(uint64_t runtime, int64_t kaslr_offset) const {
  FrameQuery q;
  q.text = text::hex(runtime);
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), runtime,
                             [](uint64_t a, const Symbol& s) { return a < s.address; });
  if (it == symbols_.begin()) {
    return fail(ErrorCode::kNotFound, q.text + ": below every symbol of the running kernel");
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

std::vector<SymbolDefinition> LiveKernel::describe(const std::vector<const Symbol*>& symbols,
                                                   const std::string& note) const {
  std::unordered_map<std::string_view, uint32_t> counts;
  for (const Symbol* s : symbols) counts.emplace(s->name, 0);
  for (const Symbol& s : symbols_) {
    auto it = counts.find(s.name);
    if (it != counts.end()) ++it->second;
  }
  std::vector<SymbolDefinition> out;
  out.reserve(symbols.size());
  for (const Symbol* s : symbols) {
    SymbolDefinition& d = out.emplace_back();
    d.binary = s->module.empty() ? "vmlinux" : s->module;
    d.path = "/proc/kallsyms";
    d.name = s->name;
    d.nm_type = s->type;
    d.address = s->address;
    d.note = note;
    d.count = counts[s->name];
    // A kernel built with kas lists the alias at the same address.
    auto it = std::lower_bound(symbols_.begin(), symbols_.end(), s->address,
                               [](const Symbol& x, uint64_t a) { return x.address < a; });
    for (; it != symbols_.end() && it->address == s->address; ++it) {
      if (it->module == s->module && it->name.size() > s->name.size() + 1 && it->name.starts_with(s->name) &&
          it->name[s->name.size()] == '@') {
        d.alias = it->name;
      }
    }
  }
  return out;
}

LookupAnswer LiveKernel::lookup(std::string_view pattern, size_t limit, const std::string& note) const {
  LookupAnswer answer;
  const std::string pat(pattern);
  const bool glob = pattern.find_first_of("*?[") != std::string_view::npos;
  std::vector<const Symbol*> found;
  for (const Symbol& s : symbols_) {
    if (glob ? fnmatch(pat.c_str(), s.name.c_str(), 0) == 0 : s.name == pattern) found.push_back(&s);
  }
  std::stable_sort(found.begin(), found.end(), [](const Symbol* a, const Symbol* b) {
    if (a->module.empty() != b->module.empty()) return a->module.empty();
    return a->module < b->module;
  });
  answer.total = found.size();
  if (limit != 0 && found.size() > limit) found.resize(limit);
  answer.definitions = describe(found, note);
  return answer;
}

ResolveAnswer LiveKernel::resolve(const FrameQuery& q, const std::string& note) const {
  ResolveAnswer answer;
  answer.query = q;
  std::vector<const Symbol*> found;
  if (q.by_address) {
    auto it = std::upper_bound(symbols_.begin(), symbols_.end(), q.address,
                               [](uint64_t a, const Symbol& s) { return a < s.address; });
    if (it == symbols_.begin()) {
      answer.error = "below every symbol of the running kernel";
      return answer;
    }
    found.push_back(&*--it);
  } else {
    std::string module = q.module;
    std::replace(module.begin(), module.end(), '-', '_');  // as the kernel names modules
    for (const Symbol& s : symbols_) {
      if (s.name != q.symbol) continue;
      if (q.module_given && (module == "vmlinux" ? !s.module.empty() : s.module != module)) continue;
      found.push_back(&s);
    }
  }
  std::vector<SymbolDefinition> defs = describe(found, note);
  for (size_t k = 0; k < found.size(); ++k) {
    const uint64_t offset = q.by_address ? q.address - found[k]->address : q.offset;
    answer.candidates.push_back({std::move(defs[k]), offset, {}});
  }
  if (answer.candidates.empty()) answer.error = "no symbol named '" + q.symbol + "' in /proc/kallsyms";
  return answer;
}

}  // namespace kas
