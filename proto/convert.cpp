#include "proto/convert.hpp"

namespace kas::wire {

void to_wire(const kas::KernelFiles& in, wire::CensusSources& out) {
  out.set_nm_path(in.vmlinux);
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

kas::KernelFiles from_wire(const wire::CensusSources& in) {
  kas::KernelFiles out;
  out.vmlinux = in.nm_path();
  out.modules_orders.assign(in.modules_orders().begin(), in.modules_orders().end());
  out.module_dirs.assign(in.module_dirs().begin(), in.module_dirs().end());
  out.census_path = in.census_path();
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

Result<kas::VmlinuxRequest> from_wire(const wire::VmlinuxRequest& in, unsigned jobs) {
  kas::VmlinuxRequest out;
  out.census = from_wire(in.census());
  out.elf_path = in.elf_path();
  out.srctree = in.srctree();
  if (auto r = check_paths(out.census); !r) return std::unexpected(r.error());
  if (auto r = check_paths({&out.elf_path, &out.srctree}); !r) return std::unexpected(r.error());
  auto alias = from_wire(in.alias());
  if (!alias) return std::unexpected(alias.error());
  out.alias = *alias;
  out.jobs = jobs;
  return out;
}

void to_wire(const kas::VmlinuxResult& in, wire::VmlinuxReply& out) {
  out.set_text(in.text);
  wire::VmlinuxStats* s = out.mutable_stats();
  s->set_input_lines(in.stats.input_lines);
  s->set_census_names(in.stats.census_names);
  s->set_modules(in.stats.modules);
  s->set_eligible(in.stats.eligible);
  s->set_aliases(in.stats.aliases);
  s->set_unlocated(in.stats.unlocated);
  s->set_from_line_table(in.stats.from_line_table);
  s->set_disambiguated(in.stats.disambiguated);
  s->set_shortened(in.stats.shortened);
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
  out.stats.eligible = s.eligible();
  out.stats.aliases = s.aliases();
  out.stats.unlocated = s.unlocated();
  out.stats.from_line_table = s.from_line_table();
  out.stats.disambiguated = s.disambiguated();
  out.stats.shortened = s.shortened();
  out.stats.lto = s.lto();
  out.unlocated_names.assign(in.unlocated_names().begin(), in.unlocated_names().end());
  out.too_long_names.assign(in.too_long_names().begin(), in.too_long_names().end());
  return out;
}

void to_wire(const kas::ModuleRequest& in, wire::ModuleRequest& out) {
  out.set_input(in.input);
  out.set_output(in.output);
  out.set_in_place(in.in_place);
  to_wire(in.census, *out.mutable_census());
  out.mutable_census()->set_kernel(in.kernel);
  out.mutable_census()->set_system_map(in.system_map);
  out.set_srctree(in.srctree);
  to_wire(in.alias, *out.mutable_alias());
  out.set_umask(in.umask.value_or(current_umask()));
}

Result<kas::ModuleRequest> from_wire(const wire::ModuleRequest& in, unsigned jobs) {
  kas::ModuleRequest out;
  out.input = in.input();
  out.output = in.output();
  out.in_place = in.in_place();
  out.census = from_wire(in.census());
  out.kernel = in.census().kernel();
  out.system_map = in.census().system_map();
  out.srctree = in.srctree();
  if (auto r = check_paths(out.census); !r) return std::unexpected(r.error());
  if (auto r = check_paths({&out.input, &out.output, &out.kernel, &out.system_map, &out.srctree}); !r) {
    return std::unexpected(r.error());
  }
  auto alias = from_wire(in.alias());
  if (!alias) return std::unexpected(alias.error());
  out.alias = *alias;
  out.jobs = jobs;
  // kasd's own umask would be a guess at the user's: no output without it.
  if (!in.has_umask() || in.umask() > 0777) {
    return fail(ErrorCode::kInvalidArgument, "module request without a umask (0 to 0777) for " + out.input);
  }
  out.umask = static_cast<mode_t>(in.umask());
  return out;
}

void to_wire(const kas::ModuleResult& in, wire::ModuleReply& out) {
  out.set_output_path(in.output_path);
  for (const kas::ModuleAlias& a : in.aliases) {
    wire::ModuleAlias* w = out.add_aliases();
    w->set_symbol(a.symbol);
    w->set_alias(a.alias);
    w->set_section(a.section);
    w->set_value(a.value);
    w->set_nm_type(std::string(1, a.nm_type));
  }
  for (const std::string& n : in.newly_duplicated) out.add_newly_duplicated(n);
  for (const std::string& n : in.unlocated) out.add_unlocated(n);
  for (const std::string& n : in.too_long) out.add_too_long(n);
  out.set_symbols(in.symbols);
  out.set_eligible(in.eligible);
  out.set_census_modules(in.census_modules);
  out.set_census_included_module(in.census_included_module);
  out.set_rewritten(in.rewritten);
}

kas::ModuleResult from_wire(const wire::ModuleReply& in) {
  kas::ModuleResult out;
  out.output_path = in.output_path();
  for (const wire::ModuleAlias& w : in.aliases()) {
    out.aliases.push_back(
        {w.symbol(), w.alias(), w.section(), w.value(), w.nm_type().empty() ? '?' : w.nm_type()[0]});
  }
  out.newly_duplicated.assign(in.newly_duplicated().begin(), in.newly_duplicated().end());
  out.unlocated.assign(in.unlocated().begin(), in.unlocated().end());
  out.too_long.assign(in.too_long().begin(), in.too_long().end());
  out.symbols = in.symbols();
  out.eligible = in.eligible();
  out.census_modules = in.census_modules();
  out.census_included_module = in.census_included_module();
  out.rewritten = in.rewritten();
  return out;
}

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
