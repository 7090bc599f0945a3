// The kernel's rules, one function each, from kernel/trace/trace.h
// (__is_good_name), trace_probe.c (traceprobe_parse_event_name,
// traceprobe_split_symbol_offset) and trace_kprobe.c (the create command:
// kstrtoul for an address, '%' for a suffix, '/' with ':' for a uprobe,
// strchr ':' for MODULE:SYMBOL). Where the kernel is looser kas is stricter,
// and says so below: a name kas refuses that the kernel would take costs a
// user a rename, a name the kernel reads otherwise than kas meant costs a
// probe in the wrong place.
#include "client/tracefs/tracefs_names.hpp"

#include <cstdio>

namespace kas::cli {

namespace {

constexpr size_t kKsymNameLen = 512;   // KSYM_NAME_LEN, include/linux/kallsyms.h (NUL included)
constexpr size_t kModuleNameLen = 56;  // MODULE_NAME_LEN, 64 - sizeof(unsigned long) (NUL included)
constexpr uint64_t kMaxOffset = 0xffffffffu;  // trace_kprobe: offset > UINT_MAX is BAD_PROBE_ADDR

// ASCII only: the kernel's ctype also calls Latin-1 letters (0xc0-0xff)
// alpha, which no tool reads back as the same name.
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::unexpected<Error> refuse(std::string_view what, std::string_view text, const std::string& why) {
  return fail(ErrorCode::kInvalidArgument, "'" + visible(text) + "' is no " + std::string(what) + ": " + why);
}

// __is_good_name(name, hash_ok) plus the length traceprobe_parse_event_name
// allows, for `what` ("event name", "group name").
Result<void> check_name(std::string_view what, std::string_view name, bool dash_ok) {
  if (name.empty()) return refuse(what, name, "it is empty");
  if (name.size() >= kMaxEventName) {
    return refuse(what, name, "the kernel takes at most " + std::to_string(kMaxEventName - 1) + " characters");
  }
  const std::string allowed =
      dash_ok ? "letters, digits, '_' and '-'" : "letters, digits and '_', and not a digit first";
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = is_alpha(c) || c == '_' || (dash_ok && c == '-') || (i > 0 && is_digit(c));
    if (!ok) return refuse(what, name, "tracefs takes only " + allowed + " (ASCII)");
  }
  return {};
}

// Why byte `c` cannot be in a kallsyms name written to kprobe_events; ""
// when it can.
std::string symbol_char_problem(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (c == '\n') return "a newline ends the command";
  if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r') return "whitespace ends the word";
  if (u < 0x20 || u == 0x7f) return "a control character";
  // The kernel's isspace() also takes 0xa0 and iscntrl() 0x80-0x9f.
  if (u >= 0x80) return "not ASCII";
  if (c == '#') return "'#' starts a comment: the kernel drops the rest of the line";
  if (c == ':') return "':' separates MODULE:SYMBOL";
  if (c == '+' || c == '-') return "'+' and '-' start the offset";
  if (c == '%') return "'%' starts a suffix (%return)";
  if (c == '/') return "'/' with ':' makes it a uprobe";
  return {};
}

Result<void> check_symbol(std::string_view location, std::string_view symbol) {
  const std::string what = "kprobe location";
  if (symbol.empty()) return refuse(what, location, "no symbol name");
  if (symbol.size() >= kKsymNameLen) {
    return refuse(what, location, "a kallsyms name has at most " + std::to_string(kKsymNameLen - 1) + " characters");
  }
  if (is_digit(symbol[0])) return refuse(what, location, "a name starting with a digit is read as an address");
  for (char c : symbol) {
    if (std::string why = symbol_char_problem(c); !why.empty()) {
      return refuse(what, location, "'" + visible(std::string_view(&c, 1)) + "' in '" + visible(symbol) + "': " + why);
    }
  }
  return {};
}

Result<void> check_module(std::string_view location, std::string_view module) {
  if (module.empty() || module.size() >= kModuleNameLen) {
    return refuse("kprobe location", location,
                  "a module's name has 1 to " + std::to_string(kModuleNameLen - 1) + " characters");
  }
  for (char c : module) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') {
      return refuse("kprobe location", location,
                    "a loaded module's name holds only letters, digits and '_' (MODULE:SYMBOL)");
    }
  }
  return {};
}

// "0xHEX" or decimal, at most `max`.
bool parse_number(std::string_view text, uint64_t max, uint64_t& value) {
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (char c : text) {
    if (base == 16 ? !is_hex(c) : !is_digit(c)) return false;
    const uint64_t digit = is_digit(c) ? static_cast<uint64_t>(c - '0') : static_cast<uint64_t>((c | 0x20) - 'a' + 10);
    if (value > (max - digit) / base) return false;
    value = value * base + digit;
  }
  return true;
}

}  // namespace

Result<void> check_event_name(std::string_view name) { return check_name("event name", name, false); }

Result<void> check_group_name(std::string_view name) { return check_name("group name", name, true); }

Result<void> check_probe_location(std::string_view location) {
  // What ends or cuts the line goes first: the kernel splits lines and drops
  // comments before it reads any word.
  for (char c : location) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || c == '#') {
      return refuse("kprobe location", location,
                    "'" + visible(std::string_view(&c, 1)) + "' in it: " + symbol_char_problem(c));
    }
  }
  uint64_t value = 0;
  if (location.starts_with("0x") && parse_number(location, ~uint64_t{0}, value)) return {};  // --address
  std::string_view rest = location;
  if (const size_t colon = rest.find(':'); colon != std::string_view::npos) {
    if (auto r = check_module(location, rest.substr(0, colon)); !r) return r;
    rest.remove_prefix(colon + 1);
  }
  if (const size_t plus = rest.find('+'); plus != std::string_view::npos) {
    if (!parse_number(rest.substr(plus + 1), kMaxOffset, value)) {
      return refuse("kprobe location", location, "the offset after '+' must be a number up to 0xffffffff");
    }
    rest = rest.substr(0, plus);
  }
  return check_symbol(location, rest);
}

Result<void> check_kprobe_command(std::string_view command) {
  if (command.size() < 2 || command[1] != ':' || (command[0] != 'p' && command[0] != 'r' && command[0] != '-')) {
    return refuse("kprobe command kas writes", command, "it starts with p:, r: or -:");
  }
  std::string_view rest = command.substr(2);
  const size_t space = rest.find(' ');
  const std::string_view group_event = rest.substr(0, space);
  const size_t slash = group_event.find('/');
  if (slash == std::string_view::npos) return refuse("kprobe command kas writes", command, "no GROUP/EVENT");
  if (auto r = check_group_name(group_event.substr(0, slash)); !r) return r;
  if (auto r = check_event_name(group_event.substr(slash + 1)); !r) return r;
  if (command[0] == '-') {
    if (space != std::string_view::npos) return refuse("kprobe command kas writes", command, "-: takes no location");
    return {};
  }
  if (space == std::string_view::npos) return refuse("kprobe command kas writes", command, "no location");
  return check_probe_location(rest.substr(space + 1));
}

std::string visible(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\\') out += "\\\\";
    else if (u < 0x20 || u >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace kas::cli
