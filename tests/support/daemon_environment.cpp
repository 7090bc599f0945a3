// Every test process gets its own kasd socket (so tests never talk to a
// developer's daemon or to each other's) and stops that daemon at the end.
// kas commands in tests therefore run through a real daemon unless they pass
// --no-daemon, and both paths are exercised.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas::test {
namespace {

class DaemonEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>();
    socket_ = dir_->file("kasd.sock");
    ::setenv("KAS_SOCKET", socket_.c_str(), 1);
    ::setenv("KASD_IDLE_TIMEOUT", "60", 1);  // a crashed test leaves no daemon for long
  }
  void TearDown() override {
    // No socket, no daemon: most test processes never start one, and a kas
    // under the sanitizers costs a quarter of a second to start.
    if (std::filesystem::exists(std::filesystem::symlink_status(socket_))) {
      (void)run_process({kas_binary(), "daemon", "stop", "--socket", socket_});
    }
    dir_.reset();
  }

 private:
  std::unique_ptr<TempDir> dir_;
  std::string socket_;
};

[[maybe_unused]] const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new DaemonEnvironment);

}  // namespace
}  // namespace kas::test
