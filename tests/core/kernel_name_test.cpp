// find_kernel_files: which files each way of naming a kernel stands for, in
// a scratch directory laid out like a kbuild tree, an installed kernel
// (ROOT/boot, ROOT/lib/modules/R) and an unpacked -dbg package
// (ROOT/usr/lib/debug/{boot,lib/modules/R}). Every expectation is a path
// this file created (or deliberately left out), never one read back from
// the code under test.
#include "core/index/kernel_name.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

namespace fs = std::filesystem;

// A release no host has installed: the system-wide fallbacks
// (/boot/System.map-R, /proc/kallsyms) never answer for it.
const std::string kRelease = "0.0.0-kas-test";

class KernelNameTest : public ::testing::Test {
 protected:
  // The scratch root, spelled as the resolver spells paths (no "//" from a
  // TMPDIR ending in '/').
  std::string root() const { return fs::path(dir_.path()).lexically_normal().string(); }
  std::string at(const std::string& relative) const { return root() + "/" + relative; }

  void make_dir(const std::string& relative) const { fs::create_directories(at(relative)); }
  void make_file(const std::string& relative, const std::string& text = "ffffffff81000000 T _text\n") const {
    fs::create_directories(fs::path(at(relative)).parent_path());
    test::write_text(at(relative), text);
  }

  // The image package: System.map and (stripped) modules.
  void install_image(const std::string& release = kRelease) const {
    make_file("boot/System.map-" + release);
    make_file("lib/modules/" + release + "/kernel/drivers/uio/uio.ko", "not read here");
  }
  // The -dbg package: vmlinux with DWARF, modules with DWARF, System.map.
  void install_debug(const std::string& release = kRelease) const {
    make_file("usr/lib/debug/boot/vmlinux-" + release, "an ELF file, not read here");
    make_file("usr/lib/debug/boot/System.map-" + release);
    make_file("usr/lib/debug/lib/modules/" + release + "/kernel/drivers/uio/uio.ko", "not read here");
  }

  static KernelName installed(const std::string& where, const std::string& root = {},
                              const std::string& system_map = {}) {
    return {.kind = KernelName::Kind::kInstalled, .where = where, .root = root, .system_map = system_map};
  }

  test::TempDir dir_;
};

using Strings = std::vector<std::string>;

// An installed kernel is a vmlinux and its modules directories: never a
// modules.order or a census file.
void expect_files(const Result<KernelFiles>& files, const std::string& vmlinux, const Strings& module_dirs) {
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->vmlinux, vmlinux);
  EXPECT_EQ(files->module_dirs, module_dirs);
  EXPECT_TRUE(files->modules_orders.empty());
  EXPECT_TRUE(files->census_path.empty());
}

// --- a kbuild tree: the same files whatever the caller needs ---

TEST_F(KernelNameTest, BuildTreeIsItsVmlinuxAndModulesOrder) {
  make_file("obj/vmlinux");
  make_file("obj/modules.order", "drivers/uio/uio.o\n");
  for (KernelNeeds needs : {KernelNeeds::kNames, KernelNeeds::kDebugInfo}) {
    auto files = find_kernel_files({.kind = KernelName::Kind::kBuildTree, .where = at("obj")}, needs);
    ASSERT_TRUE(files) << files.error().message;
    EXPECT_EQ(files->vmlinux, at("obj/vmlinux"));
    EXPECT_EQ(files->modules_orders, Strings{at("obj/modules.order")});
    EXPECT_TRUE(files->module_dirs.empty());
    EXPECT_TRUE(files->census_path.empty());
  }
}

TEST_F(KernelNameTest, BuildTreeWithoutModulesHasNoModulesOrder) {
  make_file("obj/vmlinux");
  auto files = find_kernel_files({.kind = KernelName::Kind::kBuildTree, .where = at("obj")}, KernelNeeds::kDebugInfo);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->vmlinux, at("obj/vmlinux"));
  EXPECT_TRUE(files->modules_orders.empty());
}

