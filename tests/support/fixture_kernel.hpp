// The fixture "kernel" (tests/fixtures): built with gcc by build-kernel.sh
// once per build (tests/fixtures/CMakeLists.txt) and shared read-only by
// the test processes (a test that modifies one copies it first), plus
// independent oracles over it: the LOC markers in the fixture sources (where
// each symbol is defined, read from the source text, not from DWARF) and
// binutils nm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kas::test {

struct FixtureKernel {
  std::string root;     // OUT of build-kernel.sh
  std::string objtree;  // where vmlinux, vmlinux.syms, modules.order live
  [[nodiscard]] std::string vmlinux() const { return objtree + "/vmlinux"; }
  [[nodiscard]] std::string syms() const { return objtree + "/vmlinux.syms"; }
  // kbuild's vmlinux.o, and a kallsyms pass's debug-less link of it.
  [[nodiscard]] std::string vmlinux_object() const { return objtree + "/vmlinux.o"; }
  [[nodiscard]] std::string kallsyms_link_syms() const { return objtree + "/.tmp_vmlinux.kallsyms1.syms"; }
  [[nodiscard]] std::string modules_order() const { return objtree + "/modules.order"; }
  // Modules live in modules/NAME/, except hello_twin (in modules/hello/).
  [[nodiscard]] static std::string module_dir(const std::string& name) {
    return name == "hello_twin" ? "hello" : name;
  }
  [[nodiscard]] std::string module(const std::string& name) const {
    return objtree + "/modules/" + module_dir(name) + "/" + name + ".ko";
  }
  // The object the final link turns into the .ko.
  [[nodiscard]] std::string module_object(const std::string& name) const {
    return objtree + "/modules/" + module_dir(name) + "/" + name + ".o";
  }
  [[nodiscard]] std::string module_part(const std::string& module, const std::string& part) const {
    return objtree + "/modules/" + module_dir(module) + "/parts-" + module + "/" + part + ".o";
  }
};

// Modes of build-kernel.sh: "intree", "objtree", "objtree-nolink", "mapped",
// "arm64", "lto-thin", "lto-full". Read-only: the same files for every test.
// Fails the calling test (ADD_FAILURE) and returns an empty root on error.
[[nodiscard]] const FixtureKernel& fixture_kernel(const std::string& mode);

// The "intree" fixture compiled with `extra_cflags` added (kbuild's arch
// flags, e.g. "-fcf-protection=branch" as CONFIG_X86_KERNEL_IBT adds), once
// per flags per build.
[[nodiscard]] const FixtureKernel& fixture_kernel_with(const std::string& extra_cflags);

// The arm64 cross toolchain's program prefix (gcc, ld, readelf, objdump).
inline constexpr const char* kAarch64Prefix = "aarch64-linux-gnu-";
// Why arm64 fixtures cannot be built ("" when they can): the tests skip
// without aarch64-linux-gnu-gcc.
[[nodiscard]] std::string aarch64_toolchain_missing();
// The fixture modules alone, built for arm64 with the cross toolchain and
// `extra_cflags` (kbuild's arch flags, e.g. "-fpatchable-function-entry=2
// -mbranch-protection=standard"), once per flags per build; module()
// and module_object() name them. Empty root on failure, as fixture_kernel.
[[nodiscard]] const FixtureKernel& aarch64_fixture_modules(const std::string& extra_cflags);

// "LOC name" markers in the fixture sources: file relative to the source
// tree ("drivers/base/core.c", "modules/hello/hello.c"), name, line.
struct Marker {
  std::string file;
  std::string name;
  uint32_t line = 0;
};
[[nodiscard]] const std::vector<Marker>& source_markers();
// Markers of `name` (several for duplicated names).
[[nodiscard]] std::vector<Marker> markers_for(const std::string& name);

// What binutils nm of `path`'s machine prints (without -a): value, letter,
// name.
struct NmSymbol {
  uint64_t value = 0;
  char type = '?';
  std::string name;
  bool has_value = false;
};
[[nodiscard]] std::vector<NmSymbol> nm_symbols(const std::string& path);

// The DESIGN's decoration, written independently of core/alias: every
// non-alphanumeric character becomes '_'.
[[nodiscard]] std::string decorate(std::string s);

// The fixtures directory in the source tree.
[[nodiscard]] std::string fixtures_dir();

}  // namespace kas::test
