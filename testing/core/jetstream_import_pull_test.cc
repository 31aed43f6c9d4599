// Pull requests that reach a consumer through a service import (their reply
// is the exporter's `_R_.` subject), against the gateway binary and the
// reference nats-server: a waiting request whose requester in the
// importing account leaves is dropped before anything is delivered to it,
// as nats-server follows the import back to the requester's reply
// (trackDownAccountAndInterest) and checks interest there.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/core/backends.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

constexpr char kAccounts[] = R"(
accounts {
  JS: {
    jetstream: enabled
    users: [{user: js, password: pjs}]
    exports: [{service: "$JS.API.CONSUMER.MSG.NEXT.ORDERS.leaver"}]
  }
  U: {
    users: [{user: u, password: pu}]
    imports: [{service: {account: JS, subject: "$JS.API.CONSUMER.MSG.NEXT.ORDERS.leaver"},
               to: "next.leaver"}]
  }
}
)";

class JetStreamImportPullTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    const std::string dir = util::MakeTempDir("jsimportpull-");
    std::ofstream(dir + "/server.conf") << "jetstream { store_dir: \"" << dir << "/store\" }\n"
                                        << kAccounts;
    std::vector<std::string> args = {"-c", dir + "/server.conf"};
    if (GetParam().binary == &GatewayBinary) args.push_back("--grpc_listen=127.0.0.1:0");
    absl::StatusOr<common::Ports> ports = StartOnFreePort(binary, args, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    url_ = ports->nats.front();
    js_ = Connect("js");
    ASSERT_NE(js_, nullptr);
  }

  void TearDown() override {
    if (js_ != nullptr) natsConnection_Destroy(js_);
  }

  natsConnection* Connect(const std::string& user) {
    const std::string url =
        "nats://" + user + ":p" + user + "@" + url_.substr(url_.find("://") + 3);
    natsConnection* nc = nullptr;
    EXPECT_EQ(natsConnection_ConnectTo(&nc, url.c_str()), NATS_OK) << user;
    return nc;
  }

  // Polls the consumer's info until `"num_waiting":waiting`; true if seen.
  bool Waits(int waiting) {
    const std::string want = absl::StrCat("\"num_waiting\":", waiting, ",");
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    for (;;) {
      const std::string info = RequestText(js_, "$JS.API.CONSUMER.INFO.ORDERS.leaver", "");
      if (absl::StrContains(info, want)) return true;
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  std::unique_ptr<harness::Process> server_;
  std::string url_;
  natsConnection* js_ = nullptr;
};

TEST_P(JetStreamImportPullTest, ARequestThroughAnImportWhoseRequesterLeftGetsNothing) {
  ASSERT_TRUE(absl::StrContains(RequestText(js_, "$JS.API.STREAM.CREATE.ORDERS",
                                            R"({"name":"ORDERS","subjects":["orders.>"]})"),
                                "\"created\""));
  ASSERT_TRUE(absl::StrContains(
      RequestText(
          js_, "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.leaver",
          R"({"stream_name":"ORDERS","config":{"durable_name":"leaver","ack_policy":"explicit"}})"),
      "\"created\""));
  natsSubscription* live = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&live, js_, "_INBOX.live"), NATS_OK);
  int round = 0;
  for (bool disconnect : {false, true}) {
    SCOPED_TRACE(disconnect ? "requester disconnected" : "requester unsubscribed");
    ++round;
    natsConnection* requester = Connect("u");
    ASSERT_NE(requester, nullptr);
    natsSubscription* gone = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&gone, requester, "_INBOX.gone"), NATS_OK);
    ASSERT_EQ(natsConnection_PublishRequestString(requester, "next.leaver", "_INBOX.gone",
                                                  R"({"batch":1})"),
              NATS_OK);
    ASSERT_EQ(natsConnection_Flush(requester), NATS_OK);
    ASSERT_TRUE(Waits(1));
    if (disconnect) {
      natsConnection_Close(requester);
    } else {
      ASSERT_EQ(natsSubscription_Unsubscribe(gone), NATS_OK);
      ASSERT_EQ(natsConnection_Flush(requester), NATS_OK);
    }
    ASSERT_TRUE(Waits(0)) << "the request of a requester that left still waits";

    const std::string data = absl::StrCat("order-", round);
    ASSERT_TRUE(absl::StrContains(RequestText(js_, "orders.new", data), "\"seq\":"));
    ASSERT_EQ(
        natsConnection_PublishRequestString(js_, "$JS.API.CONSUMER.MSG.NEXT.ORDERS.leaver",
                                            "_INBOX.live", R"({"batch":1,"expires":5000000000})"),
        NATS_OK);
    natsMsg* m = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&m, live, 10000), NATS_OK);
    EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), data);
    // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>...
    const std::vector<std::string> ack = absl::StrSplit(natsMsg_GetReply(m), '.');
    ASSERT_GE(ack.size(), 7u) << natsMsg_GetReply(m);
    EXPECT_EQ(ack[4], "1") << "delivered to nobody before";
    EXPECT_EQ(ack[6], absl::StrCat(round)) << "no consumer sequence went to the requester";
    natsMsg_Destroy(m);

    const std::string info = RequestText(js_, "$JS.API.CONSUMER.INFO.ORDERS.leaver", "");
    EXPECT_TRUE(absl::StrContains(info, absl::StrCat("\"num_ack_pending\":", round, ","))) << info;
    EXPECT_TRUE(absl::StrContains(info, "\"num_redelivered\":0,")) << info;
    natsSubscription_Destroy(gone);
    natsConnection_Destroy(requester);
  }
  natsSubscription_Destroy(live);
}

INSTANTIATE_TEST_SUITE_P(Servers, JetStreamImportPullTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
