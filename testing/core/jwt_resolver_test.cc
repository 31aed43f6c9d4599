// The full account resolver (`resolver { type: full, dir, allow_delete }`)
// and the cache one (`type: cache`),
// run the same way against the gateway binary and the reference
// nats-server: a system account user pushes, looks up, lists and deletes
// account JWTs with the $SYS.REQ.CLAIMS requests, and the accounts' users
// are let in or refused accordingly. The test plays nsc (fresh keys).
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/core/jwt_testing.h"
#include "gateway/core/nkey.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/jwt_clients.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

using gateway::core::kNkeyPrefixAccount;
using gateway::core::kNkeyPrefixOperator;
using gateway::core::kNkeyPrefixUser;
using gateway::core::SignJwt;
using gateway::core::TestNkey;
using Json = nlohmann::json;

class JwtResolverTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    dir_ = util::MakeTempDir("jwtres-");
    const std::string op_jwt = OperatorJwt(op_, sys_);
    const std::string config = dir_ + "/server.conf";
    std::ofstream(config) << "operator: \"" << op_jwt << "\"\n"
                          << "resolver { type: " << resolver_type_ << ", dir: \"" << dir_
                          << "/jwt\"" << (resolver_type_ == "full" ? ", allow_delete: true" : "")
                          << " }\n"
                          << "resolver_preload {\n"
                          << "  " << sys_.public_key << ": \"" << AccountJwt(sys_) << "\"\n"
                          << "}\n";
    auto ports = StartOnFreePort(binary, {"-c", config}, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    const std::string& url = ports->nats.front();
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
    ASSERT_EQ(Connect(sys_, &sys_nc_), NATS_OK);
  }

  void TearDown() override {
    if (sys_nc_ != nullptr) natsConnection_Destroy(sys_nc_);
  }

  std::string AccountJwt(const TestNkey& account, Json nats = Json::object()) {
    return SignJwt({{"sub", account.public_key}, {"nats", UnlimitedAccount(nats)}}, op_);
  }

  // Connects a fresh user of `account` with a creds file.
  natsStatus Connect(const TestNkey& account, natsConnection** nc,
                     const TestNkey& user = TestNkey::Create(kNkeyPrefixUser)) {
    const std::string jwt =
        SignJwt({{"sub", user.public_key}, {"nats", UnlimitedUser(Json::object())}}, account);
    return ConnectWithCreds(port_, WriteCreds(dir_, jwt, user), nc);
  }

  // A request in the system account; its reply's payload.
  std::string Request(const std::string& subject, const std::string& payload,
                      natsStatus expected = NATS_OK) {
    natsMsg* reply = nullptr;
    const natsStatus s = natsConnection_Request(&reply, sys_nc_, subject.c_str(), payload.data(),
                                                static_cast<int>(payload.size()), 2000);
    EXPECT_EQ(s, expected) << subject;
    if (s != NATS_OK) return "";
    std::string data(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
    return data;
  }
  Json RequestJson(const std::string& subject, const std::string& payload) {
    return Json::parse(Request(subject, payload), nullptr, false);
  }

  // A lookup of an account without a JWT: nats-server 2.10 (and the
  // gateway) answers it empty; Debian's nats-server 2.9.10 does not answer.
  void ExpectNoJwt(const TestNkey& account) {
    const bool v29 = std::string(GetParam().name) == "nats_server";
    EXPECT_EQ(Request(absl::StrCat("$SYS.REQ.ACCOUNT.", account.public_key, ".CLAIMS.LOOKUP"), "",
                      v29 ? NATS_TIMEOUT : NATS_OK),
              "");
  }

  std::string resolver_type_ = "full";
  TestNkey op_ = TestNkey::Create(kNkeyPrefixOperator);
  TestNkey sys_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey a_ = TestNkey::Create(kNkeyPrefixAccount);
  std::string dir_;
  std::unique_ptr<harness::Process> server_;
  natsConnection* sys_nc_ = nullptr;
  int port_ = 0;
};