TEST_F(KernelNameTest, BuildTreeWithoutVmlinuxNamesIt) {
  make_file("obj/modules.order", "");
  auto files = find_kernel_files({.kind = KernelName::Kind::kBuildTree, .where = at("obj")}, KernelNeeds::kDebugInfo);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(files.error().message, at("obj/vmlinux") + ": no vmlinux in this build tree (build it, or give --kernel)");
}

// --- names only (kas module --kernel): System.map + the image's modules ---

TEST_F(KernelNameTest, NamesOfAModulesDirectoryAreTheImagesSystemMap) {
  install_image();
  install_debug();  // present, but a census needs none of it
  expect_files(find_kernel_files(installed(at("lib/modules/" + kRelease)), KernelNeeds::kNames),
               at("boot/System.map-" + kRelease), Strings{at("lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, NamesOfAReleaseBelowARoot) {
  install_image();
  expect_files(find_kernel_files(installed(kRelease, root()), KernelNeeds::kNames), at("boot/System.map-" + kRelease),
               Strings{at("lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, NamesPreferASystemMapInTheModulesDirectory) {
  install_image();
  make_file("lib/modules/" + kRelease + "/System.map");
  auto files = find_kernel_files(installed(at("lib/modules/" + kRelease)), KernelNeeds::kNames);
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->vmlinux, at("lib/modules/" + kRelease + "/System.map"));
}

TEST_F(KernelNameTest, NamesSkipDebiansPlaceholderForTheDebugPackagesSystemMap) {
  install_image();
  install_debug();
  make_file("boot/System.map-" + kRelease,
            "ffffffffffffffff B The real System.map is in the linux-image-" + kRelease + "-dbg package\n");
  // The -dbg package's System.map, but still the image's modules.
  expect_files(find_kernel_files(installed(at("lib/modules/" + kRelease)), KernelNeeds::kNames),
               at("usr/lib/debug/boot/System.map-" + kRelease), Strings{at("lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, NamesTakeAGivenSystemMapWithoutLooking) {
  install_image();
  make_file("elsewhere/System.map");
  expect_files(
      find_kernel_files(installed(at("lib/modules/" + kRelease), {}, at("elsewhere/System.map")), KernelNeeds::kNames),
      at("elsewhere/System.map"), Strings{at("lib/modules/" + kRelease)});

  auto missing =
      find_kernel_files(installed(at("lib/modules/" + kRelease), {}, at("elsewhere/nothing")), KernelNeeds::kNames);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, at("elsewhere/nothing") + ": no such System.map");
}

TEST_F(KernelNameTest, NamesWithoutAModulesDirectorySayWhich) {
  for (const KernelName& name : {installed(at("lib/modules/" + kRelease)), installed(kRelease, root())}) {
    auto files = find_kernel_files(name, KernelNeeds::kNames);
    ASSERT_FALSE(files) << name.where;
    EXPECT_EQ(files.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(files.error().message,
              at("lib/modules/" + kRelease) + ": no such modules directory for kernel '" + kRelease + "'");
  }
}

TEST_F(KernelNameTest, NamesWithoutASystemMapSayWhereTheyLooked) {
  make_dir("lib/modules/" + kRelease);
  auto files = find_kernel_files(installed(at("lib/modules/" + kRelease)), KernelNeeds::kNames);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, ErrorCode::kNotFound);
  const std::string& m = files.error().message;
  EXPECT_EQ(m.find("no System.map for kernel '" + kRelease + "'"), 0u) << m;
  for (const std::string& looked : {at("lib/modules/" + kRelease + "/System.map"), at("boot/System.map-" + kRelease),
                                    at("usr/lib/debug/boot/System.map-" + kRelease), "/boot/System.map-" + kRelease}) {
    EXPECT_NE(m.find(" " + looked), std::string::npos) << looked << " in " << m;
  }
  EXPECT_NE(m.find("linux-image-" + kRelease + "-dbg"), std::string::npos) << m;
  EXPECT_NE(m.find("--system-map FILE"), std::string::npos) << m;
}

// --- debug info (kas lookup/resolve/decode --kernel, --live) ---

TEST_F(KernelNameTest, DebugInfoOfAReleaseIsTheDebugPackages) {
  install_image();
  install_debug();
  expect_files(find_kernel_files(installed(kRelease, root()), KernelNeeds::kDebugInfo),
               at("usr/lib/debug/boot/vmlinux-" + kRelease), Strings{at("usr/lib/debug/lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, DebugInfoOfTheDebugPackagesModulesDirectory) {
  install_debug();
  expect_files(find_kernel_files(installed(at("usr/lib/debug/lib/modules/" + kRelease)), KernelNeeds::kDebugInfo),
               at("usr/lib/debug/boot/vmlinux-" + kRelease), Strings{at("usr/lib/debug/lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, DebugInfoOfTheImagesModulesDirectoryIsTheDebugPackageBesideIt) {
  install_image();
  install_debug();
  expect_files(find_kernel_files(installed(at("lib/modules/" + kRelease)), KernelNeeds::kDebugInfo),
               at("usr/lib/debug/boot/vmlinux-" + kRelease), Strings{at("usr/lib/debug/lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, DebugInfoWithoutDebugModulesIsVmlinuxAlone) {
  make_file("usr/lib/debug/boot/vmlinux-" + kRelease);
  expect_files(find_kernel_files(installed(kRelease, root()), KernelNeeds::kDebugInfo),
               at("usr/lib/debug/boot/vmlinux-" + kRelease), Strings{});
}

TEST_F(KernelNameTest, DebugInfoNeverTakesTheImagesFiles) {
  // The image's System.map and stripped modules, and the uncompressed
  // vmlinux some ports install in /boot: none has DWARF.
  install_image();
  make_file("boot/vmlinux-" + kRelease);
  for (const KernelName& name : {installed(kRelease, root()), installed(at("lib/modules/" + kRelease))}) {
    auto files = find_kernel_files(name, KernelNeeds::kDebugInfo);
    ASSERT_FALSE(files) << name.where << " gave " << files->vmlinux;
    EXPECT_EQ(files.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(files.error().message, at("usr/lib/debug/boot/vmlinux-" + kRelease) + ": no debug vmlinux for kernel '" +
                                         kRelease + "' (Debian: apt-get install linux-image-" + kRelease +
                                         "-dbg; or set DEBUGINFOD_URLS to fetch it by build-id)");
  }
}

TEST_F(KernelNameTest, DebugInfoOfAMissingModulesDirectorySaysSo) {
  install_debug();
  auto files = find_kernel_files(installed(at("nowhere/lib/modules/" + kRelease)), KernelNeeds::kDebugInfo);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(files.error().message,
            at("nowhere/lib/modules/" + kRelease) + ": no such modules directory for kernel '" + kRelease + "'");
}

// --- a debug package's vmlinux named instead of its release ---

TEST_F(KernelNameTest, DebugInfoOfADebugPackagesVmlinuxIsItsReleaseBelowTheSameRoot) {
  install_image();
  install_debug();
  expect_files(find_kernel_files(installed(at("usr/lib/debug/boot/vmlinux-" + kRelease)), KernelNeeds::kDebugInfo),
               at("usr/lib/debug/boot/vmlinux-" + kRelease), Strings{at("usr/lib/debug/lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, NamesOfADebugPackagesVmlinuxAreThatKernels) {
  // Installed: the image's modules, as for the release.
  install_image();
  install_debug();
  expect_files(find_kernel_files(installed(at("usr/lib/debug/boot/vmlinux-" + kRelease)), KernelNeeds::kNames),
               at("boot/System.map-" + kRelease), Strings{at("lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, NamesOfAnUnpackedDebugPackageAloneAreItsOwn) {
  install_debug();
  expect_files(find_kernel_files(installed(at("usr/lib/debug/boot/vmlinux-" + kRelease)), KernelNeeds::kNames),
               at("usr/lib/debug/boot/System.map-" + kRelease),
               Strings{at("usr/lib/debug/lib/modules/" + kRelease)});
}

TEST_F(KernelNameTest, AnyOtherFileIsExplainedNotTakenForAModulesDirectory) {
  make_file("boot/vmlinux-" + kRelease);
  make_file("elsewhere/vmlinux");
  struct Case {
    std::string file;
    KernelNeeds needs;
    std::string option;   // the option that takes this file
    std::string release;  // what --kernel would take instead
  };
  for (const Case& c : {Case{at("boot/vmlinux-" + kRelease), KernelNeeds::kDebugInfo, "--vmlinux", kRelease},
                        Case{at("elsewhere/vmlinux"), KernelNeeds::kDebugInfo, "--vmlinux", "RELEASE"},
                        Case{at("elsewhere/vmlinux"), KernelNeeds::kNames, "--nm", "RELEASE"}}) {
    auto files = find_kernel_files(installed(c.file), c.needs);
    ASSERT_FALSE(files) << c.file;
    EXPECT_EQ(files.error().code, ErrorCode::kInvalidArgument);
    const std::string& m = files.error().message;
    EXPECT_EQ(m.find(c.file + " is a file: --kernel takes a release as uname -r prints it"), 0u) << m;
    EXPECT_NE(m.find("ROOT/usr/lib/debug/boot/vmlinux-RELEASE"), std::string::npos) << m;
    EXPECT_NE(m.find(c.option + " " + c.file), std::string::npos) << m;
    EXPECT_NE(m.find("--kernel " + c.release + " "), std::string::npos) << m;
    EXPECT_EQ(m.find("modules directory for kernel"), std::string::npos) << m;
  }
}

// --- the running kernel ---

// uname -r as the kernel reports it in procfs (not through the code under
// test); "" when procfs is not there.
std::string osrelease() {
  std::string text = test::exists("/proc/sys/kernel/osrelease") ? test::read_text("/proc/sys/kernel/osrelease") : "";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

TEST_F(KernelNameTest, RunningReleaseIsUnameR) {
  const std::string release = osrelease();
  if (release.empty()) GTEST_SKIP() << "no /proc/sys/kernel/osrelease";
  EXPECT_EQ(running_release(), release);
}

TEST_F(KernelNameTest, DebugInfoOfTheRunningKernelBelowARoot) {
  const std::string release = osrelease();
  if (release.empty()) GTEST_SKIP() << "no /proc/sys/kernel/osrelease";
  install_debug(release);
  expect_files(find_kernel_files({.kind = KernelName::Kind::kRunning, .root = root()}, KernelNeeds::kDebugInfo),
               at("usr/lib/debug/boot/vmlinux-" + release), Strings{at("usr/lib/debug/lib/modules/" + release)});

  auto empty = find_kernel_files({.kind = KernelName::Kind::kRunning, .root = at("empty")}, KernelNeeds::kDebugInfo);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find(at("empty/usr/lib/debug/boot/vmlinux-" + release)), std::string::npos)
      << empty.error().message;
}

TEST_F(KernelNameTest, NamesOfTheRunningKernelFallBackToKallsyms) {
  const std::string release = osrelease();
  if (release.empty() || !test::exists("/proc/kallsyms")) GTEST_SKIP() << "no procfs";
  if (test::exists("/boot/System.map-" + release) || test::exists("/usr/lib/debug/boot/System.map-" + release)) {
    GTEST_SKIP() << "this host has a System.map for " << release;
  }
  install_image(release);
  fs::remove(at("boot/System.map-" + release));
  expect_files(find_kernel_files(installed(at("lib/modules/" + release)), KernelNeeds::kNames), "/proc/kallsyms",
               Strings{at("lib/modules/" + release)});
}

}  // namespace
}  // namespace kas
