// Service exports' response_type and latency, run the same way against
// nats-server and the gateway with one configuration: a stream-type service
// gets every response to a request through the import (a singleton one only
// the first), and a latency-tracked service publishes one
// io.nats.server.metric.v1.service_latency result per request in the
// exporting account, with the same fields as nats-server's.
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/harness/harness.h"
#include "testing/util/json_fields.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

using Json = nlohmann::json;

constexpr char kConfig[] = R"(
accounts {
  S: {
    users: [{user: s, password: s}]
    exports: [
      {service: "svc.stream", response_type: stream}
      {service: "svc.single"}
      {service: "svc.timed", latency: {sampling: "100%", subject: "latency.timed"}}
    ]
  }
  C: {
    users: [{user: c, password: c}]
    imports: [
      {service: {account: S, subject: "svc.stream"}}
      {service: {account: S, subject: "svc.single"}}
      {service: {account: S, subject: "svc.timed"}}
    ]
  }
}
)";

natsConnection* Connect(int port, const char* user) {
  natsOptions* opts = core::LocalClientOptions(port);
  natsOptions_SetUserInfo(opts, user, user);
  natsConnection* nc = nullptr;
  const natsStatus s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  EXPECT_EQ(s, NATS_OK) << user << ": " << natsStatus_GetText(s);
  return s == NATS_OK ? nc : nullptr;
}

// Answers every request on `subject` `responses` times.
struct Responder {
  natsSubscription* sub = nullptr;
  int responses = 1;
};

void Respond(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure) {
  const auto* r = static_cast<Responder*>(closure);
  for (int i = 0; i < r->responses; ++i) {
    const std::string body = "part " + std::to_string(i);
    natsConnection_PublishString(nc, natsMsg_GetReply(msg), body.c_str());
  }
  natsConnection_Flush(nc);
  natsMsg_Destroy(msg);
}

struct Backend {
  std::unique_ptr<harness::Process> process;
  natsConnection* exporter = nullptr;
  natsConnection* importer = nullptr;
  std::vector<std::unique_ptr<Responder>> responders;

  ~Backend() {
    for (auto& r : responders) natsSubscription_Destroy(r->sub);
    natsConnection_Destroy(importer);
    natsConnection_Destroy(exporter);
  }

  void Serve(const char* subject, int responses) {
    auto r = std::make_unique<Responder>();
    r->responses = responses;
    EXPECT_EQ(natsConnection_Subscribe(&r->sub, exporter, subject, Respond, r.get()), NATS_OK);
    natsConnection_Flush(exporter);
    responders.push_back(std::move(r));
  }

  // The responses to one request through the import, until none comes
  // within `quiet_ms`.
  int CountResponses(const char* subject, int quiet_ms) {
    natsInbox* inbox = nullptr;
    natsInbox_Create(&inbox);
    natsSubscription* sub = nullptr;
    natsConnection_SubscribeSync(&sub, importer, inbox);
    natsConnection_PublishRequestString(importer, subject, inbox, "q");
    natsConnection_Flush(importer);
    int n = 0;
    natsMsg* msg = nullptr;
    // The first may take a while on a loaded machine; the rest follow it.
    int wait = 5000;
    while (natsSubscription_NextMsg(&msg, sub, wait) == NATS_OK) {
      natsMsg_Destroy(msg);
      ++n;
      wait = quiet_ms;
    }
    natsSubscription_Destroy(sub);
    natsInbox_Destroy(inbox);
    return n;
  }
};

std::unique_ptr<Backend> StartBackend(const std::string& binary, const std::string& config) {
  auto b = std::make_unique<Backend>();
  std::vector<std::string> args = {"-c", config};
  if (binary == core::GatewayBinary()) args.push_back("--grpc_listen=127.0.0.1:0");
  absl::StatusOr<common::Ports> ports = core::StartOnFreePort(binary, args, &b->process);
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (!ports.ok()) return nullptr;
  const int port = common::PortOf(ports->nats[0]).value_or(0);
  b->exporter = Connect(port, "s");
  b->importer = Connect(port, "c");
  if (b->exporter == nullptr || b->importer == nullptr) return nullptr;
  return b;
}

class ServiceExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(harness::NatsServerBinary().c_str(), X_OK) != 0) {
      GTEST_SKIP() << "nats-server is not installed";
    }
    const std::string dir = util::MakeTempDir("service-export-");
    std::ofstream(dir + "/server.conf") << kConfig;
    reference_ = StartBackend(harness::NatsServerBinary(), dir + "/server.conf");
    ours_ = StartBackend(core::GatewayBinary(), dir + "/server.conf");
    ASSERT_NE(reference_, nullptr);
    ASSERT_NE(ours_, nullptr);
  }

  std::unique_ptr<Backend> reference_, ours_;
};

TEST_F(ServiceExportTest, StreamResponseTypeLetsEveryResponseThrough) {
  for (Backend* b : {reference_.get(), ours_.get()}) {
    SCOPED_TRACE(b == ours_.get() ? "gateway" : "nats-server");
    b->Serve("svc.stream", 3);
    b->Serve("svc.single", 3);
    EXPECT_EQ(b->CountResponses("svc.stream", 500), 3);
    EXPECT_EQ(b->CountResponses("svc.single", 500), 1);
  }
}

TEST_F(ServiceExportTest, LatencyResultsHaveNatsServersFields) {
  std::vector<Json> results;
  for (Backend* b : {reference_.get(), ours_.get()}) {
    SCOPED_TRACE(b == ours_.get() ? "gateway" : "nats-server");
    natsSubscription* latency = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&latency, b->exporter, "latency.timed"), NATS_OK);
    natsConnection_Flush(b->exporter);
    b->Serve("svc.timed", 1);
    EXPECT_EQ(b->CountResponses("svc.timed", 200), 1);
    natsMsg* msg = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&msg, latency, 5000), NATS_OK);
    results.push_back(Json::parse(natsMsg_GetData(msg), nullptr, false));
    natsMsg_Destroy(msg);
    natsSubscription_Destroy(latency);
  }
  std::set<std::string> theirs, mine;
  util::JsonFields(results[0], "", &theirs);
  util::JsonFields(results[1], "", &mine);
  // Round-trip times are not measured by the gateway.
  for (const char* rtt : {"requestor.rtt", "responder.rtt"}) theirs.erase(rtt);
  EXPECT_EQ(mine, theirs) << "nats-server: " << results[0] << "\ngateway: " << results[1];
  const Json& ours = results[1];
  EXPECT_EQ(ours["type"], "io.nats.server.metric.v1.service_latency");
  EXPECT_EQ(ours["status"], 200);
  EXPECT_EQ(ours["requestor"]["acc"], "C");
  EXPECT_EQ(ours["responder"]["acc"], "S");
  EXPECT_GT(ours["total"].get<int64_t>(), 0);
}

}  // namespace
}  // namespace jsengine::testing