TEST_P(JwtResolverTest, UpdateLookupListDelete) {
  natsConnection* nc = nullptr;
  EXPECT_NE(Connect(a_, &nc), NATS_OK);  // not known yet

  const std::string a_jwt = AccountJwt(a_);
  Json r = RequestJson("$SYS.REQ.CLAIMS.UPDATE", a_jwt);
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_TRUE(r.contains("server"));
  EXPECT_EQ(r["data"]["account"], a_.public_key);
  EXPECT_EQ(r["data"]["code"], 200);
  EXPECT_EQ(r["data"]["message"], "jwt updated");

  ASSERT_EQ(Connect(a_, &nc), NATS_OK);
  natsConnection_Destroy(nc);
  nc = nullptr;

  EXPECT_EQ(Request(absl::StrCat("$SYS.REQ.ACCOUNT.", a_.public_key, ".CLAIMS.LOOKUP"), ""), a_jwt);
  const TestNkey unknown = TestNkey::Create(kNkeyPrefixAccount);
  ExpectNoJwt(unknown);
  Json list = RequestJson("$SYS.REQ.CLAIMS.LIST", "");
  ASSERT_TRUE(list["data"].is_array()) << list.dump();
  EXPECT_NE(std::find(list["data"].begin(), list["data"].end(), a_.public_key), list["data"].end());

  // Another account's JWT on A's subject; not a JWT at all.
  r = RequestJson(absl::StrCat("$SYS.REQ.ACCOUNT.", a_.public_key, ".CLAIMS.UPDATE"),
                  AccountJwt(unknown));
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["account"], a_.public_key);
  EXPECT_EQ(r["error"]["code"], 500);
  EXPECT_EQ(r["error"]["description"],
            "jwt update resulted in error - subject does not match jwt content");
  r = RequestJson("$SYS.REQ.CLAIMS.UPDATE", "garbage");
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["account"], "n/a");

  // A delete request must be signed by the operator itself.
  const std::string by_account =
      SignJwt({{"sub", a_.public_key}, {"nats", {{"accounts", {a_.public_key}}}}}, a_);
  r = RequestJson("$SYS.REQ.CLAIMS.DELETE", by_account);
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["description"],
            absl::StrCat("delete accounts request by ", a_.public_key, " failed - not trusted"));
  const std::string by_operator =
      SignJwt({{"sub", op_.public_key}, {"nats", {{"accounts", {a_.public_key}}}}}, op_);
  r = RequestJson("$SYS.REQ.CLAIMS.DELETE", by_operator);
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_EQ(r["data"]["message"], "deleted 1 accounts");
  ExpectNoJwt(a_);
  EXPECT_NE(Connect(a_, &nc), NATS_OK);
  if (nc != nullptr) natsConnection_Destroy(nc);
}

TEST_P(JwtResolverTest, RevocationByUpdateRefusesTheUser) {
  ASSERT_TRUE(RequestJson("$SYS.REQ.CLAIMS.UPDATE", AccountJwt(a_)).contains("data"));
  const TestNkey user = TestNkey::Create(kNkeyPrefixUser);
  natsConnection* nc = nullptr;
  ASSERT_EQ(Connect(a_, &nc, user), NATS_OK);
  // A JWT issued later than the stored one replaces it; it revokes the
  // user's JWTs issued up to a minute from now.
  const std::string update = SignJwt(
      {{"sub", a_.public_key},
       {"iat", absl::ToUnixSeconds(absl::Now()) + 1},
       {"nats", UnlimitedAccount({{"revocations",
                                   {{user.public_key, absl::ToUnixSeconds(absl::Now()) + 60}}}})}},
      op_);
  Json r = RequestJson(absl::StrCat("$SYS.REQ.ACCOUNT.", a_.public_key, ".CLAIMS.UPDATE"), update);
  ASSERT_TRUE(r.contains("data")) << r.dump();
  // The connected user is closed with -ERR 'User Authentication Revoked'.
  for (int i = 0; i < 100 && !natsConnection_IsClosed(nc); ++i) nats_Sleep(100);
  ASSERT_TRUE(natsConnection_IsClosed(nc));
  const char* text = nullptr;
  natsConnection_GetLastError(nc, &text);
  EXPECT_NE(std::string(text == nullptr ? "" : text).find("User Authentication Revoked"),
            std::string::npos)
      << (text == nullptr ? "" : text);
  natsConnection_Destroy(nc);
  nc = nullptr;
  EXPECT_NE(Connect(a_, &nc, user), NATS_OK);
  if (nc != nullptr) natsConnection_Destroy(nc);
  nc = nullptr;
  EXPECT_EQ(Connect(a_, &nc), NATS_OK);  // another user of A
  if (nc != nullptr) natsConnection_Destroy(nc);
}

// `type: cache`: updates only for accounts the server has, with the cache's
// texts.
class JwtCacheResolverTest : public JwtResolverTest {
 protected:
  void SetUp() override {
    resolver_type_ = "cache";
    JwtResolverTest::SetUp();
  }
};

TEST_P(JwtCacheResolverTest, UpdatesKnownAccountsOnly) {
  Json r = RequestJson("$SYS.REQ.CLAIMS.UPDATE", AccountJwt(a_));
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_EQ(r["data"]["account"], a_.public_key);
  EXPECT_EQ(r["data"]["message"], "jwt update cache skipped");
  const std::string sys_update = SignJwt({{"sub", sys_.public_key},
                                          {"iat", absl::ToUnixSeconds(absl::Now()) + 1},
                                          {"nats", UnlimitedAccount(Json::object())}},
                                         op_);
  r = RequestJson(absl::StrCat("$SYS.REQ.ACCOUNT.", sys_.public_key, ".CLAIMS.UPDATE"), sys_update);
  ASSERT_TRUE(r.contains("data")) << r.dump();
  EXPECT_EQ(r["data"]["message"], "jwt updated cache");
  r = RequestJson("$SYS.REQ.CLAIMS.UPDATE", "garbage");
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["description"].get<std::string>().rfind(
                "jwt update cache resulted in error - ", 0),
            0u)
      << r.dump();
}

INSTANTIATE_TEST_SUITE_P(Servers, JwtResolverTest, BothServers(), BackendName);
INSTANTIATE_TEST_SUITE_P(Servers, JwtCacheResolverTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
