#include "client/query_ask.hpp"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>

#include "client/command.hpp"
#include "client/progress_display.hpp"
#include "client/remote.hpp"
#include "core/index/kernel_config.hpp"
#include "core/query/live_kernel.hpp"
#include "core/query/symbol_index.hpp"

namespace kas::cli {

namespace {

// The in-process index, built once per command and reused by its
// questions; a bar on a terminal while modules are read. Answers read from
// a file that changed meanwhile fail the command (SymbolIndex::unchanged).
class LocalIndex {
 public:
  explicit LocalIndex(const QueryOptions& options) : options_(options) {}
  Result<std::shared_ptr<const SymbolIndex>> get(const QueryTarget& target) {
    if (index_) return index_;
    const bool tty = ::isatty(2) == 1;
    std::mutex mutex;
    ProgressLine line;
    auto progress = [&](std::string_view stage, size_t done, size_t total) {
      if (!tty) return;
      std::lock_guard lock(mutex);
      line.show(progress_bar(stage, done, total));
    };
    auto built = SymbolIndex::build(target, options_.jobs, progress);
    if (!built) return std::unexpected(built.error());
    index_ = *built;
    return index_;
  }

 private:
  const QueryOptions& options_;
  std::shared_ptr<const SymbolIndex> index_;
};

Result<std::vector<LookupAnswer>> ask_lookup(const QueryOptions& o, LocalIndex& local, const QueryTarget& target,
                                             const std::vector<std::string>& patterns, size_t limit) {
  return routed(
      o.routing,
      [&] {
        WaitIndicator wait([&] { return remote_progress(o.routing.daemon, target); });
        return remote_lookup(o.routing.daemon, target, patterns, limit);
      },
      [&]() -> Result<std::vector<LookupAnswer>> {
        auto index = local.get(target);
        if (!index) return std::unexpected(index.error());
        std::vector<LookupAnswer> answers;
        for (const std::string& p : patterns) answers.push_back((*index)->lookup(p, limit));
        if (auto same = (*index)->unchanged(); !same) return std::unexpected(same.error());
        return answers;
      });
}

Result<std::vector<ResolveAnswer>> ask_resolve(const QueryOptions& o, LocalIndex& local, const QueryTarget& target,
                                               const std::vector<FrameQuery>& queries) {
  return routed(
      o.routing,
      [&] {
        WaitIndicator wait([&] { return remote_progress(o.routing.daemon, target); });
        return remote_resolve(o.routing.daemon, target, queries);
      },
      [&]() -> Result<std::vector<ResolveAnswer>> {
        auto index = local.get(target);
        if (!index) return std::unexpected(index.error());
        std::vector<ResolveAnswer> answers = (*index)->resolve(queries);
        if (auto same = (*index)->unchanged(); !same) return std::unexpected(same.error());
        return answers;
      });
}

// --live: runtime addresses become link addresses or MODULE:SYMBOL+OFF.
Result<void> translate_live(const QueryOptions& o, LocalIndex& local, const QueryTarget& target,
                            std::vector<FrameQuery>& queries) {
  bool any = false;
  for (const FrameQuery& q : queries) any = any || q.by_address;
  if (!any) return {};
  auto live = LiveKernel::read();
  if (!live) return std::unexpected(live.error());
  auto runtime_text = live->vmlinux_address("_text");
  if (!runtime_text) return fail(ErrorCode::kBadInput, "/proc/kallsyms: no _text symbol");
  auto link = ask_lookup(o, local, target, {"_text"}, 1);
  if (!link) return std::unexpected(link.error());
  if (link->empty() || link->front().definitions.empty() || link->front().definitions.front().binary != "vmlinux") {
    return fail(ErrorCode::kBadInput, target.kernel.vmlinux + ": no _text symbol");
  }
  auto offset = static_cast<int64_t>(*runtime_text - link->front().definitions.front().address);
  for (FrameQuery& q : queries) {
    if (!q.by_address) continue;
    std::string text = q.text;
    auto translated = live->translate(q.address, offset);
    if (!translated) return std::unexpected(translated.error());
    q = *translated;
    q.text = text;
  }
  return {};
}

// --live when the running kernel's debug info is nowhere: /proc/kallsyms
// alone still names every symbol, its binary and runtime address (and the
// alias, in a kernel built with kas). Says so on stderr; nullopt (after
// reporting why) when even that cannot be read.
std::optional<LiveKernel> kallsyms_only(const QueryOptions& o, const Error& missing, std::string& note) {
  if (!o.live || missing.code != ErrorCode::kNotFound) return std::nullopt;
  auto live = LiveKernel::read();
  if (!live) {
    (void)report(live.error());
    return std::nullopt;
  }
  std::fprintf(stderr, "kas: %s\nkas: answering from /proc/kallsyms alone: no sizes, files, lines or inline calls\n",
               missing.message.c_str());
  note = "no debug info for the running kernel; from /proc/kallsyms";
  return std::move(*live);
}

// The answers from the options' kernel's index (`from_index`), or from
// /proc/kallsyms (`from_kallsyms`) when that is all --live has.
template <typename Answer, typename FromKallsyms, typename FromIndex>
Result<std::vector<Answer>> answered(const QueryOptions& o, FromKallsyms from_kallsyms, FromIndex from_index) {
  auto target = target_of(o);
  if (!target) {
    std::string note;
    auto live = kallsyms_only(o, target.error(), note);
    if (!live) return std::unexpected(target.error());
    return from_kallsyms(*live, note);
  }
  LocalIndex local(o);
  return from_index(local, *target);
}

}  // namespace

Result<std::vector<LookupAnswer>> lookup_all(const QueryOptions& o, const std::vector<std::string>& patterns,
                                             size_t limit) {
  return answered<LookupAnswer>(
      o,
      [&](const LiveKernel& live, const std::string& note) {
        std::vector<LookupAnswer> answers;
        for (const std::string& p : patterns) answers.push_back(live.lookup(p, limit, note));
        return answers;
      },
      [&](LocalIndex& local, const QueryTarget& target) { return ask_lookup(o, local, target, patterns, limit); });
}

Result<std::vector<ResolveAnswer>> resolve_all(const QueryOptions& o, std::vector<FrameQuery> queries) {
  return answered<ResolveAnswer>(
      o,
      [&](const LiveKernel& live, const std::string& note) {
        std::vector<ResolveAnswer> answers;
        for (const FrameQuery& q : queries) answers.push_back(live.resolve(q, note));
        return answers;
      },
      [&](LocalIndex& local, const QueryTarget& target) -> Result<std::vector<ResolveAnswer>> {
        if (o.live) {
          if (auto r = translate_live(o, local, target, queries); !r) return std::unexpected(r.error());
        }
        return ask_resolve(o, local, target, queries);
      });
}

Result<std::vector<ProbeAnswer>> probe_all(const QueryOptions& o, const std::vector<FrameQuery>& queries,
                                           std::optional<bool> kernel_has_aliases) {
  auto target = target_of(o);
  if (!target) return std::unexpected(target.error());
  bool has_aliases = false;
  if (kernel_has_aliases) {
    has_aliases = *kernel_has_aliases;
  } else {
    const auto config = read_kernel_config(target->kernel);
    has_aliases = config && config_enables(config->text, "CONFIG_KALLSYMS_ALIAS_SRCLINE");
  }
  return routed(
      o.routing,
      [&] {
        WaitIndicator wait([&] { return remote_progress(o.routing.daemon, *target); });
        return remote_probe(o.routing.daemon, *target, queries, has_aliases);
      },
      [&]() -> Result<std::vector<ProbeAnswer>> {
        LocalIndex local(o);
        auto index = local.get(*target);
        if (!index) return std::unexpected(index.error());
        std::vector<ProbeAnswer> answers = (*index)->probe(queries, has_aliases);
        if (auto same = (*index)->unchanged(); !same) return std::unexpected(same.error());
        return answers;
      });
}

}  // namespace kas::cli
