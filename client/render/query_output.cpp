#include "client/render/query_output.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "client/render/json_text.hpp"
#include "core/util/text.hpp"

namespace kas::cli {

namespace {

using text::hex;

std::string place(const SymbolDefinition& d) {
  if (d.relocatable) return (d.section.empty() ? std::string("?") : d.section) + "+" + hex(d.address);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(d.address));
  return buf;
}

std::string defined_at(const SymbolDefinition& d) {
  if (d.file.empty()) return "?";
  std::string s = d.file + ":" + std::to_string(d.line);
  if (!d.unit.empty() && d.unit != d.file) s += " (in " + d.unit + ")";
  return s;
}

std::string alias_cell(const SymbolDefinition& d, bool vmlinux_only) {
  if (!d.alias.empty()) return d.alias;
  if (d.count <= 1) return vmlinux_only ? "unique in vmlinux (modules not read)" : "unique";
  // From /proc/kallsyms (no debug info): the kernel simply has none.
  if (d.path == "/proc/kallsyms") return "none in this kernel (" + std::to_string(d.count) + " definitions)";
  return "none (" + std::to_string(d.count) + " definitions, not eligible)";
}

// Pads `cell` to `width` visible columns, colour codes around it.
void add_cell(std::string& out, const std::string& cell, size_t width, std::string_view on, std::string_view off) {
  out += on;
  out += cell;
  out += off;
  if (cell.size() < width) out.append(width - cell.size(), ' ');
}

std::string frame_location(const SourceFrameInfo& f) {
  return f.file.empty() ? std::string("??:0") : f.file + ":" + std::to_string(f.line);
}

}  // namespace

bool parse_color(const std::string& word, int fd, bool& color) {
  if (word == "always") {
    color = true;
  } else if (word == "never") {
    color = false;
  } else if (word == "auto" || word.empty()) {
    const char* term = std::getenv("TERM");
    color = ::isatty(fd) == 1 && std::getenv("NO_COLOR") == nullptr && term != nullptr &&
            std::string_view(term) != "dumb";
  } else {
    return false;
  }
  return true;
}

std::string lookup_table(const std::vector<std::string>& patterns, const std::vector<LookupAnswer>& answers,
                         const Style& style, bool vmlinux_only) {
  std::string out;
  for (size_t p = 0; p < answers.size(); ++p) {
    const LookupAnswer& a = answers[p];
    if (answers.size() > 1) out += std::string(style.bold()) + patterns[p] + std::string(style.reset()) + "\n";
    // "no symbol matches" is the caller's, on stderr.
    if (a.definitions.empty()) continue;
    constexpr size_t kColumns = 8;
    const char* headers[kColumns] = {"BINARY", "NAME", "T", "ADDRESS", "SIZE", "POS", "DEFINED AT", "ALIAS"};
    std::vector<std::vector<std::string>> rows;
    for (const SymbolDefinition& d : a.definitions) {
      rows.push_back({d.binary, d.name, std::string(1, d.nm_type), place(d), hex(d.size),
                      d.sympos == 0 ? std::string("-") : std::to_string(d.sympos), defined_at(d), alias_cell(d, vmlinux_only)});
    }
    std::vector<size_t> width(kColumns);
    for (size_t c = 0; c < kColumns; ++c) width[c] = std::string_view(headers[c]).size();
    for (const auto& row : rows) {
      for (size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], row[c].size());
    }
    for (size_t c = 0; c < kColumns; ++c) {
      add_cell(out, headers[c], c == kColumns - 1 ? 0 : width[c] + 2, style.dim(), style.reset());
    }
    out += '\n';
    std::string last_note;
    for (size_t r = 0; r < rows.size(); ++r) {
      const SymbolDefinition& d = a.definitions[r];
      for (size_t c = 0; c < kColumns; ++c) {
        std::string_view on;
        if (c == 0) on = style.cyan();
        if (c == kColumns - 1) on = d.alias.empty() ? style.dim() : style.green();
        if (c == kColumns - 2 && d.file.empty()) on = style.yellow();
        add_cell(out, rows[r][c], c == kColumns - 1 ? 0 : width[c] + 2, on, on.empty() ? "" : style.reset());
      }
      out += '\n';
      // The same reason for many rows (a module without debug info) once.
      if (!d.note.empty() && d.file.empty() && d.note != last_note) {
        out += "  " + std::string(style.yellow()) + d.note + std::string(style.reset()) + "\n";
        last_note = d.note;
      }
    }
    if (a.total > a.definitions.size()) {
      out += "(" + std::to_string(a.total - a.definitions.size()) + " more; raise --limit)\n";
    }
  }
  return out;
}

