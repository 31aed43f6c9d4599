#include "gateway/engine.h"

#include <unistd.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/ports_file.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "storesvc/client/remote_store_client.h"
#include "testing/util/temp_dir.h"

namespace jsengine::gateway {
namespace {

TEST(ParseGatewayArgsTest, TakesNatsServerAndGatewayFlags) {
  EngineOptions options;
  ASSERT_TRUE(ParseGatewayArgs({"-p", "4333", "-js", "-sd", "/data", "--store=10.0.0.1:1",
                                "--consumer", "10.0.0.2:2", "--sync=always"},
                               &options)
                  .ok());
  EXPECT_EQ(options.server.port, 4333);
  EXPECT_EQ(options.server.store_dir, "/data");
  EXPECT_EQ(options.store_address, "10.0.0.1:1");
  EXPECT_EQ(options.consumer_address, "10.0.0.2:2");
  EXPECT_EQ(options.sync, "always");
}

TEST(ParseGatewayArgsTest, TakesNatsServersRandomPortAndPortsFileDir) {
  EngineOptions options;
  ASSERT_TRUE(ParseGatewayArgs({"-p", "-1", "--ports_file_dir", "/run/ports"}, &options).ok());
  EXPECT_EQ(options.server.port, 0);
  EXPECT_EQ(options.server.ports_file_dir, "/run/ports");
}

TEST(ParseGatewayArgsTest, RejectsUnknownFlagsAndBadValues) {
  EngineOptions options;
  EXPECT_FALSE(ParseGatewayArgs({"--frobnicate"}, &options).ok());
  EXPECT_FALSE(ParseGatewayArgs({"--store"}, &options).ok());
  EXPECT_FALSE(ParseGatewayArgs({"--sync=sometimes"}, &options).ok());
}

TEST(ParseGatewayArgsTest, RemoteServicesNeedJetStream) {
  EngineOptions options;
  absl::Status status = ParseGatewayArgs({"--store=127.0.0.1:1"}, &options);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("-js"), std::string::npos) << status;
  EngineOptions options2;
  EXPECT_FALSE(ParseGatewayArgs({"--consumer=127.0.0.1:1"}, &options2).ok());
}

// A JetStream server on loopback, free ports, its store in `dir`.
EngineOptions LoopbackOptions(const std::string& dir) {
  EngineOptions options;
  options.server.host = "127.0.0.1";
  options.server.port = 0;
  options.server.jetstream = true;
  options.server.store_dir = dir;
  options.grpc_listen = "127.0.0.1:0";
  return options;
}

std::unique_ptr<Engine> StartEmbedded(const std::string& dir,
                                      const std::string& ports_file_dir = "") {
  EngineOptions options = LoopbackOptions(dir);
  options.server.ports_file_dir = ports_file_dir;
  auto engine = Engine::Start(options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? std::move(*engine) : nullptr;
}

natsStatus AddStream(jsCtx* js, const char* name, jsErrCode* error) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name;
  return js_AddStream(nullptr, js, &config, nullptr, error);
}

TEST(EngineTest, WithoutJetStreamApiRequestsGetNoResponders) {
  const std::string dir = testing::util::MakeTempDir("engine-nojs-");
  EngineOptions options = LoopbackOptions(dir);
  options.server.jetstream = false;
  auto engine = Engine::Start(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ((*engine)->grpc_port(), 0);
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "a store was opened";

  const std::string url = "nats://127.0.0.1:" + std::to_string((*engine)->nats_port());
  natsConnection* nc = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&nc, url.c_str()), NATS_OK);
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, nc, "$JS.API.INFO", "", 5000), NATS_NO_RESPONDERS);
  natsMsg_Destroy(reply);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, nc, nullptr), NATS_OK);
  jsErrCode error;
  EXPECT_NE(AddStream(js, "EVENTS", &error), NATS_OK);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
}

TEST(EngineTest, EmbeddedStoresPublishesAcrossRestarts) {
  std::string dir = testing::util::MakeTempDir("engine-");
  auto engine = StartEmbedded(dir);
  ASSERT_NE(engine, nullptr);
  EXPECT_GT(engine->grpc_port(), 0);

  std::string url = "nats://127.0.0.1:" + std::to_string(engine->nats_port());
  natsConnection* nc = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&nc, url.c_str()), NATS_OK);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, nc, nullptr), NATS_OK);
  jsErrCode error;
  ASSERT_EQ(AddStream(js, "EVENTS", &error), NATS_OK) << error;
  jsPubAck* ack = nullptr;
  ASSERT_EQ(js_Publish(&ack, js, "EVENTS", "hello", 5, nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(ack->Sequence, 1u);
  EXPECT_STREQ(ack->Stream, "EVENTS");
  jsPubAck_Destroy(ack);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  engine->Stop();

  engine = StartEmbedded(dir);
  ASSERT_NE(engine, nullptr);
  url = "nats://127.0.0.1:" + std::to_string(engine->nats_port());
  ASSERT_EQ(natsConnection_ConnectTo(&nc, url.c_str()), NATS_OK);
  ASSERT_EQ(natsConnection_JetStream(&js, nc, nullptr), NATS_OK);
  ASSERT_EQ(js_Publish(&ack, js, "EVENTS", "again", 5, nullptr, &error), NATS_OK) << error;
  EXPECT_EQ(ack->Sequence, 2u);
  jsPubAck_Destroy(ack);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
}

// What jsm add does: a stream created over the in-process store's gRPC has
// its subjects bound by the time the store answers, as nats-server answers
// a create only once the stream's subjects are subscribed.
TEST(EngineTest, EmbeddedBindsAStreamCreatedOverGrpcBeforeTheStoreAnswers) {
  auto engine = StartEmbedded(testing::util::MakeTempDir("engine-"));
  ASSERT_NE(engine, nullptr);
  storesvc::client::RemoteStoreClient store(absl::StrCat("127.0.0.1:", engine->grpc_port()));
  for (int i = 0; i < 20; ++i) {
    v1::CreateStreamRequest create;
    create.mutable_config()->set_name(absl::StrCat("S", i));
    create.mutable_config()->add_subjects(absl::StrCat("s", i, ".>"));
    auto info = store.CreateStream(create);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_TRUE(engine->server()->HasInterest(absl::StrCat("s", i, ".x"))) << i;
  }
}

TEST(EngineTest, ListsItsPortsInThePortsFileWhileRunning) {
  const std::string ports_dir = testing::util::MakeTempDir("ports-");
  auto engine = StartEmbedded(testing::util::MakeTempDir("engine-"), ports_dir);
  ASSERT_NE(engine, nullptr);
  const std::string path =
      common::PortsFilePath(ports_dir, program_invocation_short_name, getpid());
  absl::StatusOr<common::Ports> ports = common::ReadPortsFile(path);
  ASSERT_TRUE(ports.ok()) << ports.status();
  EXPECT_EQ(ports->nats,
            std::vector<std::string>{"nats://127.0.0.1:" + std::to_string(engine->nats_port())});
  EXPECT_EQ(ports->grpc,
            std::vector<std::string>{"127.0.0.1:" + std::to_string(engine->grpc_port())});
  engine->Stop();
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace jsengine::gateway
