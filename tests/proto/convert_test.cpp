// proto/convert*: every core type that crosses the socket survives
// core -> wire -> bytes -> wire -> core unchanged, and wire input the core
// types cannot represent is refused with a reason.
//
// Each value below gives every field a value of its own (no defaults, no two
// fields alike), so a field dropped, defaulted or swapped by a converter
// shows up as a difference.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "proto/convert.hpp"
#include "proto/convert_query.hpp"
#include "tests/support/answer_fields.hpp"

namespace kas {
namespace {

using test::fields;

// What the socket does to a message: serialize, then parse on the other side.
template <typename Message>
Message through_bytes(const Message& message) {
  Message out;
  EXPECT_TRUE(out.ParseFromString(message.SerializeAsString()));
  return out;
}

AliasOptions alias_options() { return {'~', true, Lto::kFull}; }

KernelFiles kernel_files() {
  return {"/b/System.map", {"/b/modules.order", "/x/modules.order"}, {"/lib/modules/6.1/kernel"}, "/b/symbfreq"};
}

SymbolDefinition definition(const std::string& name) {
  return {"uio", "/b/drivers/uio/uio.ko", name, 't', ".text.unlikely", 0x1c4, true, 0x58, 3,
          name + "%drivers_uio_uio_c_275", "drivers/uio/uio.c", 275, "drivers/uio/uio.c", 2, "by name (no ranges)"};
}

FrameQuery frame_query() {
  return {"name_show+0x1c/0x58 [uio 0123abcd]", true, 0xffffffffc052102cull, "name_show", 0x1c, true, 0x58, "uio", true,
          "0123abcd", "drivers/uio/uio.c", true, 3, true, 2, true};
}

TEST(Convert, AliasOptionsRoundTrip) {
  wire::AliasOptions w;
  wire::to_wire(alias_options(), w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(fields(*back), fields(alias_options()));
}

TEST(Convert, EveryLtoKindRoundTrips) {
  for (Lto lto : {Lto::kDetect, Lto::kNone, Lto::kThin, Lto::kFull}) {
    AliasOptions in;
    in.lto = lto;
    wire::AliasOptions w;
    wire::to_wire(in, w);
    auto back = wire::from_wire(through_bytes(w));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->lto, lto) << lto_spelling(lto);
  }
  // An unset field (an older client) asks for detection.
  auto unset = wire::from_wire(wire::AliasOptions());
  ASSERT_TRUE(unset);
  EXPECT_EQ(unset->lto, Lto::kDetect);
}

TEST(Convert, AnEmptySeparatorMeansTheDefault) {
  auto back = wire::from_wire(wire::AliasOptions());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->separator, AliasOptions().separator);
}

// A separator is one char in the core: AliasOptions and every request
// carrying them refuse a longer one.
TEST(Convert, ASeparatorOfSeveralCharactersIsRefusedEverywhere) {
  wire::AliasOptions alias;
  alias.set_separator("@@");
  wire::VmlinuxRequest vmlinux;
  vmlinux.set_elf_path("/b/vmlinux");
  vmlinux.mutable_alias()->set_separator("::");
  wire::ModuleRequest module;
  module.set_input("/b/uio.o");
  module.mutable_alias()->set_separator("ab");
  wire::QueryTarget target;
  target.mutable_kernel()->set_vmlinux("/b/vmlinux");
  target.mutable_alias()->set_separator("--");
  auto error_of = [](const auto& result) -> std::optional<Error> {
    if (result) return std::nullopt;
    return result.error();
  };
  const std::pair<const char*, std::optional<Error>> results[] = {
      {"alias options", error_of(wire::from_wire(alias))},
      {"vmlinux", error_of(wire::from_wire(vmlinux))},
      {"module", error_of(wire::from_wire(module))},
      {"query target", error_of(wire::from_wire(target))},
  };
  for (const auto& [what, error] : results) {
    ASSERT_TRUE(error) << what << " was accepted";
    EXPECT_EQ(error->code, ErrorCode::kInvalidArgument) << what;
    EXPECT_NE(error->message.find("separator"), std::string::npos) << what << ": " << error->message;
  }
}

// The daemon reads what any client sends: a separator the tracers would
// misread ('#' starts a kprobe_events comment) is refused with the reason.
TEST(Convert, ASeparatorTheTracersWouldMisreadIsRefusedWithTheReason) {
  for (const char* bad : {"#", "%", "'", "\"", "`", "\\", " ", "\t"}) {
    wire::AliasOptions alias;
    alias.set_separator(bad);
    auto r = wire::from_wire(alias);
    ASSERT_FALSE(r) << "'" << bad << "' was accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(r.error().message.starts_with(std::string("invalid separator '") + bad + "': ")) << r.error().message;
  }
  wire::AliasOptions fine;
  fine.set_separator("~");
  EXPECT_TRUE(wire::from_wire(fine));
}

TEST(Convert, KernelFilesRoundTrip) {
  wire::KernelFiles w;
  wire::to_wire(kernel_files(), w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(fields(*back), fields(kernel_files()));
}

// The thread count is the answering service's (kasd's own), never sent.
TEST(Convert, VmlinuxRequestRoundTripLeavesJobsToTheService) {
  VmlinuxRequest in{kernel_files(), "/b/vmlinux", "/src/linux", alias_options(), 3};
  wire::VmlinuxRequest w;
  wire::to_wire(in, w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  VmlinuxRequest expected = in;
  expected.jobs = VmlinuxRequest{}.jobs;
  EXPECT_EQ(fields(*back), fields(expected));
}

TEST(Convert, VmlinuxResultRoundTrip) {
  VmlinuxResult in;
  const char text[] = "ffffffff8c4f76d0 t name_show\n\0bytes, not UTF-8: \xff\n";  // wire type `bytes`
  in.text = std::string(text, sizeof text - 1);
  in.stats = {101, 102, 103, {104, 105, 106, 107, 108, 109},
              "thin (CONFIG_LTO_CLANG_THIN=y in ./include/config/auto.conf)"};
  in.unlocated_names = {"__entry_text_start", "ret_from_fork"};
  in.too_long_names = {std::string(500, 'x')};
  wire::VmlinuxReply w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, ModuleRequestRoundTrip) {
  ModuleRequest in;
  in.input = "/b/drivers/uio/uio.o";
  in.census = kernel_files();
  in.srctree = "/src/linux";
  in.alias = alias_options();
  wire::ModuleRequest w;
  wire::to_wire(in, w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(fields(*back), fields(in));
}

TEST(Convert, ModuleResultRoundTrip) {
  ModuleResult in;
  in.input = {.dev = 0x803, .ino = 1234567, .size = 98765, .mtime_ns = 1733580000123456789, .build_id = {}};
  in.aliases = {{"name_show", "name_show%drivers_uio_uio_c_275", ".text", 0x1c4, 't', 41, false},
                {"uio_major", "uio_major%drivers_uio_uio_c_30", ".bss", 0x8, 'b', 97, true}};
  in.newly_duplicated = {"uio_open"};
  in.unlocated = {"uio_asm_stub"};
  in.too_long = {std::string(500, 'y')};
  in.symbols = 201;
  in.eligible = 202;
  in.census_modules = 203;
  in.census_included_module = true;
  wire::ModuleReply w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, CensusRequestAndResultRoundTrip) {
  CensusRequest in{.sources = kernel_files(), .lto = Lto::kThin, .units = true, .jobs = 1};
  wire::CensusRequest w;
  wire::to_wire(in, w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(fields(*back), fields(in));
  CensusResult result{"name_show:16\nuio_open:1\n", 4023};
  wire::CensusReply reply;
  wire::to_wire(result, reply);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(reply))), fields(result));
}

TEST(Convert, AMissingNmTypeReadsAsUnknown) {
  wire::ModuleReply w;
  w.add_aliases()->set_symbol("f");
  kas::ModuleResult back = wire::from_wire(w);
  ASSERT_EQ(back.aliases.size(), 1u);
  EXPECT_EQ(back.aliases[0].nm_type, '?');  // ModuleAlias's own "unknown"
}

TEST(Convert, ErrorsKeepCodeAndMessage) {
  for (ErrorCode code : {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kIo, ErrorCode::kBadElf,
                         ErrorCode::kNoDebugInfo, ErrorCode::kBadDwarf, ErrorCode::kBadInput, ErrorCode::kInternal,
                         ErrorCode::kExhausted}) {
    Error in{code, std::string("/b/uio.o: ") + error_code_name(code)};
    wire::Error w;
    wire::to_wire(in, w);
    EXPECT_EQ(w.code(), static_cast<uint32_t>(code));  // kas.proto: the same values as kas::ErrorCode
    Error back = wire::from_wire(through_bytes(w));
    EXPECT_EQ(back.code, in.code);
    EXPECT_EQ(back.message, in.message);
  }
}

TEST(Convert, AnErrorCodeThisBuildDoesNotKnowIsInternal) {
  for (uint32_t code : {0u, 10u, 0xffffffffu}) {
    wire::Error w;
    w.set_code(code);
    w.set_message("from a newer kasd");
    Error back = wire::from_wire(w);
    EXPECT_EQ(back.code, ErrorCode::kInternal) << code;
    EXPECT_EQ(back.message, "from a newer kasd");
  }
}

TEST(Convert, QueryTargetRoundTrip) {
  // No census file: a question indexes the kernel's own files.
  QueryTarget in{{"/b/vmlinux", {"/b/modules.order"}, {"/b/extra", "/b/updates"}, ""}, "/src/linux", alias_options()};
  wire::QueryTarget w;
  wire::to_wire(in, w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(fields(*back), fields(in));
}

TEST(Convert, AQueryTargetWithoutVmlinuxIsRefused) {
  wire::QueryTarget w;
  w.mutable_kernel()->add_modules_orders("/b/modules.order");
  auto back = wire::from_wire(w);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(back.error().message.find("vmlinux"), std::string::npos) << back.error().message;
}

TEST(Convert, LookupAnswerRoundTrip) {
  LookupAnswer in{{definition("name_show"), definition("uio_read")}, 7};
  wire::LookupMatches w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, FrameQueryRoundTrip) {
  wire::FrameQuery w;
  wire::to_wire(frame_query(), w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(frame_query()));
}

TEST(Convert, ResolveAnswerRoundTrip) {
  ResolveAnswer in;
  in.query = frame_query();
  in.candidates.push_back({definition("name_show"), 0x1c, {{"inlined_helper", "include/linux/uio.h", 42},
                                                            {"name_show", "drivers/uio/uio.c", 280}}});
  in.candidates.push_back({definition("name_show_other"), 0x20, {}});
  in.error = "ambiguous: 2 definitions";
  wire::ResolveAnswer w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, ProbeAnswerRoundTrip) {
  ProbeAnswer in;
  in.query = frame_query();
  in.symbol = definition("name_show");
  in.location = "uio:uio_read+0x1c4";
  in.how = "anchor";
  in.anchor = "uio_read";
  in.anchor_offset = 0x1c4;
  in.anchor_after = true;
  in.candidates = {definition("name_show"), definition("name_show_other")};
  in.error = "two functions";
  wire::ProbeAnswer w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

// A path is bytes on the wire, but a NUL in one would make open(2) read
// another file: every request refuses it, wherever the path is.
TEST(Convert, APathWithANulByteIsRefusedInEveryRequest) {
  const std::string nul("/b/uio\0.o", 9);
  wire::ModuleRequest module;
  module.set_input(nul);
  wire::VmlinuxRequest vmlinux;
  vmlinux.mutable_census()->add_module_dirs(nul);
  wire::CensusRequest census;
  census.mutable_sources()->set_vmlinux(nul);
  wire::LookupRequest lookup;
  lookup.mutable_target()->mutable_kernel()->set_vmlinux("/b/vmlinux");
  lookup.mutable_target()->mutable_kernel()->add_modules_orders(nul);
  auto error_of = [](const auto& result) -> std::optional<Error> {
    if (result) return std::nullopt;
    return result.error();
  };
  const std::pair<const char*, std::optional<Error>> results[] = {
      {"module", error_of(wire::from_wire(module))},
      {"vmlinux", error_of(wire::from_wire(vmlinux))},
      {"census", error_of(wire::from_wire(census))},
      {"lookup", error_of(wire::from_wire(lookup))},
  };
  for (const auto& [what, error] : results) {
    ASSERT_TRUE(error) << what << " was accepted";
    EXPECT_EQ(error->code, ErrorCode::kInvalidArgument) << what;
    EXPECT_NE(error->message.find("NUL"), std::string::npos) << what << ": " << error->message;
  }
}

}  // namespace
}  // namespace kas
