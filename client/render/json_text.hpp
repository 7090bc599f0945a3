// The JSON pieces every --json output is built of: strings (escaped, or
// null when empty) and a symbol definition (doc/json-output.md,
// kas-definition-1).
#pragma once

#include <string>
#include <string_view>

#include "service/vocabulary.hpp"

namespace kas::cli {

void json_string(std::string& out, std::string_view s);
void json_string_or_null(std::string& out, std::string_view s);
void json_definition(std::string& out, const SymbolDefinition& d);

}  // namespace kas::cli
