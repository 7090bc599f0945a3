// Writes the protocol seeds of the fuzz corpora: requests (bare protobuf)
// and frames (what a client sends: a Hello frame, then request frames).
//
// usage: kas_fuzz_seeds REQUESTS_DIR FRAMES_DIR OBJECT
//   OBJECT: a module object the module and lookup requests name
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "kas.pb.h"
#include "proto/framing.hpp"

namespace {

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: kas_fuzz_seeds REQUESTS_DIR FRAMES_DIR OBJECT\n");
    return 2;
  }
  const std::string requests = argv[1], frames = argv[2], object = argv[3];
  std::vector<kas::wire::Request> seeds(6);
  seeds[0].mutable_stats();
  seeds[1].mutable_reload();
  auto* module = seeds[2].mutable_module();
  module->set_input(object);
  module->mutable_census()->set_vmlinux(object);
  seeds[3].mutable_lookup()->add_patterns("name_show");
  seeds[3].mutable_lookup()->mutable_target()->mutable_kernel()->set_vmlinux(object);
  seeds[4].mutable_census()->mutable_sources()->set_vmlinux(object);
  seeds[4].mutable_census()->set_units(true);
  seeds[5].mutable_progress();
  kas::wire::Request hello;
  hello.mutable_hello()->set_protocol_version(kas::wire::PROTOCOL_VERSION_CURRENT);
  hello.mutable_hello()->set_build_id("fuzz");
  auto hello_frame = kas::wire::encode_frame(hello);
  if (!hello_frame) return 1;
  for (size_t i = 0; i < seeds.size(); ++i) {
    write_file(requests + "/request-" + std::to_string(i), seeds[i].SerializeAsString());
    auto frame = kas::wire::encode_frame(seeds[i]);
    if (!frame) return 1;
    write_file(frames + "/frames-" + std::to_string(i), *hello_frame + *frame);
  }
  write_file(frames + "/hello-only", *hello_frame);
  return 0;
}
