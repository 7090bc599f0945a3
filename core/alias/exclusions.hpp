// Names that never get an alias: compiler- or macro-generated names whose
// duplicates are expected and meaningless to trace (the reference's
// regex_filter list, same semantics).
#pragma once

#include <string_view>

namespace kas {

[[nodiscard]] bool is_excluded_name(std::string_view name);

}  // namespace kas
