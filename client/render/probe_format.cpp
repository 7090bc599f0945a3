#include "client/render/probe_format.hpp"

#include <cstdio>

#include "client/tracefs/tracefs_names.hpp"

namespace kas::cli {

namespace {

uint32_t fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

LocationParts split_location(const std::string& location) {
  LocationParts parts;
  std::string rest = location;
  if (size_t colon = rest.find(':'); colon != std::string::npos) {
    parts.module = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  if (size_t plus = rest.find('+'); plus != std::string::npos) {
    parts.offset = rest.substr(plus);
    rest = rest.substr(0, plus);
  }
  parts.name = rest;
  return parts;
}

namespace {

std::string bpftrace_probe(const ProbeAnswer& answer, bool return_probe) {
  LocationParts parts = split_location(answer.location);
  if (answer.how == "module" && answer.symbol.count == 1 && parts.name == answer.symbol.name) parts.module.clear();
  bool plain = true;
  for (char c : parts.name) plain = plain && (is_word_char(c) || c == '.');
  const std::string name = plain ? parts.name : "\"" + parts.name + "\"";
  return std::string(return_probe ? "kretprobe:" : "kprobe:") + (parts.module.empty() ? "" : parts.module + ":") +
         name + parts.offset;
}

// Single-quoted for a POSIX shell; names never hold a quote.
std::string perf_command(const ProbeAnswer& answer, const std::string& event, bool return_probe) {
  const LocationParts parts = split_location(answer.location);
  std::string name;
  for (char c : parts.name) {
    if (c == '=' || c == '@' || c == '+' || c == ':' || c == ';' || c == '%' || c == '\\') name += '\\';
    name += c;
  }
  std::string command = "perf probe";
  if (!parts.module.empty()) command += " -m " + parts.module;
  command += " -a '" + std::string(kProbeGroup) + ":" + event + "=" + name + parts.offset +
             (return_probe ? "%return" : "") + "'";
  return command;
}

}  // namespace

std::optional<ProbeFormat> parse_probe_format(std::string_view text) {
  if (text == "kprobe") return ProbeFormat::kKprobe;
  if (text == "bpftrace") return ProbeFormat::kBpftrace;
  if (text == "perf") return ProbeFormat::kPerf;
  return std::nullopt;
}

std::string probe_event_name(const ProbeAnswer& answer, const std::string& requested, bool return_probe) {
  if (!requested.empty()) return requested;
  std::string name = !answer.symbol.alias.empty() ? answer.symbol.alias : answer.symbol.name;
  if (answer.query.offset != 0) {
    char off[32];
    std::snprintf(off, sizeof off, "_%llx", static_cast<unsigned long long>(answer.query.offset));
    name += off;
  }
  for (char& c : name) {
    if (!is_word_char(c)) c = '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name = "_" + name;
  const std::string suffix = return_probe ? "__return" : "";
  if (name.size() + suffix.size() >= kMaxEventName) {
    char hash[16];
    std::snprintf(hash, sizeof hash, "_%08x", fnv1a(name));
    name = name.substr(0, kMaxEventName - 1 - suffix.size() - 9) + hash;
  }
  return name + suffix;
}

std::string kprobe_line(const ProbeAnswer& answer, const std::string& event, bool return_probe) {
  return std::string(return_probe ? "r" : "p") + ":" + std::string(kProbeGroup) + "/" + event + " " +
         answer.location;
}

ProbeText format_probe(const ProbeAnswer& answer, const std::string& event, bool return_probe, ProbeFormat format,
                       bool installed) {
  const bool anchored = answer.how.starts_with("anchor") || installed;
  switch (format) {
    case ProbeFormat::kKprobe:
      return {kprobe_line(answer, event, return_probe), false};
    case ProbeFormat::kBpftrace:
      if (anchored) return {"tracepoint:" + std::string(kProbeGroup) + ":" + event, true};
      return {bpftrace_probe(answer, return_probe), false};
    case ProbeFormat::kPerf:
      if (anchored) return {"perf record -e " + std::string(kProbeGroup) + ":" + event + " -a", true};
      return {perf_command(answer, event, return_probe), false};
  }
  return {};
}

}  // namespace kas::cli
