// kas-fetch: debug files by build-id through libdebuginfod, for kas.
//
// kas links statically (it starts once per module in a build); libdebuginfod
// brings libcurl and is only wanted when debug files are missing, so it
// lives in this small dynamically linked helper that kas runs with the
// user's environment (DEBUGINFOD_URLS, DEBUGINFOD_CACHE_PATH, ...).
//
// usage: kas-fetch NAME=BUILDID...
// Prints "BUILDID PATH" per file found, "kas-fetch: NAME (BUILDID): reason"
// on stderr per file not found (exit 1 when any is missing), and on a
// terminal a progress line while downloading. Exit 3: the debuginfod cache
// is not the user's own (the path and why on stderr); nothing is fetched.
//
// The cache: $DEBUGINFOD_CACHE_PATH, else CACHE/debuginfod_client, where
// libdebuginfod itself puts it when HOME or XDG_CACHE_HOME is set; CACHE is
// the user's own (client/fetch/user_cache.hpp), so with HOME unset it is the
// password database's home, not libdebuginfod's "/" nor a shared directory.
// Either must be a directory of the user's that no one else may write:
// libdebuginfod writes and cleans (deletes in) it by path.
#include <elfutils/debuginfod.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "client/fetch/user_cache.hpp"

namespace {

constexpr int kExitNoCache = 3;

// The checked cache, exported as DEBUGINFOD_CACHE_PATH for libdebuginfod.
bool use_private_cache() {
  const char* given = std::getenv("DEBUGINFOD_CACHE_PATH");
  kas::Result<kas::cli::PrivateDir> dir = kas::fail(kas::ErrorCode::kInternal, "");
  if (given != nullptr && *given != '\0') {
    dir = kas::cli::open_private_dir(given);
  } else {
    auto home = kas::cli::user_cache_home();
    auto top = home ? kas::cli::open_private_dir(*home) : kas::Result<kas::cli::PrivateDir>(std::unexpected(home.error()));
    dir = top ? kas::cli::private_subdir(*top, {"debuginfod_client"}) : std::move(top);
  }
  if (!dir) {
    std::fprintf(stderr, "kas-fetch: %s (the debuginfod cache; set DEBUGINFOD_CACHE_PATH to a directory of yours)\n",
                 dir.error().message.c_str());
    return false;
  }
  ::setenv("DEBUGINFOD_CACHE_PATH", dir->path.c_str(), 1);
  return true;
}

struct Progress {
  std::string name;
  bool tty = false;
  bool shown = false;
};

int show_progress(debuginfod_client* client, long done, long total) {
  auto* p = static_cast<Progress*>(debuginfod_get_user_data(client));
  if (p == nullptr || !p->tty) return 0;
  if (total > 0) {
    const int width = 30;
    int filled = static_cast<int>(done * width / total);
    std::fprintf(stderr, "\rkas: fetching %s [%s%s] %.1f/%.1f MiB", p->name.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, ' ').c_str(), static_cast<double>(done) / 1048576.0,
                 static_cast<double>(total) / 1048576.0);
  } else {
    std::fprintf(stderr, "\rkas: fetching %s %.1f MiB", p->name.c_str(), static_cast<double>(done) / 1048576.0);
  }
  p->shown = true;
  return 0;  // 0: go on
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fprintf(argc < 2 ? stderr : stdout,
                 "usage: kas-fetch NAME=BUILDID...\n\n"
                 "Fetches each debug file by build-id through libdebuginfod (DEBUGINFOD_URLS) and\n"
                 "prints 'BUILDID PATH' per file. Used by kas --live when the running kernel's\n"
                 "debug files are not installed.\n");
    return argc < 2 ? 2 : 0;
  }
  if (!use_private_cache()) return kExitNoCache;
  debuginfod_client* client = debuginfod_begin();
  if (client == nullptr) {
    std::fprintf(stderr, "kas-fetch: cannot start a debuginfod client\n");
    return 1;
  }
  Progress progress;
  progress.tty = ::isatty(2) == 1;
  debuginfod_set_user_data(client, &progress);
  debuginfod_set_progressfn(client, show_progress);
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    size_t eq = arg.find('=');
    std::string name = eq == std::string::npos ? arg : arg.substr(0, eq);
    std::string build_id = eq == std::string::npos ? arg : arg.substr(eq + 1);
    progress.name = name;
    char* path = nullptr;
    int fd = debuginfod_find_debuginfo(client, reinterpret_cast<const unsigned char*>(build_id.c_str()), 0, &path);
    if (progress.shown) {
      std::fprintf(stderr, "\r\033[K");
      progress.shown = false;
    }
    if (fd < 0) {
      std::fprintf(stderr, "kas-fetch: %s (build-id %s): %s\n", name.c_str(), build_id.c_str(),
                   fd == -ENOENT ? "no debuginfod server has it" : std::strerror(-fd));
      status = 1;
      continue;
    }
    ::close(fd);
    std::printf("%s %s\n", build_id.c_str(), path);
    std::free(path);
  }
  debuginfod_end(client);
  return status;
}
