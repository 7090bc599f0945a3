#include "proto/convert_query.hpp"

#include "proto/convert.hpp"

namespace kas::wire {

namespace {

void to_wire(const kas::SymbolDefinition& in, wire::SymbolDefinition& out) {
  out.set_binary(in.binary);
  out.set_path(in.path);
  out.set_name(in.name);
  out.set_nm_type(std::string(1, in.nm_type));
  out.set_section(in.section);
  out.set_address(in.address);
  out.set_relocatable(in.relocatable);
  out.set_size(in.size);
  out.set_count(in.count);
  out.set_alias(in.alias);
  out.set_file(in.file);
  out.set_line(in.line);
  out.set_unit(in.unit);
  out.set_sympos(in.sympos);
  out.set_note(in.note);
}

kas::SymbolDefinition from_wire(const wire::SymbolDefinition& in) {
  kas::SymbolDefinition out;
  out.binary = in.binary();
  out.path = in.path();
  out.name = in.name();
  out.nm_type = in.nm_type().empty() ? '?' : in.nm_type()[0];
  out.section = in.section();
  out.address = in.address();
  out.relocatable = in.relocatable();
  out.size = in.size();
  out.count = in.count();
  out.alias = in.alias();
  out.file = in.file();
  out.line = in.line();
  out.unit = in.unit();
  out.sympos = in.sympos();
  out.note = in.note();
  return out;
}

}  // namespace

void to_wire(const kas::QueryTarget& in, wire::QueryTarget& out) {
  to_wire(in.kernel, *out.mutable_kernel());
  out.set_srctree(in.srctree);
  to_wire(in.alias, *out.mutable_alias());
}

Result<kas::QueryTarget> from_wire(const wire::QueryTarget& in) {
  kas::QueryTarget out;
  auto kernel = from_wire(in.kernel());
  if (!kernel) return std::unexpected(kernel.error());
  out.kernel = std::move(*kernel);
  out.srctree = in.srctree();
  if (auto r = check_paths({&out.srctree}); !r) return std::unexpected(r.error());
  auto alias = from_wire(in.alias());
  if (!alias) return std::unexpected(alias.error());
  out.alias = *alias;
  if (out.kernel.vmlinux.empty()) return fail(ErrorCode::kInvalidArgument, "query without a vmlinux");
  return out;
}

void to_wire(const kas::LookupAnswer& in, wire::LookupMatches& out) {
  for (const kas::SymbolDefinition& d : in.definitions) to_wire(d, *out.add_definitions());
  out.set_total(in.total);
}

kas::LookupAnswer from_wire(const wire::LookupMatches& in) {
  kas::LookupAnswer out;
  for (const wire::SymbolDefinition& d : in.definitions()) out.definitions.push_back(from_wire(d));
  out.total = in.total();
  return out;
}

void to_wire(const kas::FrameQuery& in, wire::FrameQuery& out) {
  out.set_text(in.text);
  out.set_by_address(in.by_address);
  out.set_address(in.address);
  out.set_symbol(in.symbol);
  out.set_offset(in.offset);
  out.set_has_size(in.has_size);
  out.set_size(in.size);
  out.set_module(in.module);
  out.set_module_given(in.module_given);
  out.set_return_address(in.return_address);
  out.set_source(in.source);
  out.set_has_source_line(in.has_source_line);
  out.set_source_line(in.source_line);
  out.set_has_sympos(in.has_sympos);
  out.set_sympos(in.sympos);
  out.set_build_id(in.build_id);
}

kas::FrameQuery from_wire(const wire::FrameQuery& in) {
  kas::FrameQuery out;
  out.text = in.text();
  out.by_address = in.by_address();
  out.address = in.address();
  out.symbol = in.symbol();
  out.offset = in.offset();
  out.has_size = in.has_size();
  out.size = in.size();
  out.module = in.module();
  out.module_given = in.module_given();
  out.return_address = in.return_address();
  out.source = in.source();
  out.has_source_line = in.has_source_line();
  out.source_line = in.source_line();
  out.has_sympos = in.has_sympos();
  out.sympos = in.sympos();
  out.build_id = in.build_id();
  return out;
}

void to_wire(const kas::ResolveAnswer& in, wire::ResolveAnswer& out) {
  to_wire(in.query, *out.mutable_query());
  for (const kas::Resolution& r : in.candidates) {
    wire::Resolution* w = out.add_candidates();
    to_wire(r.symbol, *w->mutable_symbol());
    w->set_offset(r.offset);
    for (const kas::SourceFrameInfo& f : r.frames) {
      wire::SourceFrame* wf = w->add_frames();
      wf->set_function(f.function);
      wf->set_file(f.file);
      wf->set_line(f.line);
    }
  }
  out.set_error(in.error);
}

kas::ResolveAnswer from_wire(const wire::ResolveAnswer& in) {
  kas::ResolveAnswer out;
  out.query = from_wire(in.query());
  for (const wire::Resolution& w : in.candidates()) {
    kas::Resolution r;
    r.symbol = from_wire(w.symbol());
    r.offset = w.offset();
    for (const wire::SourceFrame& f : w.frames()) r.frames.push_back({f.function(), f.file(), f.line()});
    out.candidates.push_back(std::move(r));
  }
  out.error = in.error();
  return out;
}

void to_wire(const kas::ProbeAnswer& in, wire::ProbeAnswer& out) {
  to_wire(in.query, *out.mutable_query());
  to_wire(in.symbol, *out.mutable_symbol());
  out.set_location(in.location);
  out.set_how(in.how);
  out.set_anchor(in.anchor);
  out.set_anchor_offset(in.anchor_offset);
  out.set_anchor_after(in.anchor_after);
  for (const kas::SymbolDefinition& c : in.candidates) to_wire(c, *out.add_candidates());
  out.set_error(in.error);
}

kas::ProbeAnswer from_wire(const wire::ProbeAnswer& in) {
  kas::ProbeAnswer out;
  out.query = from_wire(in.query());
  out.symbol = from_wire(in.symbol());
  out.location = in.location();
  out.how = in.how();
  out.anchor = in.anchor();
  out.anchor_offset = in.anchor_offset();
  out.anchor_after = in.anchor_after();
  for (const wire::SymbolDefinition& c : in.candidates()) out.candidates.push_back(from_wire(c));
  out.error = in.error();
  return out;
}

namespace {

template <typename Repeated>
std::vector<kas::FrameQuery> queries_of(const Repeated& in) {
  std::vector<kas::FrameQuery> queries;
  queries.reserve(static_cast<size_t>(in.size()));
  for (const wire::FrameQuery& q : in) queries.push_back(from_wire(q));
  return queries;
}

}  // namespace

void to_wire(const kas::LookupRequest& in, wire::LookupRequest& out) {
  to_wire(in.target, *out.mutable_target());
  for (const std::string& p : in.patterns) out.add_patterns(p);
  out.set_limit(in.limit);
}

Result<kas::LookupRequest> from_wire(const wire::LookupRequest& in) {
  auto target = from_wire(in.target());
  if (!target) return std::unexpected(target.error());
  return kas::LookupRequest{std::move(*target), {in.patterns().begin(), in.patterns().end()}, in.limit()};
}

void to_wire(const std::vector<kas::LookupAnswer>& in, wire::LookupReply& out) {
  for (const kas::LookupAnswer& a : in) to_wire(a, *out.add_matches());
}

std::vector<kas::LookupAnswer> from_wire(const wire::LookupReply& in) {
  std::vector<kas::LookupAnswer> out;
  for (const wire::LookupMatches& m : in.matches()) out.push_back(from_wire(m));
  return out;
}

void to_wire(const kas::ResolveRequest& in, wire::ResolveRequest& out) {
  to_wire(in.target, *out.mutable_target());
  for (const kas::FrameQuery& q : in.queries) to_wire(q, *out.add_queries());
}

Result<kas::ResolveRequest> from_wire(const wire::ResolveRequest& in) {
  auto target = from_wire(in.target());
  if (!target) return std::unexpected(target.error());
  return kas::ResolveRequest{std::move(*target), queries_of(in.queries())};
}

void to_wire(const std::vector<kas::ResolveAnswer>& in, wire::ResolveReply& out) {
  for (const kas::ResolveAnswer& a : in) to_wire(a, *out.add_answers());
}

std::vector<kas::ResolveAnswer> from_wire(const wire::ResolveReply& in) {
  std::vector<kas::ResolveAnswer> out;
  for (const wire::ResolveAnswer& a : in.answers()) out.push_back(from_wire(a));
  return out;
}

void to_wire(const kas::ProbeRequest& in, wire::ProbeRequest& out) {
  to_wire(in.target, *out.mutable_target());
  for (const kas::FrameQuery& q : in.queries) to_wire(q, *out.add_queries());
  out.set_kernel_has_aliases(in.kernel_has_aliases);
}

Result<kas::ProbeRequest> from_wire(const wire::ProbeRequest& in) {
  auto target = from_wire(in.target());
  if (!target) return std::unexpected(target.error());
  return kas::ProbeRequest{std::move(*target), queries_of(in.queries()), in.kernel_has_aliases()};
}

void to_wire(const std::vector<kas::ProbeAnswer>& in, wire::ProbeReply& out) {
  for (const kas::ProbeAnswer& a : in) to_wire(a, *out.add_answers());
}

std::vector<kas::ProbeAnswer> from_wire(const wire::ProbeReply& in) {
  std::vector<kas::ProbeAnswer> out;
  for (const wire::ProbeAnswer& a : in.answers()) out.push_back(from_wire(a));
  return out;
}

}  // namespace kas::wire
