#include "core/elf/nm_listing.hpp"

#include <charconv>

#include "core/util/text.hpp"

namespace kas {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view next_field(std::string_view& rest) {
  size_t i = 0;
  while (i < rest.size() && is_space(rest[i])) ++i;
  size_t j = i;
  while (j < rest.size() && !is_space(rest[j])) ++j;
  std::string_view field = rest.substr(i, j - i);
  rest.remove_prefix(j);
  return field;
}

bool is_type_letter(std::string_view f) {
  return f.size() == 1 && ((f[0] >= 'a' && f[0] <= 'z') || (f[0] >= 'A' && f[0] <= 'Z') || f[0] == '?');
}

}  // namespace

Result<std::vector<NmLine>> parse_nm_listing(std::string_view data, const std::string& path) {
  std::vector<NmLine> lines;
  lines.reserve(data.size() / 40);
  size_t line_no = 0;
  std::string_view text;
  while (text::next_line(data, text, line_no)) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;

    auto bad = [&](std::string_view why) {
      std::string snippet(text.substr(0, 80));
      return fail(ErrorCode::kBadInput,
                  path + ":" + std::to_string(line_no) + ": malformed nm line (" + std::string(why) + "): '" + snippet + "'");
    };

    NmLine line;
    line.text = text;
    std::string_view rest = text;
    std::string_view first = next_field(rest);
    std::string_view type_field;
    if (is_space(text[0]) && is_type_letter(first)) {
      type_field = first;  // "    U name": no address
    } else {
      line.address = first;
      auto [ptr, ec] = std::from_chars(first.data(), first.data() + first.size(), line.value, 16);
      if (ec != std::errc() || ptr != first.data() + first.size()) return bad("address is not hexadecimal");
      type_field = next_field(rest);
    }
    if (!is_type_letter(type_field)) return bad("missing symbol type");
    line.type = type_field[0];
    line.name = next_field(rest);
    if (line.name.empty()) return bad("missing symbol name");
    std::string_view module = next_field(rest);
    if (!module.empty()) {
      if (module.size() < 3 || module.front() != '[' || module.back() != ']') return bad("unexpected text after the name");
      line.module = module.substr(1, module.size() - 2);
      if (!next_field(rest).empty()) return bad("unexpected text after the module");
    }
    if (line.address.empty() && line.type != 'U' && line.type != 'w' && line.type != 'v') {
      return bad("only undefined symbols may lack an address");
    }
    lines.push_back(line);
  }
  return lines;
}

}  // namespace kas
