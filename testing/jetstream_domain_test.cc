// A JetStream domain (`jetstream { domain: HUB }`), run the same way against
// the gateway binary and the reference nats-server: the API answers on
// $JS.HUB.API.> as on $JS.API.>, and $JS.API.INFO and PubAcks name the
// domain.
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

struct Backend {
  const char* name;
  std::string (*binary)();
  std::vector<std::string> extra_args;
};

std::string Gateway() { return harness::RunfilePath("gateway/gateway"); }

class JetStreamDomainTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    const std::string dir = util::MakeTempDir("domain-");
    const std::string config = dir + "/server.conf";
    std::ofstream(config) << "jetstream { store_dir: \"" << dir << "/store\", domain: HUB }\n";
    std::vector<std::string> args = {"-a", "127.0.0.1", "-p",  "-1", "--ports_file_dir",
                                     dir,  "-c",        config};
    args.insert(args.end(), GetParam().extra_args.begin(), GetParam().extra_args.end());
    auto process = harness::Process::Start(binary, args);
    ASSERT_TRUE(process.ok()) << process.status();
    server_ = *std::move(process);
    auto ports = server_->WaitForPortsFile(dir, absl::Seconds(20));
    ASSERT_TRUE(ports.ok()) << ports.status();
    ASSERT_FALSE(ports->nats.empty());
    ASSERT_EQ(natsConnection_ConnectTo(&nc_, ports->nats.front().c_str()), NATS_OK);
  }

  void TearDown() override {
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }

  // The reply to a request, or "" on failure.
  std::string Request(const std::string& subject, const std::string& body) {
    natsMsg* reply = nullptr;
    const natsStatus s =
        natsConnection_RequestString(&reply, nc_, subject.c_str(), body.c_str(), 5000);
    EXPECT_EQ(s, NATS_OK) << subject;
    if (s != NATS_OK) return "";
    std::string data(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
    return data;
  }

  std::unique_ptr<harness::Process> server_;
  natsConnection* nc_ = nullptr;
};

TEST_P(JetStreamDomainTest, ApiAnswersUnderTheDomainPrefix) {
  const std::string info = Request("$JS.API.INFO", "");
  EXPECT_TRUE(absl::StrContains(info, "\"domain\":\"HUB\"")) << info;
  const std::string prefixed = Request("$JS.HUB.API.INFO", "");
  EXPECT_TRUE(absl::StrContains(prefixed, "\"domain\":\"HUB\"")) << prefixed;
  EXPECT_TRUE(
      absl::StrContains(prefixed, "\"type\":\"io.nats.jetstream.api.v1.account_info_response\""))
      << prefixed;
  const std::string created =
      Request("$JS.HUB.API.STREAM.CREATE.ORDERS", R"({"name":"ORDERS","subjects":["orders.>"]})");
  EXPECT_TRUE(absl::StrContains(created, "\"name\":\"ORDERS\"")) << created;
  EXPECT_FALSE(absl::StrContains(created, "\"error\"")) << created;
  const std::string ack = Request("orders.1", "hello");
  EXPECT_TRUE(absl::StrContains(ack, "\"domain\":\"HUB\"")) << ack;
  EXPECT_TRUE(absl::StrContains(ack, "\"seq\":1")) << ack;
  const std::string names = Request("$JS.API.STREAM.NAMES", "");
  EXPECT_TRUE(absl::StrContains(names, "ORDERS")) << names;
}

TEST_P(JetStreamDomainTest, OtherDomainsHaveNoResponders) {
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, nc_, "$JS.LEAF.API.INFO", "", 2000),
            NATS_NO_RESPONDERS);
}

INSTANTIATE_TEST_SUITE_P(
    Servers, JetStreamDomainTest,
    ::testing::Values(Backend{"gateway", &Gateway, {"--grpc_listen=127.0.0.1:0"}},
                      Backend{"nats_server", &harness::NatsServerBinary, {}}),
    [](const ::testing::TestParamInfo<Backend>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace jsengine::testing
