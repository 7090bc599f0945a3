// Progress of a long job (indexing a kernel: seconds), reported as stages
// with counts. Callers may report from any thread; the receiver serializes.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace kas {

// report(stage, done, total): `done` of `total` items of `stage` are done.
using ProgressFn = std::function<void(std::string_view stage, size_t done, size_t total)>;

}  // namespace kas