std::string lookup_json(const std::vector<std::string>& patterns, const std::vector<LookupAnswer>& answers) {
  JsonWriter json;
  json.begin_object().key("schema").string("kas-lookup/1").key("results").begin_array();
  for (size_t p = 0; p < answers.size(); ++p) {
    json.begin_object().key("pattern").string(patterns[p]).key("total").number(answers[p].total);
    json.key("definitions").begin_array();
    for (const SymbolDefinition& d : answers[p].definitions) json_definition(json, d);
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.finish();
}

std::string resolve_text(const std::vector<ResolveAnswer>& answers, const Style& style) {
  std::string out;
  for (const ResolveAnswer& a : answers) {
    out += std::string(style.bold()) + a.query.text + std::string(style.reset());
    if (!a.error.empty()) {
      out += ": " + std::string(style.red()) + a.error + std::string(style.reset()) + "\n";
      continue;
    }
    if (a.candidates.size() > 1) {
      out += ": " + std::string(style.yellow()) + "ambiguous, " + std::to_string(a.candidates.size()) +
             " candidates" + std::string(style.reset());
    }
    out += '\n';
    for (const Resolution& r : a.candidates) {
      const SymbolDefinition& d = r.symbol;
      out += "  " + std::string(style.cyan()) + d.binary + std::string(style.reset()) + " " + d.name + "+" +
             hex(r.offset) + (d.size == 0 ? std::string() : "/" + hex(d.size)) + " [" + place(d) + "]";
      if (!d.alias.empty()) out += " alias " + std::string(style.green()) + d.alias + std::string(style.reset());
      out += '\n';
      if (r.frames.empty()) {
        out += "    " + std::string(style.yellow()) + (d.note.empty() ? "no line information" : d.note) +
               std::string(style.reset()) + "\n";
      }
      for (size_t i = 0; i < r.frames.size(); ++i) {
        const SourceFrameInfo& f = r.frames[i];
        out += "    " + (f.function.empty() ? std::string("??") : f.function) + " at " + frame_location(f);
        if (i + 1 < r.frames.size()) out += std::string(style.dim()) + " (inlined)" + std::string(style.reset());
        out += '\n';
      }
    }
  }
  return out;
}

std::string resolve_json(const std::vector<ResolveAnswer>& answers) {
  JsonWriter json;
  json.begin_object().key("schema").string("kas-resolve/1").key("results").begin_array();
  for (const ResolveAnswer& a : answers) {
    json.begin_object()
        .key("query").string(a.query.text)
        .key("error").string_or_null(a.error)
        .key("ambiguous").boolean(a.candidates.size() > 1)
        .key("candidates").begin_array();
    for (const Resolution& r : a.candidates) {
      json.begin_object().key("symbol");
      json_definition(json, r.symbol);
      json.key("offset").number(r.offset).key("frames").begin_array();
      for (const SourceFrameInfo& f : r.frames) {
        json.begin_object()
            .key("function").string_or_null(f.function)
            .key("file").string_or_null(f.file)
            .key("line").number_or_null(f.line)
            .end_object();
      }
      json.end_array().end_object();
    }
    json.end_array().end_object();
  }
  json.end_array().end_object();
  return json.finish();
}

std::string decode_line(std::string_view line, const LogFrame& frame, const ResolveAnswer& answer,
                        const Style& style) {
  std::string out(line);
  // The continuation lines repeat the log prefix (timestamp, "RIP: 0010:")
  // as blanks after the timestamp so they sort and read with the frame.
  std::string prefix(line.substr(0, frame.begin));
  size_t stamp_end = prefix.find(']');
  std::string indent = stamp_end == std::string::npos ? std::string(prefix.size(), ' ')
                                                      : prefix.substr(0, stamp_end + 1) +
                                                            std::string(prefix.size() - stamp_end - 1, ' ');
  if (!answer.error.empty()) {
    return out + " " + std::string(style.red()) + "(kas: " + answer.error + ")" + std::string(style.reset()) + "\n";
  }
  if (answer.candidates.size() == 1) {
    const Resolution& r = answer.candidates.front();
    if (r.frames.empty()) {
      const char* why = frame.stale_pointer() ? "(no line: the end of " : "(no line information)";
      return out + " " + std::string(style.yellow()) + why +
             (frame.stale_pointer() ? r.symbol.name + ", a stale pointer to the next function)" : std::string()) +
             std::string(style.reset()) + "\n";
    }
    out += " " + std::string(style.green()) + frame_location(r.frames.back()) + std::string(style.reset());
    if (!r.symbol.alias.empty()) out += " " + std::string(style.dim()) + r.symbol.alias + std::string(style.reset());
    out += '\n';
    for (size_t i = 0; i + 1 < r.frames.size(); ++i) {
      const SourceFrameInfo& f = r.frames[i];
      out += indent + "  " + std::string(style.dim()) + "inlined: " + std::string(style.reset()) +
             (f.function.empty() ? std::string("??") : f.function) + " at " + frame_location(f) + "\n";
    }
    return out;
  }
  out += " " + std::string(style.yellow()) + "(ambiguous: " + std::to_string(answer.candidates.size()) +
         " candidates)" + std::string(style.reset()) + "\n";
  for (const Resolution& r : answer.candidates) {
    out += indent + "  " + r.symbol.binary + " " +
           (r.frames.empty() ? std::string("??") : frame_location(r.frames.back()));
    if (!r.symbol.alias.empty()) out += " " + r.symbol.alias;
    out += '\n';
  }
  return out;
}

}  // namespace kas::cli
