#include "client/cli/query_ask.hpp"

#include <cstdio>
#include <optional>

#include "client/cli/command.hpp"
#include "client/link/routing.hpp"
#include "service/vocabulary.hpp"

namespace kas::cli {

namespace {

Result<std::vector<LookupAnswer>> ask_lookup(Services& services, const QueryTarget& target,
                                             const std::vector<std::string>& patterns, size_t limit) {
  return services.ask<service::LookupOperation>({.target = target, .patterns = patterns, .limit = limit});
}

// --live: runtime addresses become link addresses or MODULE:SYMBOL+OFF.
Result<void> translate_live(Services& services, const QueryTarget& target, std::vector<FrameQuery>& queries) {
  bool any = false;
  for (const FrameQuery& q : queries) any = any || q.by_address;
  if (!any) return {};
  auto live = LiveKernel::read();
  if (!live) return std::unexpected(live.error());
  auto runtime_text = live->vmlinux_address("_text");
  if (!runtime_text) return fail(ErrorCode::kBadInput, "/proc/kallsyms: no _text symbol");
  auto link = ask_lookup(services, target, {"_text"}, 1);
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
  Services services(o.routing, o.jobs);
  return from_index(services, *target);
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
      [&](Services& services, const QueryTarget& target) { return ask_lookup(services, target, patterns, limit); });
}

Result<std::vector<ResolveAnswer>> resolve_all(const QueryOptions& o, std::vector<FrameQuery> queries) {
  return answered<ResolveAnswer>(
      o,
      [&](const LiveKernel& live, const std::string& note) {
        std::vector<ResolveAnswer> answers;
        for (const FrameQuery& q : queries) answers.push_back(live.resolve(q, note));
        return answers;
      },
      [&](Services& services, const QueryTarget& target) -> Result<std::vector<ResolveAnswer>> {
        if (o.live) {
          if (auto r = translate_live(services, target, queries); !r) return std::unexpected(r.error());
        }
        return services.ask<service::ResolveOperation>({.target = target, .queries = queries});
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
  Services services(o.routing, o.jobs);
  return services.ask<service::ProbeOperation>(
      {.target = *target, .queries = queries, .kernel_has_aliases = has_aliases});
}

}  // namespace kas::cli
