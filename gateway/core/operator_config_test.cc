#include "gateway/core/operator_config.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gateway/core/config.h"
#include "gateway/core/jwt_testing.h"
#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::gateway::core {
namespace {

using Json = nlohmann::json;

class OperatorConfigTest : public ::testing::Test {
 protected:
  std::string OperatorJwt(Json nats = Json::object(), bool v1 = false) {
    nats["type"] = "operator";
    return SignJwt({{"sub", op_.public_key}, {"name", "op"}, {"nats", nats}}, op_, v1);
  }
  std::string AccountJwt(const TestNkey& account, Json nats = Json::object(),
                         const TestNkey* issuer = nullptr) {
    nats["type"] = "account";
    return SignJwt({{"sub", account.public_key}, {"nats", nats}}, issuer ? *issuer : op_);
  }
  absl::Status Apply(const std::string& text, ServerOptions* o) { return ApplyConfigText(text, o); }

  const AccountOptions* Find(const ServerOptions& o, const std::string& name) {
    for (const AccountOptions& a : o.accounts) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }

  TestNkey op_ = TestNkey::Create(kNkeyPrefixOperator);
  TestNkey a_ = TestNkey::Create(kNkeyPrefixAccount);
  TestNkey b_ = TestNkey::Create(kNkeyPrefixAccount);
};

TEST_F(OperatorConfigTest, PreloadedAccountsBecomeAccounts) {
  const std::string a = AccountJwt(
      a_, {{"limits",
            {{"conn", 5},
             {"subs", -1},
             {"payload", 64},
             {"mem_storage", -1},
             {"disk_storage", 1024},
             {"streams", 2},
             {"consumer", 3}}},
           {"exports",
            {{{"subject", "a.>"}, {"type", "stream"}}, {{"subject", "svc"}, {"type", "service"}}}},
           {"mappings",
            {{"m.*", {{{"subject", "n.$1"}, {"weight", 0}}}}, {"bad", {{{"subject", "x.$9"}}}}}}});
  const std::string b = AccountJwt(
      b_, {{"imports",
            {{{"account", a_.public_key}, {"subject", "a.>"}, {"type", "stream"}, {"to", "fa"}},
             {{"account", a_.public_key},
              {"subject", "svc"},
              {"type", "service"},
              {"local_subject", "asvc"}},
             {{"account", a_.public_key}, {"subject", "nope"}, {"type", "stream"}}}}});
  ServerOptions o;
  ASSERT_TRUE(Apply(absl::StrCat("operator: ", OperatorJwt(), "\nresolver: MEMORY\n",
                                 "resolver_preload {\n", a_.public_key, ": ", a, "\n",
                                 b_.public_key, ": \"", b, "\"\n}\n"),
                    &o)
                  .ok());
  ASSERT_TRUE(o.operator_mode.enabled());
  EXPECT_EQ(o.operator_mode.trusted_keys, std::vector<std::string>{op_.public_key});
  const AccountOptions* acc_a = Find(o, a_.public_key);
  const AccountOptions* acc_b = Find(o, b_.public_key);
  ASSERT_NE(acc_a, nullptr);
  ASSERT_NE(acc_b, nullptr);
  EXPECT_EQ(acc_a->limits.max_connections, 5);
  EXPECT_EQ(acc_a->limits.max_subscriptions, -1);
  EXPECT_EQ(acc_a->limits.max_payload, 64);
  EXPECT_TRUE(acc_a->jetstream);
  EXPECT_EQ(acc_a->jetstream_limits.max_storage, 1024);
  EXPECT_EQ(acc_a->jetstream_limits.max_streams, 2);
  EXPECT_EQ(acc_a->jetstream_limits.max_consumers, 3);
  EXPECT_FALSE(acc_b->jetstream);
  ASSERT_EQ(acc_a->mappings.size(), 1u);  // "bad" names a wildcard "m.*" lacks
  EXPECT_EQ(acc_a->mappings[0].source, "m.*");
  ASSERT_EQ(acc_a->mappings[0].destinations.size(), 1u);
  EXPECT_EQ(acc_a->mappings[0].destinations[0].subject, "n.$1");
  EXPECT_EQ(acc_a->mappings[0].destinations[0].weight, 100);
  ASSERT_EQ(acc_b->stream_imports.size(), 1u);  // "nope" is exported by nobody
  EXPECT_EQ(acc_b->stream_imports[0].to, "fa.a.>");
  ASSERT_EQ(acc_b->service_imports.size(), 1u);
  EXPECT_EQ(acc_b->service_imports[0].to, "asvc");
}

TEST_F(OperatorConfigTest, OperatorFromAFileV1) {
  const std::string dir = testing::util::MakeTempDir("opcfg-");
  const std::string file = dir + "/op.jwt";
  std::ofstream(file) << "-----BEGIN NATS OPERATOR JWT-----\n"
                      << OperatorJwt(
                             {{"signing_keys", {TestNkey::Create(kNkeyPrefixOperator).public_key}}},
                             /*v1=*/true)
                      << "\n------END NATS OPERATOR JWT------\n";
  ServerOptions o;
  absl::Status s = Apply(absl::StrCat("operators: [\"", file, "\"]\nresolver: MEM\n"), &o);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(o.operator_mode.operators.size(), 1u);
  EXPECT_EQ(o.operator_mode.operators[0].claims.version, 1);
  EXPECT_EQ(o.operator_mode.trusted_keys.size(), 2u);
}

TEST_F(OperatorConfigTest, RefusedAsNatsServerDoes) {
  const std::string op = OperatorJwt();
  const std::pair<std::string, std::string> cases[] = {
      {absl::StrCat("operator: ", op), "operators require an account resolver to be configured"},
      {absl::StrCat("operator: ", op, "\nresolver: MEMORY\naccounts { A {} }"),
       "operators do not allow Accounts to be configured directly"},
      {absl::StrCat("operator: ", op, "\nresolver: MEMORY\nauthorization { users: [{user: a}] }"),
       "operators do not allow users to be configured directly"},
      {absl::StrCat("operator: ", op, "\nresolver: MEMORY\ntrusted: ", op_.public_key),
       "conflicting options for 'TrustedKeys' and 'TrustedOperators'"},
      {"operator: /no/such/file.jwt",
       "error parsing operator JWT: open /no/such/file.jwt: no such file or directory"},
      {absl::StrCat("operator: ", op.substr(0, op.size() - 4), "AAAA"),
       "error parsing operator JWT: claim failed V2 signature verification"},
      {absl::StrCat("operator: ", AccountJwt(a_)),
       "error parsing operator JWT: not operator claim"},
      {"trusted: [ABC]", "trust key \"ABC\" required to be a valid public operator nkey"},
      {"resolver: FOO", "error parsing account resolver, should be MEM or  URL(\"url\")"},
      {"resolver { type: full }", "dir has no value and needs to point to a directory"},
      {"resolver { type: cache, dir: /tmp, allow_delete: true }",
       "CACHE does not accept allow_delete"},
      {"resolver { type: full, dir: /tmp, ttl: \"1s\" }", "FULL does not accept ttl"},
      {"resolver_preload: x", "preload should be a map of account_public_key:account_jwt"},
      {"resolver_preload { A: notajwt }", "invalid account JWT"},
      {absl::StrCat("operator: ", op, "\nresolver { type: full, dir: /tmp }"),
       "using nats based account resolver - the system account needs to be specified"},
      {absl::StrCat("operator: ", OperatorJwt({{"system_account", a_.public_key}}),
                    "\nresolver: MEMORY\nsystem_account: ", b_.public_key),
       "system_account in config and operator JWT must be identical"},
      {absl::StrCat("operator: ", OperatorJwt({{"assert_server_version", "9.0.0"}}),
                    "\nresolver: MEMORY"),
       "expected major version 9 > server major version 2"},
      {absl::StrCat("operator: ", op, "\nresolver: URL(\"http://127.0.0.1:1/jwt/v1/\")"),
       "URL account resolvers are not implemented"},
  };
  for (const auto& [text, error] : cases) {
    ServerOptions o;
    absl::Status s = Apply(text, &o);
    EXPECT_NE(s.message().find(error), std::string::npos) << text << "\n=> " << s;
  }
}

TEST_F(OperatorConfigTest, FullResolverDirectory) {
  const std::string dir = testing::util::MakeTempDir("opdir-");
  const TestNkey sys = TestNkey::Create(kNkeyPrefixAccount);
  const TestNkey stranger = TestNkey::Create(kNkeyPrefixOperator);
  std::ofstream(dir + "/" + a_.public_key + ".jwt") << AccountJwt(a_, {{"limits", {{"conn", 7}}}});
  // Signed by an operator nobody trusts: not loaded.
  std::ofstream(dir + "/" + b_.public_key + ".jwt") << AccountJwt(b_, {}, &stranger);
  ServerOptions o;
  absl::Status s =
      Apply(absl::StrCat("operator: ", OperatorJwt({{"system_account", sys.public_key}}),
                         "\nresolver { type: full, dir: \"", dir,
                         "\", allow_delete: true, interval: \"2m\" }\n"),
            &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.system_account, sys.public_key);
  EXPECT_EQ(o.operator_mode.resolver.type, ResolverOptions::Type::kFull);
  EXPECT_TRUE(o.operator_mode.resolver.allow_delete);
  EXPECT_EQ(o.operator_mode.resolver.interval, absl::Minutes(2));
  ASSERT_NE(Find(o, a_.public_key), nullptr);
  EXPECT_EQ(Find(o, a_.public_key)->limits.max_connections, 7);
  EXPECT_EQ(Find(o, b_.public_key), nullptr);
  EXPECT_NE(Find(o, sys.public_key), nullptr);  // the system account, without a JWT
}

TEST_F(OperatorConfigTest, TokenRequiredExportsNeedAnActivation) {
  const TestNkey c = TestNkey::Create(kNkeyPrefixAccount);
  const std::string activation =
      SignJwt({{"sub", b_.public_key},
               {"nats", {{"type", "activation"}, {"subject", "priv.>"}, {"kind", "stream"}}}},
              a_);
  ServerOptions o;
  ASSERT_TRUE(
      Apply(absl::StrCat(
                "operator: ", OperatorJwt(), "\nresolver: MEMORY\nresolver_preload {\n",
                a_.public_key, ": ",
                AccountJwt(a_,
                           {{"exports",
                             {{{"subject", "priv.>"}, {"type", "stream"}, {"token_req", true}}}}}),
                "\n", b_.public_key, ": ",
                AccountJwt(b_, {{"imports",
                                 {{{"account", a_.public_key},
                                   {"subject", "priv.>"},
                                   {"type", "stream"},
                                   {"token", activation}}}}}),
                "\n", c.public_key, ": ",
                AccountJwt(c, {{"imports",
                                {{{"account", a_.public_key},
                                  {"subject", "priv.>"},
                                  {"type", "stream"},
                                  {"token", activation}}}}}),
                "\n}\n"),
            &o)
          .ok());
  EXPECT_EQ(Find(o, b_.public_key)->stream_imports.size(), 1u);
  EXPECT_TRUE(Find(o, c.public_key)->stream_imports.empty());  // the token is b's
  EXPECT_EQ(Find(o, a_.public_key)->stream_exports[0].accounts,
            std::vector<std::string>{b_.public_key});
}

}  // namespace
}  // namespace jsengine::gateway::core
