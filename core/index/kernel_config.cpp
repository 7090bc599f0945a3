#include "core/index/kernel_config.hpp"

#include "core/util/file.hpp"
#include "core/util/path.hpp"
#include "core/util/text.hpp"

namespace kas {

namespace {

std::string dir_of(const std::string& p) {
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

void add_tree(std::vector<std::string>& out, const std::string& dir) {
  out.push_back(path::join(dir, "include/config/auto.conf"));
  out.push_back(path::join(dir, ".config"));
}

// "System.map-6.1.0-56-amd64", "vmlinux-6.1.0-56-amd64" -> the release.
std::string release_of(std::string_view base) {
  for (std::string_view prefix : {"System.map-", "vmlinux-", "vmlinuz-"}) {
    if (base.starts_with(prefix)) return std::string(base.substr(prefix.size()));
  }
  return {};
}

}  // namespace

std::vector<std::string> kernel_config_candidates(const KernelFiles& files) {
  std::vector<std::string> candidates;
  // A build tree: every kbuild input lives at the top of the objtree.
  for (const std::string& p : {files.vmlinux, files.census_path}) {
    if (!p.empty()) add_tree(candidates, dir_of(p));
  }
  for (const std::string& p : files.modules_orders) add_tree(candidates, dir_of(p));
  // An installed kernel: /boot/System.map-R beside /boot/config-R (also for
  // a -dbg package's /usr/lib/debug/boot/vmlinux-R), /lib/modules/R/build.
  if (!files.vmlinux.empty()) {
    if (std::string release = release_of(path::basename(files.vmlinux)); !release.empty()) {
      candidates.push_back(path::join(dir_of(files.vmlinux), "config-" + release));
      candidates.push_back("/boot/config-" + release);
    }
  }
  for (const std::string& d : files.module_dirs) add_tree(candidates, path::join(d, "build"));
  std::vector<std::string> present;
  for (std::string& c : candidates) {
    if (is_regular_file(c)) present.push_back(std::move(c));
  }
  return present;
}

std::optional<KernelConfig> read_kernel_config(const KernelFiles& files) {
  for (std::string& path : kernel_config_candidates(files)) {
    if (auto text = read_file(path)) return KernelConfig{std::move(path), std::move(*text)};
  }
  return std::nullopt;
}

bool config_enables(std::string_view config, std::string_view option) {
  std::string_view line;
  size_t line_no = 0;
  while (text::next_line(config, line, line_no)) {
    if (line.size() == option.size() + 2 && line.starts_with(option) && line.ends_with("=y")) return true;
  }
  return false;
}

}  // namespace kas
