// Operator mode (decentralized JWT authentication), run the same way against
// the gateway binary and the reference nats-server: the test plays nsc,
// making an operator, accounts and users with fresh keys, and starts each
// server with the operator JWT inline, `resolver: MEMORY` and the account
// JWTs in `resolver_preload`. libnats connects with a creds file and with
// JWT/signature callbacks; raw clients check the -ERR texts.
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/core/jwt_testing.h"
#include "gateway/core/nkey.h"
#include "gateway/core/nkey_signature.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/jwt_clients.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

using gateway::core::kNkeyPrefixAccount;
using gateway::core::kNkeyPrefixOperator;
using gateway::core::kNkeyPrefixUser;
using gateway::core::SignJwt;
using gateway::core::SignNkeyNonce;
using gateway::core::TestNkey;
using Json = nlohmann::json;

class JwtAuthTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    dir_ = util::MakeTempDir("jwt-");
    const std::string op_jwt = OperatorJwt(op_, sys_);
    // Unlimited unless said otherwise, as nsc writes them (a JWT without
    // limits allows nothing).
    auto account = [&](const TestNkey& a, Json nats) {
      return SignJwt({{"sub", a.public_key}, {"name", "acc"}, {"nats", UnlimitedAccount(nats)}},
                     op_);
    };
    const std::string sys_jwt = account(sys_, Json::object());
    const std::string a_jwt = account(
        a_, {{"signing_keys", {a_signer_.public_key}},
             {"exports", {{{"subject", "feed.>"}, {"type", "stream"}}}},
             {"revocations", {{revoked_.public_key, absl::ToUnixSeconds(absl::Now()) + 60}}}});
    const std::string b_jwt = account(
        b_,
        {{"limits", {{"conn", 1}}},
         {"imports", {{{"account", a_.public_key}, {"subject", "feed.>"}, {"type", "stream"}}}}});
    const std::string js_jwt =
        account(js_, {{"limits", {{"mem_storage", -1}, {"disk_storage", -1}, {"streams", 1}}}});
    const std::string config = dir_ + "/server.conf";
    std::ofstream(config) << "operator: \"" << op_jwt << "\"\n"
                          << "system_account: " << sys_.public_key << "\n"
                          << "resolver: MEMORY\n"
                          << "resolver_preload {\n"
                          << "  " << sys_.public_key << ": \"" << sys_jwt << "\"\n"
                          << "  " << a_.public_key << ": \"" << a_jwt << "\"\n"
                          << "  " << b_.public_key << ": \"" << b_jwt << "\"\n"
                          << "  " << js_.public_key << ": \"" << js_jwt << "\"\n"
                          << "}\n";
    std::vector<std::string> args = {"-c", config};
    if (jetstream_) {
      args.insert(args.end(), {"-js", "-sd", dir_ + "/js"});
      if (std::string(GetParam().name) == "gateway") args.push_back("--grpc_listen=127.0.0.1:0");
    }
    auto ports = StartOnFreePort(binary, args, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    const std::string& url = ports->nats.front();
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
  }

  // A user JWT for `user` issued by `issuer` with these "nats" claims.
  std::string UserJwt(const TestNkey& user, const TestNkey& issuer, Json nats = Json::object(),
                      Json top = Json::object()) {
    top["sub"] = user.public_key;
    top["name"] = "u";
    top["nats"] = UnlimitedUser(nats);
    return SignJwt(top, issuer);
  }

  // Permissions of A's users: a.> both ways, _INBOX.> to subscribe.
  static Json Restricted() {
    return {{"pub", {{"allow", {"a.>", "feed.>"}}}}, {"sub", {{"allow", {"a.>", "_INBOX.>"}}}}};
  }

  std::string WriteCreds(const std::string& jwt, const TestNkey& user) {
    return core::WriteCreds(dir_, jwt, user);
  }
  natsStatus ConnectWithCreds(natsConnection** nc, const std::string& creds) {
    return core::ConnectWithCreds(port_, creds, nc);
  }

  // A raw client's CONNECT with `jwt` and the nonce signed by `signer`;
  // returns what the server answered to CONNECT and PING.
  std::string RawConnect(RawClient* raw, const std::string& jwt, const TestNkey& signer,
                         bool sign_other = false) {
    EXPECT_TRUE(raw->ReadUntil("\r\n"));
    const std::string& b = raw->buffer();
    Json info = Json::parse(b.substr(5, b.find("\r\n") - 5), nullptr, false);
    EXPECT_TRUE(info.contains("nonce")) << b;
    EXPECT_EQ(info.value("auth_required", false), true);
    const std::string nonce = info.value("nonce", "");
    raw->Clear();
    const std::string sig = SignNkeyNonce(signer.seed, sign_other ? "other" : nonce);
    EXPECT_TRUE(raw->Send(absl::StrCat(R"(CONNECT {"verbose":false,"jwt":")", jwt, R"(","sig":")",
                                       sig, "\"}\r\nPING\r\n")));
    raw->ReadUntil("\r\n");
    return raw->buffer();
  }

  void ExpectRefused(const std::string& jwt, const TestNkey& signer, bool sign_other = false) {
    RawClient raw(port_);
    EXPECT_EQ(RawConnect(&raw, jwt, signer, sign_other), "-ERR 'Authorization Violation'\r\n");
    EXPECT_TRUE(raw.WaitClosed());
  }

  bool jetstream_ = false;  // start the server with -js
  TestNkey op_ = TestNkey::Create(kNkeyPrefixOperator);
  TestNkey sys_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey js_ = TestNkey::Create(kNkeyPrefixAccount);  // JetStream, one stream at most
  TestNkey a_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey a_signer_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey b_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey user_ = TestNkey::Create(kNkeyPrefixUser);
  TestNkey revoked_ = TestNkey::Create(kNkeyPrefixUser);
  std::string dir_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
};

