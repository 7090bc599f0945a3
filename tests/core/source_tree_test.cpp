#include "core/dwarf/source_tree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

TEST(SourceTree, InTreeBuildStripsTheObjectTree) {
  SourceTree tree;
  tree.infer_from({{"kernel/irq/irqdesc.c", "/home/u/linux"}, {"drivers/base/core.c", "/home/u/linux"}});
  EXPECT_EQ(tree.root(), "/home/u/linux");
  EXPECT_EQ(tree.relativize("./include/linux/device.h", "/home/u/linux"), "include/linux/device.h");
  EXPECT_EQ(tree.relativize("kernel/irq/irqdesc.c", "/home/u/linux"), "kernel/irq/irqdesc.c");
}

TEST(SourceTree, ObjectTreeBuildWithAbsoluteSourceTreeIsInferredByVote) {
  SourceTree tree;
  tree.infer_from({{"/src/kernel/linux/kernel/irq/irqdesc.c", "/build/obj"},
                   {"/src/kernel/linux/drivers/base/core.c", "/build/obj"},
                   {"/src/kernel/linux/fs/namei.c", "/build/obj"},
                   {"lib/oid_registry_data.c", "/build/obj"}});
  EXPECT_EQ(tree.root(), "/src/kernel/linux");
  EXPECT_EQ(tree.relativize("/src/kernel/linux/kernel/irq/irqdesc.c", "/build/obj"), "kernel/irq/irqdesc.c");
  // generated in the object tree
  EXPECT_EQ(tree.relativize("./include/generated/autoconf.h", "/build/obj"), "include/generated/autoconf.h");
  EXPECT_EQ(tree.relativize("lib/oid_registry_data.c", "/build/obj"), "lib/oid_registry_data.c");
}

TEST(SourceTree, RelativeSourceTreeAboveTheObjectTree) {
  SourceTree tree;
  tree.infer_from({{"../kernel/fork.c", "/k/build"}, {"../mm/slub.c", "/k/build"}});
  EXPECT_EQ(tree.root(), "/k");
  EXPECT_EQ(tree.relativize("../include/linux/sched.h", "/k/build"), "include/linux/sched.h");
  EXPECT_EQ(tree.relativize("include/generated/bounds.h", "/k/build"), "include/generated/bounds.h");
}

TEST(SourceTree, DebianPrefixMappedBuild) {
  // C units: comp_dir mapped to a relative path, sources relative to the
  // mapped root. Assembly units: unmapped absolute paths.
  const std::string obj = "debian/build/build_amd64_none_amd64";
  const std::string abs_root = "/build/reproducible-path/linux-6.1.192";
  SourceTree tree;
  tree.infer_from({{"arch/x86/kernel/head64.c", obj},
                   {abs_root + "/arch/x86/kernel/head_64.S", abs_root + "/" + obj},
                   {"init/main.c", obj}});
  EXPECT_EQ(tree.root(), abs_root);
  EXPECT_EQ(tree.relativize("drivers/uio/uio.c", obj), "drivers/uio/uio.c");
  EXPECT_EQ(tree.relativize(obj + "/include/generated/autoconf.h", obj), "include/generated/autoconf.h");
  EXPECT_EQ(tree.relativize(abs_root + "/arch/x86/kernel/head_64.S", abs_root + "/" + obj),
            "arch/x86/kernel/head_64.S");
  EXPECT_EQ(tree.relativize(abs_root + "/arch/x86/kernel/../../x86/xen/xen-head.S", abs_root + "/" + obj),
            "arch/x86/xen/xen-head.S");
}

TEST(SourceTree, GivenSymlinkedTreeMatchesEitherSpelling) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("real/kernel"));
  test::write_text(dir.file("real/kernel/fork.c"), "");
  std::filesystem::create_directory_symlink(dir.file("real"), dir.file("link"));
  SourceTree via_link(dir.file("link"));
  EXPECT_EQ(via_link.relativize(dir.file("real/kernel/fork.c"), "/elsewhere"), "kernel/fork.c");
  EXPECT_EQ(via_link.relativize(dir.file("link/kernel/fork.c"), "/elsewhere"), "kernel/fork.c");
  SourceTree via_real(dir.file("real"));
  EXPECT_EQ(via_real.relativize(dir.file("link/kernel/fork.c"), "/elsewhere"), "kernel/fork.c");
}

TEST(SourceTree, ObjtreeSourceSymlinkWins) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("obj"));
  std::filesystem::create_directories(dir.file("src/kernel"));
  std::filesystem::create_directory_symlink(dir.file("src"), dir.file("obj/source"));
  SourceTree tree;
  tree.infer_from({{dir.file("src/kernel/fork.c"), dir.file("obj")}});
  EXPECT_EQ(tree.root(), dir.file("src"));
}

// Linux 6.13 on compiles an external module (make M=DIR) from DIR itself:
// comp_dir is the module's directory, its sources named relative to it,
// module-common.c by its absolute path in the kernel tree. The module's
// files are outside the kernel's trees and read as 6.x's absolute names
// did (the module directory's name first); a real object tree (it has
// include/config/auto.conf) still roots the names relative to it.
TEST(SourceTree, ExternalModuleCompiledFromItsOwnDirectory) {
  test::TempDir dir;
  namespace fs = std::filesystem;
  const std::string linux_tree = dir.file("linux");
  const std::string obj = dir.file("obj");
  const std::string hello = dir.file("hello");
  fs::create_directories(linux_tree + "/scripts");
  fs::create_directories(obj + "/include/config");
  fs::create_directories(hello);
  test::write_text(obj + "/include/config/auto.conf", "CONFIG_MODULES=y\n");
  SourceTree tree(linux_tree);
  tree.infer_from({{"kas_hello.c", hello},
                   {"kas_hello.mod.c", hello},
                   {linux_tree + "/scripts/module-common.c", hello}});
  EXPECT_EQ(tree.relativize("kas_hello.c", hello), "hello/kas_hello.c");
  EXPECT_EQ(tree.relativize(linux_tree + "/scripts/module-common.c", hello), "scripts/module-common.c");
  EXPECT_EQ(tree.relativize("lib/oid_registry_data.c", obj), "lib/oid_registry_data.c");
  // kbuild's `kas module X.o` sees X.o alone: its one unit, the kernel tree
  // known from its include directories.
  SourceTree object(linux_tree);
  object.infer_from({{"kas_hello.c", hello}});
  EXPECT_EQ(object.relativize("kas_hello.c", hello), "hello/kas_hello.c");
}

TEST(SourceTree, PathsOutsideBothTreesStayAbsolute) {
  SourceTree tree("/home/u/linux");
  EXPECT_EQ(tree.relativize("/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h", "/home/u/linux"),
            "/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h");
}

}  // namespace
}  // namespace kas
