// What streams cost in server memory, against nats-server's cost in the same
// test: KV buckets and per-device streams make many small streams common.
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/topology.h"
#include "tools/bench/process_memory.h"

namespace jsengine::testing {
namespace {

constexpr int kStreams = 200;

// The growth of the server's resident memory, in KiB, over creating
// kStreams file streams and publishing one message to each.
int64_t GrowthOverManySmallStreams(harness::Topology::Kind kind) {
  auto engine = harness::Topology::Start(kind);
  EXPECT_TRUE(engine.ok()) << engine.status();
  if (!engine.ok()) return -1;
  const tools::bench::ProcessMemory server({(*engine)->gateway()->pid()});
  natsConnection* nc = nullptr;
  EXPECT_EQ(natsConnection_ConnectTo(&nc, (*engine)->nats_url().c_str()), NATS_OK);
  jsCtx* js = nullptr;
  EXPECT_EQ(natsConnection_JetStream(&js, nc, nullptr), NATS_OK);
  const absl::StatusOr<int64_t> before = server.RssKib();
  EXPECT_TRUE(before.ok()) << before.status();
  for (int i = 0; i < kStreams; ++i) {
    const std::string name = absl::StrCat("S", i);
    const std::string subject = absl::StrCat(name, ".>");
    const char* subjects[] = {subject.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name.c_str();
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    jsErrCode error;
    EXPECT_EQ(js_AddStream(nullptr, js, &config, nullptr, &error), NATS_OK) << error;
    const std::string publish_to = absl::StrCat(name, ".x");
    EXPECT_EQ(js_Publish(nullptr, js, publish_to.c_str(), "hello", 5, nullptr, &error), NATS_OK)
        << error;
  }
  const absl::StatusOr<int64_t> after = server.RssKib();
  EXPECT_TRUE(after.ok()) << after.status();
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return before.ok() && after.ok() ? *after - *before : -1;
}

TEST(StreamMemoryTest, ManySmallStreamsCostNoMoreThanInNatsServer) {
  const int64_t reference = GrowthOverManySmallStreams(harness::Topology::kReference);
  const int64_t ours = GrowthOverManySmallStreams(harness::Topology::kEmbedded);
  ASSERT_GE(reference, 0);
  ASSERT_GE(ours, 0);
  // Each stream once held a zeroed 2 MiB index chunk: 400 MiB here.
  EXPECT_LE(ours, reference) << kStreams << " streams with a message each: " << ours
                             << " KiB against nats-server's " << reference << " KiB";
}

}  // namespace
}  // namespace jsengine::testing
