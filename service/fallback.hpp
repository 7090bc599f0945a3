// kas's routing: every request goes to the preferred Service (the stub to
// kasd), and to the fallback (in process) when the preferred one declines
// with kUnavailable (no daemon could be used), after a one-line warning. A
// failure of the request itself is the answer: it is not run twice.
#pragma once

#include <cstdio>

#include "service/service.hpp"

namespace kas::service {

class FallbackService final : public GenericService<FallbackService> {
 public:
  // `preferred` may be null: every request goes to `fallback`.
  FallbackService(Service* preferred, Service& fallback) : preferred_(preferred), fallback_(fallback) {}

  template <typename Op>
  [[nodiscard]] Result<typename Op::Answer> run(const typename Op::Request& request) {
    if (preferred_ != nullptr) {
      auto answer = call<Op>(*preferred_, request);
      if (answer || answer.error().code != ErrorCode::kUnavailable) return answer;
      std::fprintf(stderr, "kas: warning: no kasd (%s); running in-process\n", answer.error().message.c_str());
    }
    return call<Op>(fallback_, request);
  }

 private:
  Service* preferred_;
  Service& fallback_;
};

}  // namespace kas::service
