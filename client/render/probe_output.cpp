#include "client/render/probe_output.hpp"

#include "client/render/json_text.hpp"

namespace kas::cli {

namespace {

ProbeText text_of(const ProbeOutcome& o, ProbeFormat format, bool return_probe) {
  return format_probe(o.answer, o.event, return_probe, format, o.tracefs == "added" || o.tracefs == "already there");
}

}  // namespace

std::string probe_text(const std::vector<ProbeOutcome>& outcomes, ProbeFormat format, bool return_probe) {
  std::string out;
  for (const ProbeOutcome& o : outcomes) {
    if (!o.error.empty() || o.tracefs == "removed") continue;
    out += text_of(o, format, return_probe).text + "\n";
  }
  return out;
}

std::string probe_json(const std::vector<ProbeOutcome>& outcomes, bool return_probe) {
  JsonWriter json;
  json.begin_object().key("schema").string("kas-probe/1").key("results").begin_array();
  for (const ProbeOutcome& o : outcomes) {
    const ProbeAnswer& a = o.answer;
    const bool ok = o.error.empty();
    json.begin_object().key("query").string(a.query.text).key("error").string_or_null(o.error).key("symbol");
    if (a.symbol.name.empty()) json.null();
    else json_definition(json, a.symbol);
    json.key("how").string_or_null(a.how).key("location").string_or_null(a.location);
    json.key("anchor").string_or_null(a.anchor).key("anchor_offset");
    if (a.anchor.empty()) json.null();
    else json.number(a.anchor_offset);
    json.key("anchor_after").boolean(a.anchor_after);
    json.key("address").string_or_null(o.address);
    json.key("event").string_or_null(ok ? o.event : std::string());
    json.key("return").boolean(return_probe);
    json.key("kprobe_events").string_or_null(ok ? text_of(o, ProbeFormat::kKprobe, return_probe).text : std::string());
    const ProbeText bpftrace = text_of(o, ProbeFormat::kBpftrace, return_probe);
    json.key("bpftrace").string_or_null(ok && o.address.empty() ? bpftrace.text : std::string());
    json.key("perf").string_or_null(ok && o.address.empty() ? text_of(o, ProbeFormat::kPerf, return_probe).text
                                                            : std::string());
    json.key("needs_event").boolean(ok && bpftrace.needs_event);
    json.key("tracefs").string_or_null(o.tracefs);
    json.key("candidates").begin_array();
    for (const SymbolDefinition& d : a.candidates) json_definition(json, d);
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.finish();
}

}  // namespace kas::cli
