// The alias spelling: NAME + separator + normalized location.
#pragma once

#include <string>
#include <string_view>

namespace kas {

// Every character that is not [A-Za-z0-9] becomes '_' (a leading '/' of an
// absolute path is dropped first): "kernel/irq/irqdesc.c" ->
// "kernel_irq_irqdesc_c".
[[nodiscard]] std::string decorate_path(std::string_view path);

}  // namespace kas
