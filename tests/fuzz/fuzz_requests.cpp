// The request dispatcher: any protobuf Request kasd's sessions would pass it
// (kasd itself only after a Hello), answered with exactly one Response.
#include <cstddef>
#include <cstdint>

#include "daemon/dispatch.hpp"
#include "kas.pb.h"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kas::fuzz::enter_scratch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static kas::daemon::Dispatcher dispatcher("fuzz", 1, 64u << 20);
  auto request = kas::wire::RequestEnvelope::parse({reinterpret_cast<const char*>(data), size});
  if (!request) return 0;
  bool shutdown = false;
  const kas::wire::ResponseEnvelope response = dispatcher.handle(*request, shutdown);
  if (response.message().body_case() == kas::wire::Response::BODY_NOT_SET) __builtin_trap();
  return 0;
}
