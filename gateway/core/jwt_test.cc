#include "gateway/core/jwt.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "gateway/core/jwt_testing.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

using Json = nlohmann::json;

class JwtTest : public ::testing::Test {
 protected:
  TestNkey op_ = TestNkey::Create(kNkeyPrefixOperator);
  TestNkey op_signer_ = TestNkey::Create(kNkeyPrefixOperator);
  TestNkey account_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey account_signer_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey user_ = TestNkey::Create(kNkeyPrefixUser);

  std::string UserJwt(Json nats = Json::object()) {
    nats["type"] = "user";
    return SignJwt({{"sub", user_.public_key}, {"name", "u"}, {"nats", nats}}, account_);
  }
};

TEST_F(JwtTest, OperatorV2AndV1) {
  for (bool v1 : {false, true}) {
    const std::string jwt = SignJwt({{"sub", op_.public_key},
                                     {"nats",
                                      {{"type", "operator"},
                                       {"signing_keys", {op_signer_.public_key}},
                                       {"system_account", account_.public_key}}}},
                                    op_, v1);
    absl::StatusOr<OperatorClaims> o = DecodeOperatorClaims(jwt);
    ASSERT_TRUE(o.ok()) << o.status();
    EXPECT_EQ(o->claims.version, v1 ? 1 : 2);
    EXPECT_EQ(o->claims.subject, op_.public_key);
    EXPECT_EQ(o->signing_keys, std::vector<std::string>{op_signer_.public_key});
    EXPECT_EQ(o->system_account, account_.public_key);
  }
}

TEST_F(JwtTest, AccountClaims) {
  Json nats = {
      {"type", "account"},
      {"limits",
       {{"conn", 2},
        {"subs", 10},
        {"payload", 100},
        {"mem_storage", 1024},
        {"disk_storage", -1},
        {"streams", 3},
        {"consumer", -1}}},
      {"signing_keys",
       {account_signer_.public_key, {{"kind", "user_scope"}, {"key", user_.public_key}}}},
      {"exports", {{{"subject", "svc.>"}, {"type", "service"}, {"response_type", "Stream"}}}},
      {"imports",
       {{{"account", op_.public_key}, {"subject", "s.>"}, {"type", "stream"}, {"to", "p"}}}},
      {"revocations", {{user_.public_key, 100}}}};
  absl::StatusOr<AccountClaims> a =
      DecodeAccountClaims(SignJwt({{"sub", account_.public_key}, {"nats", nats}}, op_signer_));
  // A user key is no account signing key.
  EXPECT_FALSE(a.ok());
  nats["signing_keys"] = {account_signer_.public_key};
  const std::string good = SignJwt({{"sub", account_.public_key}, {"nats", nats}}, op_signer_);
  a = DecodeAccountClaims(good);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->limits.max_connections, 2);
  EXPECT_EQ(a->limits.max_subscriptions, 10);
  EXPECT_EQ(a->limits.max_payload, 100);
  EXPECT_EQ(a->limits.max_leafnodes, 0);  // missing: none
  EXPECT_TRUE(a->jetstream);
  EXPECT_EQ(a->jetstream_limits.max_memory, 1024);
  EXPECT_EQ(a->jetstream_limits.max_storage, -1);
  EXPECT_EQ(a->jetstream_limits.max_streams, 3);
  ASSERT_EQ(a->exports.size(), 1u);
  EXPECT_TRUE(a->exports[0].service);
  EXPECT_EQ(a->exports[0].response_type, AccountExport::ResponseType::kStream);
  ASSERT_EQ(a->imports.size(), 1u);
  EXPECT_TRUE(a->imports[0].to_is_prefix);
  EXPECT_EQ(a->imports[0].local_subject, "p");
  EXPECT_NE(a->FindIssuer(account_.public_key), nullptr);
  EXPECT_NE(a->FindIssuer(account_signer_.public_key), nullptr);
  EXPECT_EQ(a->FindIssuer(op_.public_key), nullptr);
  EXPECT_TRUE(a->IsRevoked(user_.public_key, 99));
  EXPECT_TRUE(a->IsRevoked(user_.public_key, 100));
  EXPECT_FALSE(a->IsRevoked(user_.public_key, 101));
  EXPECT_FALSE(a->IsRevoked(account_.public_key, 1));
}

TEST_F(JwtTest, UserClaims) {
  absl::StatusOr<UserClaims> u =
      DecodeUserClaims(UserJwt({{"pub", {{"allow", {"a.>"}}, {"deny", {"a.b"}}}},
                                {"sub", {{"allow", {"_INBOX.>"}}}},
                                {"resp", {{"max", 2}, {"ttl", 1000000000}}},
                                {"src", {"127.0.0.0/8"}},
                                {"issuer_account", account_.public_key}}));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(u->has_permissions);
  EXPECT_EQ(u->permissions.publish.allow, std::vector<std::string>{"a.>"});
  EXPECT_EQ(u->permissions.publish.deny, std::vector<std::string>{"a.b"});
  EXPECT_EQ(u->permissions.subscribe.allow, std::vector<std::string>{"_INBOX.>"});
  EXPECT_TRUE(u->permissions.responses.enabled);
  EXPECT_EQ(u->permissions.responses.max_msgs, 2);
  EXPECT_EQ(u->permissions.responses.expires, absl::Seconds(1));
  EXPECT_EQ(u->issuer_account, account_.public_key);
  EXPECT_TRUE(SourceAllowed(*u, "127.0.0.1"));
  EXPECT_FALSE(SourceAllowed(*u, "10.0.0.1"));
  EXPECT_FALSE(SourceAllowed(*u, "::1"));
}

