// kasd's one memory budget (issue 27, G): what peers make it hold (a
// module's decompressed bytes, partial request frames, replies they do not
// read) stays within --memory-budget, measured as kasd's resident memory
// in /proc; past the budget a request fails with an error, never the daemon.
// On the main of issue 27 each of these grew kasd by several budgets.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/kasd_harness.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

constexpr int kBudgetMib = 64;
// What kasd may grow by besides the budget: allocator slack, protobuf
// objects while a reply is built, the stacks of its threads.
constexpr long kMarginKib = 48 * 1024;

class MemoryBudget : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::string socket_ = dir_.file("kasd.sock");
};

wire::Request census_of_modules(const std::string& dir) {
  wire::Request request;
  request.mutable_census()->mutable_sources()->add_module_dirs(dir);
  request.mutable_census()->set_lto(wire::LTO_NONE);
  return request;
}

TEST_F(MemoryBudget, DecompressionBombsFailTheirRequestWithinTheBudget) {
  // Four modules of 256 MiB each once decompressed, read two at a time.
  const std::string modules = dir_.file("bombs");
  ASSERT_EQ(::mkdir(modules.c_str(), 0700), 0);
  ASSERT_TRUE(test::write_decompression_bombs(modules, 4, 256));
  test::Kasd kasd(socket_, {"--memory-budget", std::to_string(kBudgetMib), "--jobs", "2"}, dir_.file("kasd.log"));
  ASSERT_GT(kasd.pid(), 0) << kasd.log();
  const long before = test::proc_status_kib(kasd.pid(), "VmHWM");
  const int fd = test::connect_greeted(socket_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(test::send_request(fd, census_of_modules(modules)));
  wire::Response response;
  ASSERT_TRUE(test::read_response(fd, response)) << kasd.log();
  ::close(fd);
  ASSERT_TRUE(response.has_error());
  EXPECT_NE(response.error().message().find("memory budget"), std::string::npos) << response.error().message();
  EXPECT_NE(response.error().message().find("bomb_"), std::string::npos) << response.error().message();
  const long peak = test::proc_status_kib(kasd.pid(), "VmHWM");
  EXPECT_LT(peak - before, kBudgetMib * 1024 + kMarginKib) << "kasd's peak went from " << before << " to " << peak
                                                             << " KiB with a " << kBudgetMib << " MiB budget";
  EXPECT_TRUE(kasd.alive());
  EXPECT_GE(test::connect_greeted(socket_), 0) << "kasd no longer answers";
}

TEST_F(MemoryBudget, PartialFramesBeyondTheBudgetAreRefused) {
  test::Kasd kasd(socket_, {"--memory-budget", std::to_string(kBudgetMib)}, dir_.file("kasd.log"));
  ASSERT_GT(kasd.pid(), 0) << kasd.log();
  const long before = test::proc_status_kib(kasd.pid(), "VmHWM");
  // Sixteen peers each announce a 16 MiB request, send 15 MiB of it and
  // stall (240 MiB if kasd kept them all).
  const std::string header("\x00\x00\x00\x01", 4);  // 16 MiB, little-endian
  const std::string body(15u << 20, 'x');
  std::vector<int> fds;
  int refused = 0;
  for (int i = 0; i < 16; ++i) {
    const int fd = test::connect_greeted(socket_);
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
    bool sent = ::send(fd, header.data(), header.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(header.size());
    for (size_t at = 0; sent && at < body.size();) {
      const ssize_t n = ::send(fd, body.data() + at, body.size() - at, MSG_NOSIGNAL);
      sent = n > 0;
      if (sent) at += static_cast<size_t>(n);
    }
    if (!sent) {
      // Refused: kasd said why before it closed.
      wire::Response response;
      ASSERT_TRUE(test::read_response(fd, response));
      ASSERT_TRUE(response.has_error());
      EXPECT_NE(response.error().message().find("memory budget"), std::string::npos) << response.error().message();
      ++refused;
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long peak = test::proc_status_kib(kasd.pid(), "VmHWM");
  EXPECT_LT(peak - before, kBudgetMib * 1024 + kMarginKib) << "kasd's peak went from " << before << " to " << peak
                                                             << " KiB with a " << kBudgetMib << " MiB budget";
  EXPECT_GE(refused, 12);
  // Others are served meanwhile, and everything is given back.
  EXPECT_GE(test::connect_greeted(socket_), 0) << "kasd no longer answers";
  for (int fd : fds) ::close(fd);
  EXPECT_TRUE(kasd.alive());
}

TEST_F(MemoryBudget, RepliesNobodyReadsAreHeldWithinTheBudget) {
  // A 100,000-name System.map: its census is a 2 MiB reply.
  std::string map;
  for (int i = 0; i < 100000; ++i) map += "ffffffff81000000 T census_name_" + std::to_string(i) + "\n";
  const std::string nm = dir_.file("System.map");
  test::write_text(nm, map);
  // 16 MiB, and replies wait for their reader up to 2 minutes: all of them
  // are held while the test looks.
  test::Kasd kasd(socket_, {"--memory-budget", "16", "--frame-timeout", "120"}, dir_.file("kasd.log"));
  ASSERT_GT(kasd.pid(), 0) << kasd.log();
  wire::Request request;
  request.mutable_census()->mutable_sources()->set_vmlinux(nm);
  request.mutable_census()->set_lto(wire::LTO_NONE);
  // Once read in full, so that the cached kernel is in what "before" holds.
  const int first = test::connect_greeted(socket_);
  ASSERT_GE(first, 0);
  ASSERT_TRUE(test::send_request(first, request));
  wire::Response full;
  ASSERT_TRUE(test::read_response(first, full)) << kasd.log();
  ASSERT_TRUE(full.has_census()) << full.DebugString().substr(0, 500);
  ASSERT_GT(full.ByteSizeLong(), 1900000u);
  ::close(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const long before = test::proc_status_kib(kasd.pid(), "VmRSS");
  // Twenty-four peers ask and never read (96 MiB held on the main of
  // issue 27: each reply decoded and encoded).
  std::vector<int> fds;
  for (int i = 0; i < 24; ++i) {
    const int fd = test::connect_greeted(socket_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(test::send_request(fd, request));
    fds.push_back(fd);
  }
  // Until every reply has begun to arrive: the rest of each waits in kasd.
  for (size_t i = 0, ready = 0; i < 600 && ready < fds.size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ready = 0;
    for (int fd : fds) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 0) == 1) ++ready;
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const long held = test::proc_status_kib(kasd.pid(), "VmRSS");
  std::printf("kasd holding 24 unread replies: %+ld KiB resident\n", held - before);
  EXPECT_LT(held - before, 16 * 1024 + kMarginKib) << "kasd went from " << before << " to " << held
                                                   << " KiB with a 16 MiB budget";
  // A peer that reads gets the whole reply or an error that says why.
  int complete = 0, refused = 0;
  for (int fd : fds) {
    wire::Response response;
    ASSERT_TRUE(test::read_response(fd, response));
    if (response.has_census() && response.census().symbfreq() == full.census().symbfreq()) ++complete;
    if (response.has_error() && response.error().message().find("memory budget") != std::string::npos) ++refused;
    ::close(fd);
  }
  EXPECT_EQ(complete + refused, 24);
  EXPECT_GE(refused, 12);
  EXPECT_GE(complete, 1);
  EXPECT_TRUE(kasd.alive());
}

}  // namespace
}  // namespace kas
