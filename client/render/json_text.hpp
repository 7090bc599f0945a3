// A symbol definition as every --json output shows it (doc/json-output.md,
// kas-definition-1).
#pragma once

#include "client/render/json_writer.hpp"
#include "service/vocabulary.hpp"

namespace kas::cli {

void json_definition(JsonWriter& json, const SymbolDefinition& d);

}  // namespace kas::cli
