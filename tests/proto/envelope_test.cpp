// proto/*_envelope: what kas and kasd send through the envelopes is, byte
// for byte, the message the generated API builds by hand (as the programs
// did before the envelopes), and what they read back is what was sent.
// The daemon's own values give every field a value of its own, so a field
// dropped or swapped by a converter shows up.
#include <gtest/gtest.h>

#include <string>

#include "kas.pb.h"
#include "proto/convert_query.hpp"
#include "proto/framing.hpp"
#include "proto/operation_envelope.hpp"
#include "proto/operation_wire.hpp"

namespace kas {
namespace {

std::string frame_of(const google::protobuf::MessageLite& message) {
  auto frame = wire::encode_frame(message);
  EXPECT_TRUE(frame) << frame.error().message;
  return frame ? *frame : std::string();
}

std::string frame_of(const wire::RequestEnvelope& envelope) {
  auto frame = envelope.frame();
  EXPECT_TRUE(frame) << frame.error().message;
  return frame ? *frame : std::string();
}

wire::DaemonHello daemon_hello() {
  wire::DaemonHello h;
  h.protocol_version = wire::kProtocolVersion;
  h.build_id = "0.1.0+envelope-test";
  h.capabilities = {"census", "stats"};
  h.pid = 4242;
  h.executable = "/usr/bin/kasd (deleted)";
  h.socket_activated = true;
  return h;
}

wire::DaemonStats daemon_stats() {
  return {.kernels = 1,
          .files = 2,
          .memory_bytes = 3,
          .requests = 4,
          .uptime_seconds = 5,
          .pid = 6,
          .build_id = "7",
          .records_read = 8,
          .records_reused = 9,
          .indexes_built = 10};
}

TEST(RequestEnvelope, TheClientsHelloIsTheMessageBuiltByHand) {
  wire::DaemonHello ours;
  ours.protocol_version = wire::kProtocolVersion;
  ours.build_id = "0.1.0+envelope-test";
  ours.pid = 17;
  wire::Request by_hand;
  by_hand.mutable_hello()->set_protocol_version(wire::PROTOCOL_VERSION_CURRENT);
  by_hand.mutable_hello()->set_build_id("0.1.0+envelope-test");
  by_hand.mutable_hello()->set_pid(17);
  EXPECT_EQ(frame_of(wire::RequestEnvelope::hello(ours)), frame_of(by_hand));
}

TEST(RequestEnvelope, ControlRequestsAreTheMessagesBuiltByHandAndKnownAsControl) {
  wire::Request stats, reload, shutdown, progress;
  stats.mutable_stats();
  reload.mutable_reload();
  shutdown.mutable_shutdown();
  QueryTarget target{{"/b/vmlinux", {"/b/modules.order"}, {"/b/drivers"}, ""}, "/src", {'~', true, Lto::kThin}};
  wire::to_wire(target, *progress.mutable_progress()->mutable_target());
  EXPECT_EQ(frame_of(wire::RequestEnvelope::stats()), frame_of(stats));
  EXPECT_EQ(frame_of(wire::RequestEnvelope::reload()), frame_of(reload));
  EXPECT_EQ(frame_of(wire::RequestEnvelope::shutdown()), frame_of(shutdown));
  EXPECT_EQ(frame_of(wire::RequestEnvelope::progress(target)), frame_of(progress));

  EXPECT_EQ(wire::RequestEnvelope::stats().kind(), wire::RequestKind::kStats);
  EXPECT_EQ(wire::RequestEnvelope::reload().kind(), wire::RequestKind::kReload);
  EXPECT_EQ(wire::RequestEnvelope::shutdown().kind(), wire::RequestKind::kShutdown);
  EXPECT_EQ(wire::RequestEnvelope::hello({}).kind(), wire::RequestKind::kHello);
  const auto asked = wire::RequestEnvelope::progress(target);
  EXPECT_EQ(asked.kind(), wire::RequestKind::kProgress);
  EXPECT_TRUE(asked.is_control());
  auto back = asked.progress_target();
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->kernel.vmlinux, "/b/vmlinux");
  EXPECT_EQ(back->srctree, "/src");
}

TEST(RequestEnvelope, AnOperationIsNoControlRequestAndTravelsAsItsWireMessage) {
  CensusRequest census;
  census.sources.vmlinux = "/b/System.map";
  census.units = true;
  const auto envelope = wire::operation_request<service::CensusOperation>(census);
  EXPECT_EQ(envelope.kind(), wire::RequestKind::kOther);
  EXPECT_FALSE(envelope.is_control());
  wire::Request by_hand;
  by_hand.mutable_census()->mutable_sources()->set_vmlinux("/b/System.map");
  by_hand.mutable_census()->set_units(true);
  EXPECT_EQ(frame_of(envelope), frame_of(by_hand));
  EXPECT_FALSE(wire::RequestEnvelope().is_control());  // empty: no one's
}

TEST(RequestEnvelope, ParsesAFramesBodyAndRefusesWhatIsNoRequest) {
  wire::Request by_hand;
  by_hand.mutable_shutdown();
  auto parsed = wire::RequestEnvelope::parse(by_hand.SerializeAsString());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->kind(), wire::RequestKind::kShutdown);
  auto garbage = wire::RequestEnvelope::parse(std::string("\xff\xff\xff", 3));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kBadInput);
  EXPECT_EQ(garbage.error().message, "unparsable request");
}