void ExpectMessage(natsSubscription* sub, const std::string& data) {
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, sub, 5000), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), data);
  natsMsg_Destroy(m);
}

TEST_P(JwtAuthTest, CredsFileUserPubSubsWithinPermissions) {
  natsConnection* nc = nullptr;
  ASSERT_EQ(ConnectWithCreds(&nc, WriteCreds(UserJwt(user_, a_, Restricted()), user_)), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc, "a.x"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(nc, "a.x", "hi"), NATS_OK);
  ExpectMessage(sub, "hi");
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
}

TEST_P(JwtAuthTest, SigningKeyUserWithCallbacks) {
  struct Closure {
    std::string jwt;
    std::string seed;
  } closure{UserJwt(user_, a_signer_, {{"issuer_account", a_.public_key}}),
            gateway::core::EncodeUserSeed(user_.seed)};
  auto jwt_cb = [](char** jwt, char**, void* c) -> natsStatus {
    *jwt = strdup(static_cast<Closure*>(c)->jwt.c_str());
    return NATS_OK;
  };
  auto sig_cb = [](char**, unsigned char** sig, int* len, const char* nonce,
                   void* c) -> natsStatus {
    return nats_Sign(static_cast<Closure*>(c)->seed.c_str(), nonce, sig, len);
  };
  natsConnection* nc = nullptr;
  natsStatus s = NATS_ERR;
  for (int attempt = 0; attempt < 4 && s != NATS_OK; ++attempt) {
    natsOptions* opts = LocalClientOptions(port_);
    ASSERT_EQ(natsOptions_SetUserCredentialsCallbacks(opts, jwt_cb, &closure, sig_cb, &closure),
              NATS_OK);
    s = natsConnection_Connect(&nc, opts);
    natsOptions_Destroy(opts);
  }
  ASSERT_EQ(s, NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc, "any.thing"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(nc, "any.thing", "cb"), NATS_OK);
  ExpectMessage(sub, "cb");
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
}

TEST_P(JwtAuthTest, StandardConnectionTypeAllowed) {
  RawClient raw(port_);
  EXPECT_EQ(RawConnect(
                &raw, UserJwt(user_, a_, {{"allowed_connection_types", {"STANDARD", "WEBSOCKET"}}}),
                user_),
            "PONG\r\n");
}

TEST_P(JwtAuthTest, PermissionViolations) {
  RawClient raw(port_);
  ASSERT_EQ(RawConnect(&raw, UserJwt(user_, a_, Restricted()), user_), "PONG\r\n");
  raw.Clear();
  ASSERT_TRUE(raw.Send("PUB b.x 2\r\nno\r\nSUB b.> 1\r\nPING\r\n"));
  ASSERT_TRUE(raw.ReadUntil("PONG\r\n")) << raw.buffer();
  EXPECT_EQ(raw.buffer(),
            "-ERR 'Permissions Violation for Publish to \"b.x\"'\r\n"
            "-ERR 'Permissions Violation for Subscription to \"b.>\"'\r\nPONG\r\n");
}

TEST_P(JwtAuthTest, BadCredentialsRefused) {
  // The nonce signed by another key, or another text signed.
  ExpectRefused(UserJwt(user_, a_), revoked_);
  ExpectRefused(UserJwt(user_, a_), user_, /*sign_other=*/true);
  // Issued by an account the operator never signed.
  const TestNkey stranger = TestNkey::Create(kNkeyPrefixAccount);
  ExpectRefused(UserJwt(user_, stranger), user_);
  // Issued by a key that is not A's signing key, claiming to be A's.
  ExpectRefused(UserJwt(user_, stranger, {{"issuer_account", a_.public_key}}), user_);
  // Expired.
  ExpectRefused(
      UserJwt(user_, a_, Json::object(), {{"exp", absl::ToUnixSeconds(absl::Now()) - 10}}), user_);
  // Revoked (issued before the account's revocation time).
  ExpectRefused(UserJwt(revoked_, a_), revoked_);
  // Only websocket connections allowed (every connection here is STANDARD).
  ExpectRefused(UserJwt(user_, a_, {{"allowed_connection_types", {"WEBSOCKET"}}}), user_);
  // Not a JWT at all, and no JWT.
  ExpectRefused("eyJhbGciOi.bad.jwt", user_);
  RawClient raw(port_);
  ASSERT_TRUE(raw.ReadUntil("\r\n"));
  raw.Clear();
  ASSERT_TRUE(raw.Send("CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"b\"}\r\nPING\r\n"));
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_EQ(raw.buffer(), "-ERR 'Authorization Violation'\r\n");
}