TEST_F(JwtTest, BadSignatureRefused) {
  std::string jwt = UserJwt();
  std::vector<std::string> chunks = absl::StrSplit(jwt, '.');
  // Claims signed by someone else.
  const std::string other = SignJwt(
      {{"sub", user_.public_key}, {"name", "v"}, {"nats", {{"type", "user"}}}}, account_signer_);
  std::vector<std::string> other_chunks = absl::StrSplit(other, '.');
  const std::string forged = chunks[0] + "." + chunks[1] + "." + other_chunks[2];
  absl::StatusOr<UserClaims> u = DecodeUserClaims(forged);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().message(), "claim failed V2 signature verification");
  // A changed claim with the original signature.
  std::string body;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(chunks[1], &body));
  body.replace(body.find("\"u\""), 3, "\"x\"");
  std::string reencoded;
  absl::WebSafeBase64Escape(body, &reencoded);
  EXPECT_FALSE(DecodeUserClaims(chunks[0] + "." + reencoded + "." + chunks[2]).ok());
}

TEST_F(JwtTest, WrongIssuerRole) {
  // A user JWT must be issued by an account, not an operator.
  const std::string jwt = SignJwt({{"sub", user_.public_key}, {"nats", {{"type", "user"}}}}, op_);
  absl::StatusOr<UserClaims> u = DecodeUserClaims(jwt);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().message(), "unable to validate expected prefixes - [A]");
  // An account JWT is no user JWT.
  const std::string account =
      SignJwt({{"sub", account_.public_key}, {"nats", {{"type", "account"}}}}, op_);
  EXPECT_EQ(DecodeUserClaims(account).status().message(), "not user claim");
  EXPECT_TRUE(DecodeAccountClaims(account).ok());
}

TEST_F(JwtTest, Expiry) {
  absl::StatusOr<JwtClaims> c = DecodeJwt(
      SignJwt({{"sub", user_.public_key}, {"exp", 1000}, {"nats", {{"type", "user"}}}}, account_));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(CheckTimes(*c, absl::FromUnixSeconds(1000)).ok());
  EXPECT_EQ(CheckTimes(*c, absl::FromUnixSeconds(1001)).message(), "claim is expired");
  c->not_before = 500;
  EXPECT_EQ(CheckTimes(*c, absl::FromUnixSeconds(499)).message(), "claim is not yet valid");
}

TEST_F(JwtTest, MalformedRefused) {
  EXPECT_EQ(DecodeJwt("abc").status().message(), "expected 3 chunks");
  EXPECT_EQ(DecodeJwt("a.b.c.d").status().message(), "expected 3 chunks");
  EXPECT_EQ(DecodeJwt("!!!.e30.e30").status().message(), "illegal base64 data");
  std::string not_json;
  absl::WebSafeBase64Escape("{not json", &not_json);
  std::string header;
  absl::WebSafeBase64Escape(R"({"typ":"JWT","alg":"ed25519-nkey"})", &header);
  EXPECT_EQ(DecodeJwt(header + "." + not_json + ".AAAA").status().message(), "invalid JSON object");
  std::string bad_alg;
  absl::WebSafeBase64Escape(R"({"typ":"JWT","alg":"HS256"})", &bad_alg);
  EXPECT_EQ(DecodeJwt(bad_alg + ".e30.AAAA").status().message(), "unexpected \"HS256\" algorithm");
  // A claim whose field has the wrong JSON type.
  const std::string wrong_type =
      SignJwt({{"sub", user_.public_key}, {"nats", {{"type", "user"}, {"pub", "x"}}}}, account_);
  EXPECT_FALSE(DecodeUserClaims(wrong_type).ok());
}

TEST_F(JwtTest, DecoratedFiles) {
  const std::string jwt = UserJwt();
  EXPECT_EQ(ParseDecoratedJwt(CredsFile(jwt, user_.seed)), jwt);
  EXPECT_EQ(ParseDecoratedJwt("  " + jwt + "\n"), jwt);
}

TEST_F(JwtTest, ConnectTimes) {
  absl::StatusOr<UserClaims> u = DecodeUserClaims(UserJwt(
      {{"times", {{{"start", "10:00:00"}, {"end", "11:00:00"}}}}, {"times_location", "UTC"}}));
  ASSERT_TRUE(u.ok()) << u.status();
  const absl::Time day = absl::FromCivil(absl::CivilDay(2026, 1, 2), absl::UTCTimeZone());
  EXPECT_TRUE(TimeAllowed(*u, day + absl::Minutes(630)));
  EXPECT_FALSE(TimeAllowed(*u, day + absl::Minutes(690)));
}

}  // namespace
}  // namespace jsengine::gateway::core
