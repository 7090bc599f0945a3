#include "client/probe_format.hpp"

#include <cstdio>

namespace kas::cli {

namespace {

constexpr size_t kMaxEventName = 64;  // MAX_EVENT_NAME_LEN, kernel/trace/trace_probe.h

uint32_t fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::string probe_event_name(const ProbeAnswer& answer, const std::string& requested) {
  if (!requested.empty()) return requested;
  std::string name = !answer.symbol.alias.empty() ? answer.symbol.alias : answer.symbol.name;
  if (answer.query.offset != 0) {
    char off[32];
    std::snprintf(off, sizeof off, "_%llx", static_cast<unsigned long long>(answer.query.offset));
    name += off;
  }
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name = "_" + name;
  if (name.size() > kMaxEventName - 1) {
    char hash[16];
    std::snprintf(hash, sizeof hash, "_%08x", fnv1a(name));
    name = name.substr(0, 55) + hash;
  }
  return name;
}

std::string kprobe_line(const ProbeAnswer& answer, const std::string& event, bool return_probe) {
  return std::string(return_probe ? "r" : "p") + ":kas/" + event + " " + answer.location;
}

}  // namespace kas::cli
