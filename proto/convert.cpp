#include "proto/convert.hpp"

namespace kas::wire {

void to_wire(const kas::KernelFiles& in, wire::KernelFiles& out) {
  out.set_vmlinux(in.vmlinux);
  for (const std::string& s : in.modules_orders) out.add_modules_orders(s);
  for (const std::string& s : in.module_dirs) out.add_module_dirs(s);
  out.set_census_path(in.census_path);
}

Result<void> check_paths(std::initializer_list<const std::string*> paths) {
  for (const std::string* path : paths) {
    const size_t nul = path->find('\0');
    if (nul != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument,
                  "a path holds a NUL byte (after '" + path->substr(0, nul) + "'): no file has such a name");
    }
  }
  return {};
}

Result<void> check_paths(const kas::KernelFiles& files) {
  if (auto r = check_paths({&files.vmlinux, &files.census_path}); !r) return r;
  for (const std::string& p : files.modules_orders) {
    if (auto r = check_paths({&p}); !r) return r;
  }
  for (const std::string& p : files.module_dirs) {
    if (auto r = check_paths({&p}); !r) return r;
  }
  return {};
}

Result<kas::KernelFiles> from_wire(const wire::KernelFiles& in) {
  kas::KernelFiles out;
  out.vmlinux = in.vmlinux();
  out.modules_orders.assign(in.modules_orders().begin(), in.modules_orders().end());
  out.module_dirs.assign(in.module_dirs().begin(), in.module_dirs().end());
  out.census_path = in.census_path();
  if (auto r = check_paths(out); !r) return std::unexpected(r.error());
  return out;
}

wire::Lto to_wire(kas::Lto in) {
  switch (in) {
    case kas::Lto::kDetect: return wire::LTO_DETECT;
    case kas::Lto::kNone: return wire::LTO_NONE;
    case kas::Lto::kThin: return wire::LTO_THIN;
    case kas::Lto::kFull: return wire::LTO_FULL;
  }
  return wire::LTO_DETECT;
}

kas::Lto from_wire(wire::Lto in) {
  switch (in) {
    case wire::LTO_NONE: return kas::Lto::kNone;
    case wire::LTO_THIN: return kas::Lto::kThin;
    case wire::LTO_FULL: return kas::Lto::kFull;
    default: return kas::Lto::kDetect;  // LTO_DETECT, or a value from a newer client
  }
}

void to_wire(const kas::AliasOptions& in, wire::AliasOptions& out) {
  out.set_separator(std::string(1, in.separator));
  out.set_data(in.data);
  out.set_lto(to_wire(in.lto));
}

Result<kas::AliasOptions> from_wire(const wire::AliasOptions& in) {
  kas::AliasOptions out;
  if (in.separator().size() > 1) return fail(ErrorCode::kInvalidArgument, "separator must be one character");
  if (in.separator().size() == 1) {
    if (std::string why = separator_problem(in.separator()[0]); !why.empty()) {
      return fail(ErrorCode::kInvalidArgument, "invalid separator '" + in.separator() + "': " + why);
    }
  }
  if (!in.separator().empty()) out.separator = in.separator()[0];
  out.data = in.data();
  out.lto = from_wire(in.lto());
  return out;
}

void to_wire(const kas::VmlinuxRequest& in, wire::VmlinuxRequest& out) {
  to_wire(in.census, *out.mutable_census());
  out.set_elf_path(in.elf_path);
  out.set_srctree(in.srctree);
  to_wire(in.alias, *out.mutable_alias());
}

Result<kas::VmlinuxRequest> from_wire(const wire::VmlinuxRequest& in) {
  kas::VmlinuxRequest out;
  auto census = from_wire(in.census());
  if (!census) return std::unexpected(census.error());
  out.census = std::move(*census);
  out.elf_path = in.elf_path();
  out.srctree = in.srctree();
  if (auto r = check_paths({&out.elf_path, &out.srctree}); !r) return std::unexpected(r.error());
  auto alias = from_wire(in.alias());
  if (!alias) return std::unexpected(alias.error());
  out.alias = *alias;
  return out;
}

void to_wire(const kas::VmlinuxResult& in, wire::VmlinuxReply& out) {
  out.set_text(in.text);
  wire::VmlinuxStats* s = out.mutable_stats();
  s->set_input_lines(in.stats.input_lines);
  s->set_census_names(in.stats.census_names);
  s->set_modules(in.stats.modules);
  s->set_eligible(in.stats.counts.eligible);
  s->set_aliases(in.stats.counts.aliases);
  s->set_unlocated(in.stats.counts.unlocated);
  s->set_from_line_table(in.stats.counts.from_line_table);
  s->set_disambiguated(in.stats.counts.disambiguated);
  s->set_shortened(in.stats.counts.shortened);
  s->set_lto(in.stats.lto);
  for (const std::string& n : in.unlocated_names) out.add_unlocated_names(n);
  for (const std::string& n : in.too_long_names) out.add_too_long_names(n);
}

