// Where a command's requests are answered: by kasd unless told otherwise
// (--no-daemon, KAS_NO_DAEMON in the environment) or none can be used, else
// in this process.
#pragma once

#include <mutex>
#include <optional>

#include "client/link/connection.hpp"
#include "client/render/progress_display.hpp"
#include "client/link/remote.hpp"
#include "service/fallback.hpp"
#include "service/in_process.hpp"

namespace kas::cli {

struct Routing {
  bool no_daemon = false;
  DaemonOptions daemon;
};

// A command's Service: the stub to kasd, falling back to this process. In
// process, a bar on a terminal while the kernel is indexed.
class Services {
 public:
  Services(const Routing& routing, unsigned jobs);
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  template <typename Op>
  [[nodiscard]] Result<typename Op::Answer> ask(const typename Op::Request& request) {
    auto answer = service::call<Op>(routed_, request);
    std::lock_guard lock(mutex_);
    line_.clear();
    return answer;
  }

 private:
  std::mutex mutex_;
  ProgressLine line_;
  std::optional<RemoteService> remote_;
  service::InProcessService local_;
  service::FallbackService routed_;
};

}  // namespace kas::cli
