// The service seam (service/service.hpp): every operation, asked of the
// three Services on the fixture kernel, gets the same answer from each:
// InProcessService (a snapshot per request), CachedService (kasd's cache,
// here in this process) and RemoteService (kas's stub, to a real kasd on a
// real socket). The answers are compared field by field (answer_fields.hpp);
// each is first checked against what the fixture sources say (LOC markers)
// and binutils nm, so that three empty or three wrong answers cannot pass.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "client/link/remote.hpp"
#include "core/query/frame_spec.hpp"
#include "service/cached.hpp"
#include "service/in_process.hpp"
#include "service/module_output.hpp"
#include "tests/daemon/kasd_harness.hpp"
#include "tests/support/answer_fields.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

using test::fields;

class ServiceSeam : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
    kasd_ = std::make_unique<test::Kasd>(dir_.file("kasd.sock"), std::vector<std::string>{"--jobs", "2"},
                                         dir_.file("kasd.log"));
    ASSERT_GT(kasd_->pid(), 0) << kasd_->log();
    remote_ = std::make_unique<cli::RemoteService>(cli::DaemonOptions{kasd_->socket(), /*autostart=*/false});
  }

  // Each Service's answer to `request`; every one must succeed.
  template <typename Op>
  std::vector<typename Op::Answer> answers(const typename Op::Request& request) {
    std::vector<typename Op::Answer> all;
    for (service::Service* s : services()) {
      auto answer = service::call<Op>(*s, request);
      EXPECT_TRUE(answer) << answer.error().message;
      if (answer) all.push_back(std::move(*answer));
    }
    return all;
  }

  template <typename Answer>
  void expect_all_alike(const std::vector<Answer>& all) {
    ASSERT_EQ(all.size(), 3u);
    EXPECT_TRUE(fields(all[0]) == fields(all[1])) << "in process and cached differ";
    EXPECT_TRUE(fields(all[0]) == fields(all[2])) << "in process and through kasd differ";
  }

  // vmlinux as the ELF file (questions) or its nm listing (kbuild's).
  [[nodiscard]] KernelFiles kernel_files(bool elf) const {
    KernelFiles files;
    files.vmlinux = elf ? k_->vmlinux() : k_->syms();
    files.modules_orders = {k_->modules_order()};
    return files;
  }
  [[nodiscard]] QueryTarget target() const {
    QueryTarget t;
    t.kernel = kernel_files(true);
    return t;
  }
  [[nodiscard]] ModuleRequest module_request(const std::string& input) const {
    ModuleRequest r;
    r.input = input;
    r.census = kernel_files(false);
    return r;
  }

  std::vector<service::Service*> services() { return {&in_process_, &cached_, remote_.get()}; }

  const test::FixtureKernel* k_ = nullptr;
  test::TempDir dir_;
  service::InProcessService in_process_{2};
  service::CachedService cached_{size_t{256} << 20, 2};
  std::unique_ptr<test::Kasd> kasd_;
  std::unique_ptr<cli::RemoteService> remote_;
};

TEST_F(ServiceSeam, VmlinuxIsAnsweredAlike) {
  VmlinuxRequest request;
  request.census = kernel_files(false);
  request.elf_path = k_->vmlinux();
  auto all = answers<service::VmlinuxOperation>(request);
  ASSERT_EQ(all.size(), 3u);
  // name_show is defined in two kernel files and two modules (LOC markers):
  // vmlinux's two copies get an alias line each.
  ASSERT_EQ(test::markers_for("name_show").size(), 4u);
  size_t alias_lines = 0;
  for (size_t at = 0; (at = all[0].text.find(" name_show@", at)) != std::string::npos; ++at) ++alias_lines;
  EXPECT_EQ(alias_lines, 2u) << all[0].text;
  expect_all_alike(all);
}

