#include "tests/support/fixture_kernel.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>

#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas::test {

std::string fixtures_dir() { return KAS_TEST_FIXTURES_DIR; }

std::string decorate(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

namespace {

// The kernel the build made for `key` (tests/fixtures/CMakeLists.txt), if
// it did: its objtree path is in ID.objtree, written last.
std::optional<FixtureKernel> prebuilt(const std::string& key) {
  const std::string root = std::string(KAS_TEST_FIXTURE_KERNELS_DIR) + "/" + decorate(key);
  std::ifstream stamp(root + ".objtree");
  std::string objtree;
  if (!std::getline(stamp, objtree) || objtree.empty()) return std::nullopt;
  return FixtureKernel{.root = root, .objtree = objtree};
}

// The build's kernel for `key`, else build-kernel.sh MODE run behind
// `argv_prefix` (env(1) setting CC and the like for a cross build), once
// per `key` per test process.
const FixtureKernel& build_once(const std::string& key, const std::vector<std::string>& argv_prefix,
                                const std::string& mode) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<std::unique_ptr<TempDir>, FixtureKernel>> built;
  std::lock_guard lock(mutex);
  auto it = built.find(key);
  if (it != built.end()) return it->second.second;
  if (std::optional<FixtureKernel> shared = prebuilt(key)) {
    auto& slot = built[key];
    slot.second = *shared;
    return slot.second;
  }
  std::fprintf(stderr,
               "fixture kernel '%s' was not built with the tests (tests/fixtures/CMakeLists.txt): building it\n",
               key.c_str());
  auto dir = std::make_unique<TempDir>();
  FixtureKernel kernel;
  std::vector<std::string> argv = argv_prefix;
  argv.insert(argv.end(), {fixtures_dir() + "/build-kernel.sh", mode, dir->path()});
  ProcessResult r = run_process(argv);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "build-kernel.sh " << key << " failed (" << r.exit_code << "):\n" << r.err;
  } else {
    kernel.root = dir->path();
    kernel.objtree = split_lines(r.out).back();
  }
  auto& slot = built[key];
  slot.first = std::move(dir);
  slot.second = kernel;
  return slot.second;
}

}  // namespace

const FixtureKernel& fixture_kernel(const std::string& mode) { return build_once(mode, {}, mode); }

const FixtureKernel& fixture_kernel_with(const std::string& extra_cflags) {
  return build_once("intree " + extra_cflags, {"env", "EXTRA_CFLAGS=" + extra_cflags}, "intree");
}

std::string aarch64_toolchain_missing() {
  std::string gcc = std::string(kAarch64Prefix) + "gcc";
  if (run_process({gcc, "--version"}).exit_code == 0) return {};
  return gcc + " cannot be run: install gcc-aarch64-linux-gnu and binutils-aarch64-linux-gnu (.ci/setup --tests)";
}

const FixtureKernel& aarch64_fixture_modules(const std::string& extra_cflags) {
  std::string prefix = kAarch64Prefix;
  return build_once("aarch64 modules " + extra_cflags,
                    {"env", "CC=" + prefix + "gcc", "LD=" + prefix + "ld", "EXTRA_CFLAGS=" + extra_cflags},
                    "modules");
}

const std::vector<Marker>& source_markers() {
  static const std::vector<Marker> markers = [] {
    std::vector<Marker> out;
    namespace fs = std::filesystem;
    std::regex marker(R"(LOC ([A-Za-z0-9_.]+))");
    for (const char* top : {"kernel", "modules"}) {
      fs::path base = fs::path(fixtures_dir()) / top;
      for (const auto& entry : fs::recursive_directory_iterator(base)) {
        if (!entry.is_regular_file()) continue;
        std::string rel = fs::relative(entry.path(), base).string();
        if (std::string(top) == "modules") rel = "modules/" + rel;
        std::istringstream in(read_text(entry.path().string()));
        std::string line;
        uint32_t n = 0;
        while (std::getline(in, line)) {
          ++n;
          std::smatch m;
          if (std::regex_search(line, m, marker)) out.push_back({rel, m[1].str(), n});
        }
      }
    }
    return out;
  }();
  return markers;
}

std::vector<Marker> markers_for(const std::string& name) {
  std::vector<Marker> out;
  for (const Marker& m : source_markers()) {
    if (m.name == name) out.push_back(m);
  }
  return out;
}

std::vector<NmSymbol> nm_symbols(const std::string& path) {
  ProcessResult r = run_process(nm_command({}, path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<NmSymbol> out;
  for (const std::string& line : split_lines(r.out)) {
    NmSymbol s;
    std::istringstream in(line);
    if (line.size() > 0 && line[0] == ' ') {
      std::string type;
      in >> type >> s.name;
      s.type = type[0];
    } else {
      std::string value, type;
      in >> value >> type >> s.name;
      s.value = std::stoull(value, nullptr, 16);
      s.type = type[0];
      s.has_value = true;
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace kas::test
