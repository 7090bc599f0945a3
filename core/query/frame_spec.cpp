#include "core/query/frame_spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace kas {

namespace {

bool is_symbol_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '@' || c == '$';
}

bool is_module_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-'; }

// "0x1a" (hex) or "26" (decimal), the whole text.
bool parse_number(std::string_view text, uint64_t& out) {
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool all_hex(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_module_name(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_module_char); }

bool names_source_file(std::string_view after_at) { return after_at.find_first_of("./") != std::string_view::npos; }

Result<std::vector<FrameQuery>> parse_frame_specs(std::span<const std::string> texts) {
  std::vector<FrameQuery> queries;
  for (const std::string& text : texts) {
    auto q = parse_frame_spec(text);
    if (!q) return std::unexpected(q.error());
    queries.push_back(std::move(*q));
  }
  return queries;
}

Result<FrameQuery> parse_frame_spec(std::string_view input) {
  FrameQuery q;
  q.text = std::string(input);
  std::string_view text = trim(input);
  auto bad = [&](const char* why) {
    return fail(ErrorCode::kInvalidArgument, "'" + q.text + "': " + why +
                                                 " (expected ADDR, [MODULE:]SYMBOL[+OFF][/SIZE], SYMBOL@SRC[:RLN] or "
                                                 "SYMBOL,SYMPOS)");
  };
  if (text.empty()) return bad("empty");

  // "... [module]" as oops lines write it, or "[module BUILDID]" with
  // CONFIG_STACKTRACE_BUILD_ID.
  if (text.back() == ']') {
    size_t open = text.rfind('[');
    if (open == std::string_view::npos) return bad("unbalanced ']'");
    std::string_view inside = trim(text.substr(open + 1, text.size() - open - 2));
    if (size_t space = inside.find(' '); space != std::string_view::npos) {
      q.build_id = std::string(trim(inside.substr(space + 1)));
      if (!all_hex(q.build_id)) return bad("bad build id after the module name");
      inside = inside.substr(0, space);
    }
    q.module = std::string(inside);
    q.module_given = true;
    text = trim(text.substr(0, open));
  }
  // "MODULE:" (kprobe_events' own prefix), when what precedes the first ':'
  // can be a module name: perf's ":RLN" follows a source path.
  if (size_t colon = text.find(':'); colon != std::string_view::npos && is_module_name(text.substr(0, colon))) {
    if (q.module_given) return bad("two module names");
    q.module = std::string(text.substr(0, colon));
    q.module_given = true;
    text = text.substr(colon + 1);
  }
  if (q.module_given) {
    if (q.module.empty()) return bad("empty module name");
    for (char c : q.module) {
      if (!is_module_char(c)) return bad("bad module name");
    }
  }

  std::string_view bare = text.starts_with("0x") || text.starts_with("0X") ? text.substr(2) : text;
  if (text.find_first_of("+/") == std::string_view::npos &&
      ((bare.size() != text.size() && all_hex(bare)) || (bare.size() >= 8 && all_hex(bare)))) {
    if (q.module_given) return bad("an address needs no module");
    auto [ptr, ec] = std::from_chars(bare.data(), bare.data() + bare.size(), q.address, 16);
    if (ec != std::errc() || ptr != bare.data() + bare.size()) return bad("address out of range");
    q.by_address = true;
    return q;
  }

  // perf's FUNC@SRC[:RLN]: what follows '@' names a source file, so it holds
  // a '.' or '/', which an alias's decoration never does.
  size_t at = text.find('@');
  std::string_view rest;  // after the name and its selector: "+OFF", "/SIZE"
  if (size_t src_end = at == std::string_view::npos ? at : text.find_first_of(":+", at + 1);
      at != std::string_view::npos &&
      names_source_file(text.substr(at + 1, src_end == std::string_view::npos ? std::string_view::npos : src_end - at - 1))) {
    q.symbol = std::string(text.substr(0, at));
    q.source = std::string(text.substr(at + 1, src_end == std::string_view::npos ? std::string_view::npos : src_end - at - 1));
    rest = src_end == std::string_view::npos ? std::string_view() : text.substr(src_end);
    if (rest.starts_with(':')) {
      size_t end = rest.find('+');
      uint64_t line = 0;
      if (!parse_number(rest.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1), line) ||
          line > UINT32_MAX) {
        return bad("bad line after the source file");
      }
      q.source_line = static_cast<uint32_t>(line);
      q.has_source_line = true;
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
    if (rest.find('/') != std::string_view::npos) return bad("no /SIZE after FUNC@SRC");
  } else if (size_t comma = text.find(','); comma != std::string_view::npos) {
    // livepatch's FUNC,SYMPOS (the sysfs name of a patched function).
    q.symbol = std::string(text.substr(0, comma));
    size_t end = text.find_first_of("+/", comma + 1);
    uint64_t pos = 0;
    if (!parse_number(text.substr(comma + 1, end == std::string_view::npos ? std::string_view::npos : end - comma - 1),
                      pos) ||
        pos > UINT32_MAX) {
      return bad("bad symbol position after ','");
    }
    q.sympos = static_cast<uint32_t>(pos);
    q.has_sympos = true;
    rest = end == std::string_view::npos ? std::string_view() : text.substr(end);
  } else {
    size_t name_end = text.find_first_of("+/");
    q.symbol = std::string(text.substr(0, name_end));
    rest = name_end == std::string_view::npos ? std::string_view() : text.substr(name_end);
  }
  if (q.symbol.empty()) return bad("no symbol name");
  for (char c : q.symbol) {
    if (!is_symbol_char(c)) return bad("bad character in symbol name");
  }
  text = rest;
  size_t plus = text.find('+');
  size_t slash = text.find('/');
  if (plus != std::string_view::npos) {
    size_t end = slash == std::string_view::npos || slash < plus ? text.size() : slash;
    if (slash != std::string_view::npos && slash < plus) return bad("size before offset");
    if (!parse_number(text.substr(plus + 1, end - plus - 1), q.offset)) return bad("bad offset");
  }
  if (slash != std::string_view::npos) {
    if (!parse_number(text.substr(slash + 1), q.size)) return bad("bad size");
    q.has_size = true;
  }
  return q;
}

std::optional<LogFrame> find_log_frame(std::string_view line) {
  for (size_t plus = line.find("+0x"); plus != std::string_view::npos; plus = line.find("+0x", plus + 1)) {
    size_t begin = plus;
    while (begin > 0 && is_symbol_char(line[begin - 1])) --begin;
    if (begin == plus) continue;
    size_t p = plus + 3;
    while (p < line.size() && std::isxdigit(static_cast<unsigned char>(line[p])) != 0) ++p;
    if (p == plus + 3 || line.substr(p, 3) != "/0x") continue;
    p += 3;
    size_t size_begin = p;
    while (p < line.size() && std::isxdigit(static_cast<unsigned char>(line[p])) != 0) ++p;
    if (p == size_begin) continue;
    size_t end = p;
    // " [module]", or " [module BUILDID]" (CONFIG_STACKTRACE_BUILD_ID)
    if (line.substr(p, 2) == " [") {
      size_t q = p + 2;
      while (q < line.size() && is_module_char(line[q])) ++q;
      const bool named = q > p + 2;
      if (named && q < line.size() && line[q] == ' ') {
        size_t id = q + 1;
        while (id < line.size() && std::isxdigit(static_cast<unsigned char>(line[id])) != 0) ++id;
        if (id > q + 1) q = id;
      }
      if (named && q < line.size() && line[q] == ']') end = q + 1;
    }
    auto query = parse_frame_spec(line.substr(begin, end - begin));
    if (!query) continue;
    if (!query->module_given) {
      query->module = "vmlinux";  // oops lines name the module of every module frame
      query->module_given = true;
    }
    query->text = std::string(line.substr(begin, end - begin));
    const std::string_view before = line.substr(0, begin);
    // The faulting instruction (x86 "RIP:", arm64 "pc :", the address a
    // WARN() names) is no return address; everything else a trace prints is.
    query->return_address = before.find("RIP:") == std::string_view::npos &&
                            before.find("EIP:") == std::string_view::npos &&
                            before.find("pc :") == std::string_view::npos &&
                            before.find("ip:") == std::string_view::npos &&
                            before.find("WARNING:") == std::string_view::npos;
    std::string_view lead = before;
    while (!lead.empty() && lead.back() == ' ') lead.remove_suffix(1);
    const bool unreliable = lead.ends_with(" ?") || lead == "?";
    return LogFrame{begin, end, std::move(*query), unreliable};
  }
  return std::nullopt;
}

}  // namespace kas
