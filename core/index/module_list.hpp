// Which module objects make up a build: from kbuild's modules.order or from a
// directory tree of installed modules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"

namespace kas {

// Reads a kbuild modules.order. Relative entries are relative to the file's
// directory (kbuild writes them relative to the object tree, where the file
// lives). An entry "X.ko" resolves to "X.o" when that exists (the object
// kbuild links into the .ko: it exists first and never holds aliases), else
// to the .ko itself, or to X.ko.xz, .zst or .gz (an installed tree whose
// modules are compressed). Errors: kNotFound/kIo for the file,
// kNotFound naming "modules.order:line" for an entry with neither file.
[[nodiscard]] Result<std::vector<std::string>> read_modules_order(const std::string& path);

// A module's file name: X.ko, or X.ko.xz, X.ko.zst, X.ko.gz.
[[nodiscard]] bool is_module_file_name(std::string_view name);

// Every regular file below `dir` with a module's name, sorted. Errors: kNotFound
// when `dir` is not a directory, kIo on unreadable subdirectories.
[[nodiscard]] Result<std::vector<std::string>> find_modules(const std::string& dir);

// Module name as the kernel shows it ("drivers/uio/uio.ko" -> "uio",
// "fpga-mgr.o" -> "fpga_mgr": kbuild turns '-' into '_'; "kvm.ko.xz" -> "kvm").
[[nodiscard]] std::string module_name_from_path(const std::string& path);

}  // namespace kas