TEST_F(ServiceSeam, ModuleIsAnsweredAlikeAndWrittenAlike) {
  const std::string input = k_->module_object("hello");
  auto all = answers<service::ModuleOperation>(module_request(input));
  ASSERT_EQ(all.size(), 3u);
  bool name_show = false;
  for (const ModuleAlias& a : all[0].aliases) name_show = name_show || a.symbol == "name_show";
  EXPECT_TRUE(name_show) << "hello's name_show is duplicated (LOC markers) and gets an alias";
  expect_all_alike(all);
  // Whichever Service answered, kas writes the same object from it.
  std::vector<std::string> written;
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string out = dir_.file("hello.o." + std::to_string(i));
    auto added = service::ModuleOutput::open(input, out, false).write(all[i]);
    ASSERT_TRUE(added) << added.error().message;
    written.push_back(test::read_text(out));
  }
  EXPECT_FALSE(written[0].empty());
  EXPECT_EQ(written[0], written[1]);
  EXPECT_EQ(written[0], written[2]);
}

TEST_F(ServiceSeam, CensusIsAnsweredAlike) {
  for (bool units : {false, true}) {
    auto all = answers<service::CensusOperation>({.sources = kernel_files(false), .units = units});
    ASSERT_EQ(all.size(), 3u);
    EXPECT_NE(all[0].symbfreq.find("name_show:4\n"), std::string::npos) << all[0].symbfreq;
    expect_all_alike(all);
  }
}

TEST_F(ServiceSeam, LookupIsAnsweredAlike) {
  auto all = answers<service::LookupOperation>({.target = target(), .patterns = {"name_show", "nothing_named_so"}});
  ASSERT_EQ(all.size(), 3u);
  ASSERT_EQ(all[0].size(), 2u);
  EXPECT_EQ(all[0][0].definitions.size(), test::markers_for("name_show").size());
  EXPECT_TRUE(all[0][1].definitions.empty());
  expect_all_alike(all);
}

TEST_F(ServiceSeam, ResolveAndProbeAreAnsweredAlike) {
  std::vector<FrameQuery> queries;
  for (const char* spec : {"name_show+0x4 [hello]", "name_show", "name_show@drivers/base/core.c", "name_show,2"}) {
    auto q = parse_frame_spec(spec);
    ASSERT_TRUE(q) << spec << ": " << q.error().message;
    queries.push_back(*q);
  }
  auto resolved = answers<service::ResolveOperation>({.target = target(), .queries = queries});
  ASSERT_EQ(resolved.size(), 3u);
  ASSERT_EQ(resolved[0].size(), queries.size());
  EXPECT_FALSE(resolved[0][0].candidates.empty()) << resolved[0][0].error;
  expect_all_alike(resolved);
  for (bool aliases : {false, true}) {
    auto probed = answers<service::ProbeOperation>(
        {.target = target(), .queries = queries, .kernel_has_aliases = aliases});
    ASSERT_EQ(probed.size(), 3u);
    ASSERT_EQ(probed[0].size(), queries.size());
    expect_all_alike(probed);
  }
}

// A failure is the same failure from each: same code, same message.
TEST_F(ServiceSeam, AFailureIsAnsweredAlike) {
  const std::string missing = dir_.file("absent.o");
  std::vector<Error> errors;
  for (service::Service* s : services()) {
    auto answer = s->module(module_request(missing));
    ASSERT_FALSE(answer);
    errors.push_back(answer.error());
  }
  for (const Error& e : errors) {
    EXPECT_EQ(e.code, ErrorCode::kNotFound) << e.message;
    EXPECT_EQ(e.message, errors[0].message);
    EXPECT_NE(e.message.find(missing), std::string::npos) << e.message;
  }
}

// A relative path is named as it was given, by each: the stub sends kasd
// the absolute path and says kasd's error back with the user's spelling.
TEST_F(ServiceSeam, AFailureNamesARelativePathAsGiven) {
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  std::vector<Error> errors;
  for (service::Service* s : services()) {
    auto answer = s->module(module_request("absent.o"));
    if (!answer) errors.push_back(answer.error());
  }
  std::filesystem::current_path(cwd);
  ASSERT_EQ(errors.size(), services().size());
  for (const Error& e : errors) {
    EXPECT_EQ(e.code, ErrorCode::kNotFound) << e.message;
    EXPECT_EQ(e.message, errors[0].message);
    EXPECT_NE(e.message.find("absent.o"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find(dir_.path()), std::string::npos) << e.message;
  }
}

}  // namespace
}  // namespace kas