TEST(ResponseEnvelope, TheDaemonsRepliesCarryEveryFieldBack) {
  const auto greeting = wire::ResponseEnvelope::greeting(daemon_hello());
  ASSERT_TRUE(greeting.message().has_hello());
  EXPECT_EQ(greeting.message().hello().protocol_version(), static_cast<uint32_t>(wire::PROTOCOL_VERSION_CURRENT));
  EXPECT_EQ(greeting.message().hello().executable(), "/usr/bin/kasd (deleted)");
  auto hello = wire::ResponseEnvelope(wire::Response(greeting.message())).hello();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->build_id, "0.1.0+envelope-test");
  EXPECT_EQ(hello->capabilities, (std::vector<std::string>{"census", "stats"}));
  EXPECT_EQ(hello->pid, 4242u);
  EXPECT_EQ(hello->executable, "/usr/bin/kasd (deleted)");
  EXPECT_TRUE(hello->socket_activated);
  EXPECT_FALSE(greeting.stats());
  EXPECT_FALSE(greeting.error());

  const auto status = wire::ResponseEnvelope::status(daemon_stats());
  const wire::StatsReply& s = status.message().stats();
  EXPECT_EQ(std::vector<uint64_t>({s.kernels(), s.files(), s.memory_bytes(), s.requests(), s.uptime_seconds(), s.pid(),
                                   s.records_read(), s.records_reused(), s.indexes_built()}),
            std::vector<uint64_t>({1, 2, 3, 4, 5, 6, 8, 9, 10}));
  EXPECT_EQ(s.build_id(), "7");
  auto stats = status.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->indexes_built, 10u);
  EXPECT_EQ(stats->build_id, "7");
}

TEST(ResponseEnvelope, NotIndexingIsAnEmptyProgressReplyAndReloadAndShutdownAreEmptyReplies) {
  wire::Response idle, reloaded, stopping;
  idle.mutable_progress();
  reloaded.mutable_reload();
  stopping.mutable_shutdown();
  EXPECT_EQ(frame_of(wire::ResponseEnvelope::indexing({}).message()), frame_of(idle));
  EXPECT_EQ(frame_of(wire::ResponseEnvelope::reloaded().message()), frame_of(reloaded));
  EXPECT_EQ(frame_of(wire::ResponseEnvelope::stopping().message()), frame_of(stopping));

  const auto busy = wire::ResponseEnvelope::indexing({.indexing = true, .stage = "units", .done = 3, .total = 7});
  auto p = busy.progress();
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->indexing);
  EXPECT_EQ(p->stage, "units");
  EXPECT_EQ(p->done, 3u);
  EXPECT_EQ(p->total, 7u);
}

TEST(ResponseEnvelope, AnErrorAndTheServerTimeSurviveAndTheFrameSizeIsKnownBeforeEncoding) {
  auto failure = wire::ResponseEnvelope::failure({ErrorCode::kExhausted, "no room"});
  failure.set_server_nanos(123456789);
  auto frame = failure.frame();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size(), failure.frame_bytes());
  wire::Response by_hand;
  by_hand.mutable_error()->set_code(static_cast<uint32_t>(ErrorCode::kExhausted));
  by_hand.mutable_error()->set_message("no room");
  by_hand.set_server_nanos(123456789);
  EXPECT_EQ(*frame, frame_of(by_hand));
  auto error = failure.error();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::kExhausted);
  EXPECT_EQ(error->message, "no room");
  EXPECT_EQ(failure.server_nanos(), 123456789u);
  auto answer = wire::operation_answer<service::CensusOperation>(failure);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().message, "no room");
}

}  // namespace
}  // namespace kas
