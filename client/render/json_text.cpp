#include "client/render/json_text.hpp"

#include <string_view>

#include "core/util/text.hpp"

namespace kas::cli {

void json_definition(JsonWriter& json, const SymbolDefinition& d) {
  json.begin_object()
      .key("binary").string(d.binary)
      .key("path").string(d.path)
      .key("name").string(d.name)
      .key("type").string(std::string_view(&d.nm_type, 1))
      .key("section").string_or_null(d.section)
      .key("address").string(text::hex(d.address))
      .key("relocatable").boolean(d.relocatable)
      .key("size").number(d.size)
      .key("count").number(d.count)
      .key("alias").string_or_null(d.alias)
      .key("file").string_or_null(d.file)
      .key("line").number_or_null(d.line)
      .key("unit").string_or_null(d.unit)
      .key("sympos").number_or_null(d.sympos)
      .key("note").string_or_null(d.note)
      .end_object();
}

}  // namespace kas::cli
