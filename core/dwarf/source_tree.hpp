// Turns paths recorded in DWARF into paths relative to the kernel source tree.
//
// kbuild compiles every unit from the object tree (DW_AT_comp_dir), naming
// sources by $(srctree)/path, where srctree is ".", "..", or absolute. A
// build may also remap prefixes (-fdebug-prefix-map): Debian records
// comp_dir "debian/build/build_amd64_none_amd64" and sources relative to the
// mapped source root ("drivers/uio/uio.c"), while assembly units keep the
// unmapped absolute paths. An alias must name the same path in all cases,
// with no build directory in it, so every recorded path is resolved against
// its unit's comp_dir and then stripped of the longest known root: the
// source tree (given, or inferred from the binary's units) or the object tree.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kas {

// One compilation unit's recorded names, as read from its DW_TAG_compile_unit.
struct UnitPaths {
  std::string name;      // DW_AT_name
  std::string comp_dir;  // DW_AT_comp_dir ("" when absent)
  std::vector<std::string> include_dirs = {};  // line-table directories (only when asked for)
};

class SourceTree {
 public:
  // `srctree` as the user gave it ("" = infer). Its realpath is also tried,
  // so a symlinked tree matches DWARF that recorded either form.
  explicit SourceTree(std::string srctree = {});

  // Infers the source tree from a binary's units when none was given
  // (first of: objtree/source symlink that kbuild creates in O= builds; an
  // absolute comp_dir ending in another unit's prefix-mapped relative
  // comp_dir; the prefix most units share before a top-level kernel directory
  // such as kernel/, drivers/, include/; failing that, the same vote over
  // the units' include directories, which finds the kernel headers an
  // out-of-tree module was built against). A no-op when a tree is known.
  // Then, for units outside both trees (an out-of-tree module's sources),
  // their common directory's parent becomes an extra root, so
  // /home/u/hello/hello.c reads "hello/hello.c".
  // `with_include_dirs`, when given, returns the units again with their
  // include directories, and is called only when the unit names alone do
  // not reveal the tree (reading every line program header costs ~100 ms
  // in a large module); otherwise `units`' own include_dirs are used.
  void infer_from(const std::vector<UnitPaths>& units,
                  const std::function<std::vector<UnitPaths>()>& with_include_dirs = {});

  // The tree in use ("" when unknown).
  [[nodiscard]] const std::string& root() const { return root_; }

  // `raw` (a DW_AT_name or line-table file) made relative to the source or
  // object tree; absolute only when it lies outside both (system headers).
  [[nodiscard]] std::string relativize(std::string_view raw, std::string_view comp_dir) const;

 private:
  void set_root(std::string root);

  void infer_root(const std::vector<UnitPaths>& units,
                  const std::function<std::vector<UnitPaths>()>& with_include_dirs);
  void infer_external_root(const std::vector<UnitPaths>& units);

  std::string root_;
  std::string root_real_;
  std::string external_root_;
  std::set<std::string> external_dirs_;  // comp_dirs that are an external module's directory
};

}  // namespace kas
