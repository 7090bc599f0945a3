#include "core/index/module_list.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/util/file.hpp"
#include "core/util/path.hpp"
#include "core/util/text.hpp"

namespace kas {

namespace {

// What CONFIG_MODULE_COMPRESS_* appends to X.ko (modules_install compresses
// the installed copy; modules.order still names X.ko).
constexpr std::string_view kCompressedSuffixes[] = {".xz", ".zst", ".gz"};

// "X.ko.xz" -> "X.ko" (likewise .zst, .gz); any other name as it is.
std::string_view without_compression_suffix(std::string_view name) {
  for (std::string_view suffix : kCompressedSuffixes) {
    if (name.ends_with(suffix) && name.substr(0, name.size() - suffix.size()).ends_with(".ko")) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return name;
}

}  // namespace

bool is_module_file_name(std::string_view name) { return without_compression_suffix(name).ends_with(".ko"); }

Result<std::vector<std::string>> read_modules_order(const std::string& path) {
  auto data = read_file(path);
  if (!data) return std::unexpected(data.error());
  std::string base(path::normalize(path));
  size_t slash = base.rfind('/');
  base = slash == std::string::npos ? std::string() : base.substr(0, slash == 0 ? 1 : slash);

  std::vector<std::string> modules;
  std::string_view rest = *data;
  size_t line_no = 0;
  std::string_view line;
  while (text::next_line(rest, line, line_no)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    std::string entry = path::join(base, line);
    // kbuild links X.ko from X.o: the object is the module's content before
    // any alias was added, and exists before the .ko does.
    if (entry.ends_with(".ko")) {
      std::string object = entry.substr(0, entry.size() - 3) + ".o";
      if (is_regular_file(object)) {
        modules.push_back(object);
        continue;
      }
    }
    if (is_regular_file(entry)) {
      modules.push_back(entry);
      continue;
    }
    if (entry.ends_with(".ko")) {
      auto compressed = std::find_if(std::begin(kCompressedSuffixes), std::end(kCompressedSuffixes),
                                     [&](std::string_view suffix) { return is_regular_file(entry + std::string(suffix)); });
      if (compressed != std::end(kCompressedSuffixes)) {
        modules.push_back(entry + std::string(*compressed));
        continue;
      }
    }
    return fail(ErrorCode::kNotFound, path + ":" + std::to_string(line_no) + ": module '" + std::string(line) +
                                          "' not found (looked for " + entry + ")");
  }
  return modules;
}

Result<std::vector<std::string>> find_modules(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return fail(ErrorCode::kNotFound, dir + ": not a directory");
  }
  std::vector<std::string> modules;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) return fail(ErrorCode::kIo, dir + ": cannot list: " + ec.message());
  for (fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return fail(ErrorCode::kIo, dir + ": cannot list: " + ec.message());
    const fs::directory_entry& entry = *it;
    if (is_module_file_name(entry.path().filename().native()) && entry.is_regular_file(ec)) {
      modules.push_back(entry.path().string());
    }
  }
  if (ec) return fail(ErrorCode::kIo, dir + ": cannot list: " + ec.message());
  std::sort(modules.begin(), modules.end());
  return modules;
}

std::string module_name_from_path(const std::string& p) {
  std::string name(without_compression_suffix(path::basename(p)));
  for (std::string_view ext : {".ko", ".o"}) {
    if (name.ends_with(ext)) {
      name.resize(name.size() - ext.size());
      break;
    }
  }
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

}  // namespace kas