TEST_P(JwtAuthTest, AccountsAreIsolatedButForImports) {
  const TestNkey b_user = TestNkey::Create(kNkeyPrefixUser);
  natsConnection* a = nullptr;
  natsConnection* b = nullptr;
  ASSERT_EQ(ConnectWithCreds(&a, WriteCreds(UserJwt(user_, a_), user_)), NATS_OK);
  ASSERT_EQ(ConnectWithCreds(&b, WriteCreds(UserJwt(b_user, b_), b_user)), NATS_OK);
  natsSubscription* b_private = nullptr;
  natsSubscription* b_feed = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&b_private, b, "a.x"), NATS_OK);
  ASSERT_EQ(natsConnection_SubscribeSync(&b_feed, b, "feed.>"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(b), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(a, "a.x", "private"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(a, "feed.1", "shared"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(a), NATS_OK);
  ExpectMessage(b_feed, "shared");
  natsMsg* m = nullptr;
  EXPECT_EQ(natsSubscription_NextMsg(&m, b_private, 300), NATS_TIMEOUT);
  natsSubscription_Destroy(b_private);
  natsSubscription_Destroy(b_feed);
  natsConnection_Destroy(a);
  natsConnection_Destroy(b);
}

TEST_P(JwtAuthTest, AccountConnectionLimit) {
  const TestNkey b_user = TestNkey::Create(kNkeyPrefixUser);
  const std::string jwt = UserJwt(b_user, b_);
  RawClient first(port_);
  ASSERT_EQ(RawConnect(&first, jwt, b_user), "PONG\r\n");
  RawClient second(port_);
  EXPECT_EQ(RawConnect(&second, jwt, b_user),
            "-ERR 'maximum account active connections exceeded'\r\n");
  EXPECT_TRUE(second.WaitClosed());
}

TEST_P(JwtAuthTest, ExpiringUserIsClosed) {
  RawClient raw(port_);
  ASSERT_EQ(
      RawConnect(
          &raw, UserJwt(user_, a_, Json::object(), {{"exp", absl::ToUnixSeconds(absl::Now()) + 2}}),
          user_),
      "PONG\r\n");
  raw.Clear();
  EXPECT_TRUE(raw.WaitClosed(10000));
  EXPECT_EQ(raw.buffer(), "-ERR 'User Authentication Expired'\r\n");
}

// The same servers with JetStream on: the account JWT's JetStream limits.
class JwtJetStreamTest : public JwtAuthTest {
 protected:
  void SetUp() override {
    jetstream_ = true;
    JwtAuthTest::SetUp();
  }
};

TEST_P(JwtJetStreamTest, AccountStreamLimit) {
  const TestNkey user = TestNkey::Create(kNkeyPrefixUser);
  natsConnection* nc = nullptr;
  ASSERT_EQ(ConnectWithCreds(&nc, WriteCreds(UserJwt(user, js_), user)), NATS_OK);
  auto create = [&](const std::string& name) {
    const std::string subject = "$JS.API.STREAM.CREATE." + name;
    const std::string body =
        Json{{"name", name}, {"subjects", {name}}, {"storage", "memory"}}.dump();
    natsMsg* reply = nullptr;
    EXPECT_EQ(natsConnection_Request(&reply, nc, subject.c_str(), body.data(),
                                     static_cast<int>(body.size()), 5000),
              NATS_OK);
    if (reply == nullptr) return Json();
    Json j = Json::parse(std::string(natsMsg_GetData(reply), natsMsg_GetDataLength(reply)), nullptr,
                         false);
    natsMsg_Destroy(reply);
    return j;
  };
  Json first = create("one");
  EXPECT_FALSE(first.contains("error")) << first.dump();
  Json second = create("two");
  ASSERT_TRUE(second.contains("error")) << second.dump();
  EXPECT_EQ(second["error"]["err_code"], 10027);
  EXPECT_EQ(second["error"]["description"], "maximum number of streams reached");
  // Account A's JWT gives it no JetStream.
  natsConnection* a = nullptr;
  ASSERT_EQ(ConnectWithCreds(&a, WriteCreds(UserJwt(user_, a_), user_)), NATS_OK);
  natsMsg* reply = nullptr;
  ASSERT_EQ(natsConnection_RequestString(&reply, a, "$JS.API.INFO", "", 5000), NATS_OK);
  Json info = Json::parse(std::string(natsMsg_GetData(reply), natsMsg_GetDataLength(reply)),
                          nullptr, false);
  natsMsg_Destroy(reply);
  EXPECT_EQ(info["error"]["err_code"], 10039) << info.dump();
  natsConnection_Destroy(a);
  natsConnection_Destroy(nc);
}

INSTANTIATE_TEST_SUITE_P(Servers, JwtAuthTest, BothServers(), BackendName);
INSTANTIATE_TEST_SUITE_P(Servers, JwtJetStreamTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
