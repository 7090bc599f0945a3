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
  std::string out = "{\"schema\":\"kas-probe/1\",\"results\":[";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const ProbeOutcome& o = outcomes[i];
    const ProbeAnswer& a = o.answer;
    const bool ok = o.error.empty();
    if (i > 0) out += ',';
    out += "{\"query\":";
    json_string(out, a.query.text);
    out += ",\"error\":";
    json_string_or_null(out, o.error);
    out += ",\"symbol\":";
    if (a.symbol.name.empty()) out += "null";
    else json_definition(out, a.symbol);
    out += ",\"how\":";
    json_string_or_null(out, a.how);
    out += ",\"location\":";
    json_string_or_null(out, a.location);
    out += ",\"anchor\":";
    json_string_or_null(out, a.anchor);
    out += ",\"anchor_offset\":";
    out += a.anchor.empty() ? std::string("null") : std::to_string(a.anchor_offset);
    out += a.anchor_after ? ",\"anchor_after\":true" : ",\"anchor_after\":false";
    out += ",\"address\":";
    json_string_or_null(out, o.address);
    out += ",\"event\":";
    json_string_or_null(out, ok ? o.event : std::string());
    out += return_probe ? ",\"return\":true" : ",\"return\":false";
    out += ",\"kprobe_events\":";
    json_string_or_null(out, ok ? text_of(o, ProbeFormat::kKprobe, return_probe).text : std::string());
    const ProbeText bpftrace = text_of(o, ProbeFormat::kBpftrace, return_probe);
    out += ",\"bpftrace\":";
    json_string_or_null(out, ok && o.address.empty() ? bpftrace.text : std::string());
    out += ",\"perf\":";
    json_string_or_null(out, ok && o.address.empty() ? text_of(o, ProbeFormat::kPerf, return_probe).text
                                                     : std::string());
    out += ok && bpftrace.needs_event ? ",\"needs_event\":true" : ",\"needs_event\":false";
    out += ",\"tracefs\":";
    json_string_or_null(out, o.tracefs);
    out += ",\"candidates\":[";
    for (size_t c = 0; c < a.candidates.size(); ++c) {
      if (c > 0) out += ',';
      json_definition(out, a.candidates[c]);
    }
    out += "]}";
  }
  out += "]}\n";
  return out;
}

}  // namespace kas::cli
