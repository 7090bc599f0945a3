#include "client/render/json_text.hpp"

#include <cstdio>

#include "core/util/text.hpp"

namespace kas::cli {

using text::hex;

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void json_string_or_null(std::string& out, std::string_view s) {
  if (s.empty()) out += "null";
  else json_string(out, s);
}

void json_definition(std::string& out, const SymbolDefinition& d) {
  out += "{\"binary\":";
  json_string(out, d.binary);
  out += ",\"path\":";
  json_string(out, d.path);
  out += ",\"name\":";
  json_string(out, d.name);
  out += ",\"type\":";
  json_string(out, std::string(1, d.nm_type));
  out += ",\"section\":";
  json_string_or_null(out, d.section);
  out += ",\"address\":";
  json_string(out, hex(d.address));
  out += d.relocatable ? ",\"relocatable\":true" : ",\"relocatable\":false";
  out += ",\"size\":" + std::to_string(d.size);
  out += ",\"count\":" + std::to_string(d.count);
  out += ",\"alias\":";
  json_string_or_null(out, d.alias);
  out += ",\"file\":";
  json_string_or_null(out, d.file);
  out += ",\"line\":";
  out += d.line == 0 ? std::string("null") : std::to_string(d.line);
  out += ",\"unit\":";
  json_string_or_null(out, d.unit);
  out += ",\"sympos\":";
  out += d.sympos == 0 ? std::string("null") : std::to_string(d.sympos);
  out += ",\"note\":";
  json_string_or_null(out, d.note);
  out += '}';
}

}  // namespace kas::cli
