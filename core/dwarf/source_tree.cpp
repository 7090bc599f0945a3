#include "core/dwarf/source_tree.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "core/util/path.hpp"

namespace kas {

namespace {

// Top-level directories of a Linux source tree. Used only to vote on where
// the tree starts when nothing better is known.
bool is_top_level_dir(std::string_view name) {
  static constexpr std::array<std::string_view, 21> kDirs = {
      "arch",  "block",   "certs",   "crypto",   "drivers", "fs",    "include",
      "init",  "io_uring", "ipc",    "kernel",   "lib",     "mm",    "net",
      "rust",  "samples", "security", "sound",   "virt",    "usr",   "tools"};
  return std::find(kDirs.begin(), kDirs.end(), name) != kDirs.end();
}

std::string read_link(const std::string& p) {
  std::string buf(4096, '\0');
  ssize_t n = ::readlink(p.c_str(), buf.data(), buf.size());
  if (n <= 0) return {};
  buf.resize(static_cast<size_t>(n));
  return buf;
}

std::string resolve(std::string_view raw, std::string_view comp_dir) {
  if (path::is_absolute(raw)) return path::normalize(raw);
  // A relative comp_dir only arises from prefix mapping; then relative
  // file names are relative to the mapped root, not to comp_dir.
  if (path::is_absolute(comp_dir)) return path::join(comp_dir, raw);
  return path::normalize(raw);
}

}  // namespace

SourceTree::SourceTree(std::string srctree) {
  if (!srctree.empty()) {
    std::string absolute = path::is_absolute(srctree) ? srctree : path::join(path::real_path("."), srctree);
    set_root(path::normalize(absolute));
  }
}

void SourceTree::set_root(std::string root) {
  root_ = std::move(root);
  root_real_ = path::real_path(root_);
  if (root_real_ == root_) root_real_.clear();
}

void SourceTree::infer_from(const std::vector<UnitPaths>& units,
                            const std::function<std::vector<UnitPaths>()>& with_include_dirs) {
  if (root_.empty()) infer_root(units, with_include_dirs);
  // Linux 6.13 on compiles an external module (M=) from the module's own
  // directory, naming its sources relative to it. A comp_dir that is not
  // the source tree and holds neither a configured build
  // (include/config/auto.conf) nor an O= tree's `source` link is such a
  // directory, not a kernel object tree: it roots nothing, so the module's
  // files are outside the kernel's trees, as 6.x's absolute names said, and
  // get the same path (the module directory's name first). Only decided
  // when the source tree is known (a module's include directories show it)
  // and the directory exists here.
  if (!root_.empty()) {
    std::set<std::string> checked;  // a unit's comp_dir is usually its neighbours'
    for (const UnitPaths& u : units) {
      if (!path::is_absolute(u.comp_dir)) continue;
      std::string dir = path::normalize(u.comp_dir);
      if (dir == root_ || dir == root_real_ || !checked.insert(dir).second) continue;
      struct stat st {};
      if (::stat(dir.c_str(), &st) == 0 && ::access((dir + "/include/config/auto.conf").c_str(), F_OK) != 0 &&
          ::lstat((dir + "/source").c_str(), &st) != 0) {
        external_dirs_.insert(dir);
      }
    }
  }
  infer_external_root(units);
}

void SourceTree::infer_root(const std::vector<UnitPaths>& units,
                            const std::function<std::vector<UnitPaths>()>& with_include_dirs) {
  // 1. O= builds: kbuild links objtree/source to the source tree.
  for (const UnitPaths& u : units) {
    if (!path::is_absolute(u.comp_dir)) continue;
    std::string link = read_link(u.comp_dir + "/source");
    if (!link.empty()) {
      set_root(path::join(u.comp_dir, link));
      return;
    }
    break;  // all units share one objtree; one probe is enough
  }

  // 2. Prefix-mapped builds: an unmapped absolute comp_dir that ends with a
  //    mapped relative one reveals what the map removed.
  std::string relative_dir;
  for (const UnitPaths& u : units) {
    if (!u.comp_dir.empty() && !path::is_absolute(u.comp_dir)) {
      relative_dir = path::normalize(u.comp_dir);
      break;
    }
  }
  if (!relative_dir.empty()) {
    for (const UnitPaths& u : units) {
      if (!path::is_absolute(u.comp_dir)) continue;
      std::string abs_dir = path::normalize(u.comp_dir);
      if (abs_dir.size() > relative_dir.size() + 1 &&
          abs_dir.compare(abs_dir.size() - relative_dir.size(), relative_dir.size(), relative_dir) == 0 &&
          abs_dir[abs_dir.size() - relative_dir.size() - 1] == '/') {
        std::string root = abs_dir.substr(0, abs_dir.size() - relative_dir.size() - 1);
        set_root(root.empty() ? "/" : root);
        return;
      }
    }
  }

  // 3. Vote: each absolute unit name proposes every prefix followed by a
  //    top-level kernel directory; the most proposed prefix wins (ties: the
  //    longest). With thousands of units the real tree wins by far.
  std::map<std::string, size_t> votes;
  // Each unit gives one vote to each prefix it proposes.
  auto propose = [&](const std::string& full, bool is_dir, std::set<std::string>& prefixes) {
    if (!path::is_absolute(full)) return;
    size_t pos = 1;
    while (pos < full.size()) {
      size_t slash = full.find('/', pos);
      if (slash == std::string::npos) {
        if (!is_dir) break;  // the last component of a file name is the file
        slash = full.size();
      }
      if (is_top_level_dir(std::string_view(full).substr(pos, slash - pos))) {
        prefixes.insert(pos == 1 ? "/" : full.substr(0, pos - 1));
      }
      pos = slash + 1;
    }
  };
  for (const UnitPaths& u : units) {
    std::set<std::string> prefixes;
    propose(resolve(u.name, u.comp_dir), false, prefixes);
    for (const std::string& p : prefixes) ++votes[p];
  }
  if (votes.empty()) {
    const std::vector<UnitPaths> read = with_include_dirs ? with_include_dirs() : std::vector<UnitPaths>();
    for (const UnitPaths& u : with_include_dirs ? read : units) {
      std::set<std::string> prefixes;
      for (const std::string& dir : u.include_dirs) propose(resolve(dir, u.comp_dir), true, prefixes);
      for (const std::string& p : prefixes) ++votes[p];
    }
  }
  std::string best;
  size_t best_votes = 0;
  for (const auto& [prefix, n] : votes) {
    if (n > best_votes || (n == best_votes && prefix.size() > best.size())) {
      best = prefix;
      best_votes = n;
    }
  }
  if (!best.empty()) set_root(best);
}

void SourceTree::infer_external_root(const std::vector<UnitPaths>& units) {
  std::string common;
  bool any = false;
  for (const UnitPaths& u : units) {
    std::string rel = relativize(u.name, u.comp_dir);
    if (!path::is_absolute(rel)) continue;
    std::string dir(rel.substr(0, rel.rfind('/')));
    if (!any) {
      common = dir;
      any = true;
      continue;
    }
    while (!common.empty() && common != "/" && !(dir == common || dir.starts_with(common + "/"))) {
      size_t slash = common.rfind('/');
      common = slash == 0 ? "/" : common.substr(0, slash);
    }
  }
  if (!any || common.empty() || common == "/") return;
  size_t slash = common.rfind('/');
  external_root_ = slash == 0 ? "/" : common.substr(0, slash);
  if (external_root_ == "/") external_root_.clear();
}

std::string SourceTree::relativize(std::string_view raw, std::string_view comp_dir) const {
  std::string full = resolve(raw, comp_dir);
  std::string objtree = path::normalize(comp_dir);
  if (external_dirs_.count(objtree) != 0) objtree.clear();
  bool mapped = !comp_dir.empty() && !path::is_absolute(comp_dir);

  auto strip_longest = [&](const std::string& p) -> std::string {
    std::string best;
    size_t best_len = 0;
    bool found = false;
    std::string rest;
    for (const std::string* root : std::array<const std::string*, 4>{&root_, &root_real_, &objtree, &external_root_}) {
      if (root->empty()) continue;
      if (path::strip_prefix(p, *root, rest) && (!found || root->size() > best_len)) {
        best = rest;
        best_len = root->size();
        found = true;
      }
    }
    if (found) return best;
    if (mapped && !path::is_absolute(p)) return p;  // already relative to the mapped source root
    return {};
  };

  std::string rel = strip_longest(full);
  if (!rel.empty()) return rel;
  if (path::is_absolute(full)) {
    std::string real = path::real_path(full);
    if (!real.empty() && real != full) {
      rel = strip_longest(real);
      if (!rel.empty()) return rel;
    }
  }
  return full;
}

}  // namespace kas