kas::VmlinuxResult from_wire(const wire::VmlinuxReply& in) {
  kas::VmlinuxResult out;
  out.text = in.text();
  const wire::VmlinuxStats& s = in.stats();
  out.stats.input_lines = s.input_lines();
  out.stats.census_names = s.census_names();
  out.stats.modules = s.modules();
  out.stats.counts.eligible = s.eligible();
  out.stats.counts.aliases = s.aliases();
  out.stats.counts.unlocated = s.unlocated();
  out.stats.counts.from_line_table = s.from_line_table();
  out.stats.counts.disambiguated = s.disambiguated();
  out.stats.counts.shortened = s.shortened();
  out.stats.lto = s.lto();
  out.unlocated_names.assign(in.unlocated_names().begin(), in.unlocated_names().end());
  out.too_long_names.assign(in.too_long_names().begin(), in.too_long_names().end());
  return out;
}

void to_wire(const kas::ModuleRequest& in, wire::ModuleRequest& out) {
  out.set_input(in.input);
  to_wire(in.census, *out.mutable_census());
  out.set_srctree(in.srctree);
  to_wire(in.alias, *out.mutable_alias());
}

Result<kas::ModuleRequest> from_wire(const wire::ModuleRequest& in) {
  kas::ModuleRequest out;
  out.input = in.input();
  auto census = from_wire(in.census());
  if (!census) return std::unexpected(census.error());
  out.census = std::move(*census);
  out.srctree = in.srctree();
  if (auto r = check_paths({&out.input, &out.srctree}); !r) return std::unexpected(r.error());
  auto alias = from_wire(in.alias());
  if (!alias) return std::unexpected(alias.error());
  out.alias = *alias;
  return out;
}

void to_wire(const kas::ModuleResult& in, wire::ModuleReply& out) {
  wire::FileStamp* stamp = out.mutable_input();
  stamp->set_dev(static_cast<uint64_t>(in.input.dev));
  stamp->set_ino(static_cast<uint64_t>(in.input.ino));
  stamp->set_size(static_cast<int64_t>(in.input.size));
  stamp->set_mtime_ns(in.input.mtime_ns);
  for (const kas::ModuleAlias& a : in.aliases) {
    wire::ModuleAlias* w = out.add_aliases();
    w->set_symbol(a.symbol);
    w->set_alias(a.alias);
    w->set_section(a.section);
    w->set_value(a.value);
    w->set_nm_type(std::string(1, a.nm_type));
    w->set_symbol_index(a.symbol_index);
    w->set_exists(a.exists);
  }
  for (const std::string& n : in.newly_duplicated) out.add_newly_duplicated(n);
  for (const std::string& n : in.unlocated) out.add_unlocated(n);
  for (const std::string& n : in.too_long) out.add_too_long(n);
  out.set_symbols(in.symbols);
  out.set_eligible(in.eligible);
  out.set_census_modules(in.census_modules);
  out.set_census_included_module(in.census_included_module);
}

kas::ModuleResult from_wire(const wire::ModuleReply& in) {
  kas::ModuleResult out;
  out.input = {.dev = static_cast<dev_t>(in.input().dev()),
               .ino = static_cast<ino_t>(in.input().ino()),
               .size = static_cast<off_t>(in.input().size()),
               .mtime_ns = in.input().mtime_ns(),
               .build_id = {}};
  for (const wire::ModuleAlias& w : in.aliases()) {
    out.aliases.push_back({.symbol = w.symbol(),
                           .alias = w.alias(),
                           .section = w.section(),
                           .value = w.value(),
                           .nm_type = w.nm_type().empty() ? '?' : w.nm_type()[0],
                           .symbol_index = w.symbol_index(),
                           .exists = w.exists()});
  }
  out.newly_duplicated.assign(in.newly_duplicated().begin(), in.newly_duplicated().end());
  out.unlocated.assign(in.unlocated().begin(), in.unlocated().end());
  out.too_long.assign(in.too_long().begin(), in.too_long().end());
  out.symbols = in.symbols();
  out.eligible = in.eligible();
  out.census_modules = in.census_modules();
  out.census_included_module = in.census_included_module();
  return out;
}

void to_wire(const kas::CensusRequest& in, wire::CensusRequest& out) {
  to_wire(in.sources, *out.mutable_sources());
  out.set_lto(to_wire(in.lto));
  out.set_units(in.units);
}

Result<kas::CensusRequest> from_wire(const wire::CensusRequest& in) {
  kas::CensusRequest out;
  auto sources = from_wire(in.sources());
  if (!sources) return std::unexpected(sources.error());
  out.sources = std::move(*sources);
  out.lto = from_wire(in.lto());
  out.units = in.units();
  return out;
}

void to_wire(const kas::CensusResult& in, wire::CensusReply& out) {
  out.set_symbfreq(in.symbfreq);
  out.set_modules(in.modules);
}

kas::CensusResult from_wire(const wire::CensusReply& in) { return {in.symbfreq(), in.modules()}; }

void to_wire(const kas::Error& in, wire::Error& out) {
  out.set_code(static_cast<uint32_t>(in.code));
  out.set_message(in.message);
}

kas::Error from_wire(const wire::Error& in) {
  uint32_t code = in.code();
  if (code < static_cast<uint32_t>(ErrorCode::kInvalidArgument) ||
      code > static_cast<uint32_t>(ErrorCode::kExhausted)) {
    code = static_cast<uint32_t>(ErrorCode::kInternal);
  }
  return kas::Error{static_cast<ErrorCode>(code), in.message()};
}

}  // namespace kas::wire
