// proto/socket_path: where kas and kasd meet, and the directory check that
// keeps another user from planting a socket there.
#include "proto/socket_path.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

// Sets or unsets an environment variable for one test, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name); old != nullptr) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DefaultSocketPath, KasSocketWins) {
  ScopedEnv socket("KAS_SOCKET", "/somewhere/k.sock");
  ScopedEnv run("XDG_RUNTIME_DIR", "/run/user/1234");
  EXPECT_EQ(default_socket_path(), "/somewhere/k.sock");
}

TEST(DefaultSocketPath, ThenTheRuntimeDirectory) {
  ScopedEnv socket("KAS_SOCKET", "");  // empty counts as unset
  ScopedEnv run("XDG_RUNTIME_DIR", "/run/user/1234");
  EXPECT_EQ(default_socket_path(), "/run/user/1234/kasd/kasd.sock");
}

TEST(DefaultSocketPath, ThenAPerUserDirectoryInTmp) {
  ScopedEnv socket("KAS_SOCKET", nullptr);
  ScopedEnv run("XDG_RUNTIME_DIR", "");
  EXPECT_EQ(default_socket_path(), "/tmp/kasd-" + std::to_string(::getuid()) + "/kasd.sock");
}

TEST(EnsurePrivateDirectory, CreatesTheDirectoryForUsOnly) {
  test::TempDir dir;
  ASSERT_TRUE(ensure_private_directory(dir.file("run/kasd.sock")));
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("run").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(st.st_uid, ::getuid());
  EXPECT_TRUE(ensure_private_directory(dir.file("run/kasd.sock")));  // existing: fine
}

TEST(EnsurePrivateDirectory, AFileInItsPlaceIsAnErrorNamingIt) {
  test::TempDir dir;
  test::write_text(dir.file("run"), "not a directory");
  auto r = ensure_private_directory(dir.file("run/kasd.sock"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find(dir.file("run")), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("not a directory"), std::string::npos) << r.error().message;
}

TEST(EnsurePrivateDirectory, AnOpenDirectoryInTmpIsRefused) {
  // /tmp is everyone's: a directory there others can enter may hold a socket
  // another user put in place before us.
  std::string open_dir = "/tmp/kas-socket-path-test-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(open_dir.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0755), 0);
  auto r = ensure_private_directory(open_dir + "/kasd.sock");
  ::rmdir(open_dir.c_str());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find(open_dir), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("other users"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace kas
