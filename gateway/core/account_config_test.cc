#include "gateway/core/account_config.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

absl::Status Apply(const char* text, ServerOptions* o) { return ApplyConfigText(text, o); }

// The options `text` configures; a failure when it does not parse.
ServerOptions Parsed(const char* text) {
  ServerOptions o;
  const absl::Status s = Apply(text, &o);
  EXPECT_TRUE(s.ok()) << s;
  return o;
}

TEST(AccountConfigTest, AccountsUsersExportsImports) {
  const char* text = R"(
accounts {
  A: {
    users: [{user: a, password: apw, permissions: {publish: "a.>"}}]
    exports: [
      {stream: "a.>"}
      {service: "svc.*", accounts: [B]}
    ]
  }
  B {
    users = [{user: b, password: bpw}]
    imports = [
      {stream: {account: A, subject: "a.>"}, prefix: from_a}
      {stream: {account: A, subject: "a.x"}, to: "ax"}
      {service: {account: A, subject: "svc.*"}, to: "req.*"}
      {service: {account: A, subject: "svc.q"}}
    ]
  }
}
authorization { users: [{user: g, password: gpw}] }
no_auth_user: b
system_account: A
)";
  ServerOptions o;
  absl::Status s = Apply(text, &o);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(o.accounts.size(), 2u);
  EXPECT_EQ(o.accounts[0].name, "A");
  ASSERT_EQ(o.accounts[0].stream_exports.size(), 1u);
  EXPECT_EQ(o.accounts[0].stream_exports[0].subject, "a.>");
  EXPECT_TRUE(o.accounts[0].stream_exports[0].accounts.empty());
  ASSERT_EQ(o.accounts[0].service_exports.size(), 1u);
  EXPECT_EQ(o.accounts[0].service_exports[0].accounts, std::vector<std::string>{"B"});
  const AccountOptions& b = o.accounts[1];
  ASSERT_EQ(b.stream_imports.size(), 2u);
  EXPECT_EQ(b.stream_imports[0].account, "A");
  EXPECT_EQ(b.stream_imports[0].subject, "a.>");
  EXPECT_EQ(b.stream_imports[0].to, "from_a.a.>");
  EXPECT_EQ(b.stream_imports[1].to, "ax");
  ASSERT_EQ(b.service_imports.size(), 2u);
  EXPECT_EQ(b.service_imports[0].to, "req.*");
  EXPECT_EQ(b.service_imports[1].to, "");
  ASSERT_EQ(o.users.size(), 3u);
  EXPECT_EQ(o.users[0].user, "a");
  EXPECT_EQ(o.users[0].account, "A");
  EXPECT_EQ(o.users[0].permissions.publish.allow, std::vector<std::string>{"a.>"});
  EXPECT_EQ(o.users[1].account, "B");
  EXPECT_EQ(o.users[2].user, "g");
  EXPECT_EQ(o.users[2].account, "");
  EXPECT_EQ(o.no_auth_user, "b");
  EXPECT_EQ(o.system_account, "A");
}

TEST(AccountConfigTest, DefaultPermissionsFillUsersWithoutTheirOwn) {
  const char* text = R"(
accounts {
  A: {
    users: [{user: a1, password: p}, {user: a2, password: p, permissions: {publish: "x"}}]
    default_permissions: {publish: "a.>", subscribe: {deny: "secret.>"}}
  }
}
authorization {
  default_permissions: {subscribe: "g.>"}
  users: [{user: g, password: p}]
}
)";
  const ServerOptions o = Parsed(text);
  ASSERT_EQ(o.users.size(), 3u);
  EXPECT_EQ(o.users[0].account, "A");
  EXPECT_EQ(o.users[0].permissions.publish.allow, std::vector<std::string>{"a.>"});
  EXPECT_EQ(o.users[0].permissions.subscribe.deny, std::vector<std::string>{"secret.>"});
  EXPECT_EQ(o.users[1].permissions.publish.allow, std::vector<std::string>{"x"});
  EXPECT_TRUE(o.users[1].permissions.subscribe.deny.empty());
  EXPECT_EQ(o.users[2].account, "");
  EXPECT_EQ(o.users[2].permissions.subscribe.allow, std::vector<std::string>{"g.>"});
}

TEST(AccountConfigTest, AllowResponses) {
  const ServerOptions o = Parsed(R"(
authorization {
  users: [{user: a, password: p, permissions: {allow_responses: true}}
          {user: b, password: p, permissions: {allow_responses: {max: 3, expires: "1s"}}}
          {user: c, password: p, permissions: {allow_responses: false}}]
}
)");
  ASSERT_EQ(o.users.size(), 3u);
  EXPECT_TRUE(o.users[0].permissions.responses.enabled);
  EXPECT_EQ(o.users[0].permissions.responses.max_msgs, 1);
  EXPECT_EQ(o.users[0].permissions.responses.expires, absl::Minutes(2));
  EXPECT_EQ(o.users[1].permissions.responses.max_msgs, 3);
  EXPECT_EQ(o.users[1].permissions.responses.expires, absl::Seconds(1));
  EXPECT_FALSE(o.users[2].permissions.responses.enabled);
}

TEST(AccountConfigTest, ListOfNames) {
  ServerOptions o;
  ASSERT_TRUE(Apply("accounts: [A, B]", &o).ok());
  ASSERT_EQ(o.accounts.size(), 2u);
  EXPECT_EQ(o.accounts[1].name, "B");
}

TEST(AccountConfigTest, AccountNkey) {
  ServerOptions o;
  ASSERT_TRUE(
      Apply("accounts { S: { nkey: ADMHMDX2LEUJRZQHGVSVRWZEJ2CPNHYO6TB4ZCZ37LXAX5SYNEW252GF } }",
            &o)
          .ok());
  ASSERT_EQ(o.accounts.size(), 1u);
  EXPECT_EQ(o.accounts[0].nkey, "ADMHMDX2LEUJRZQHGVSVRWZEJ2CPNHYO6TB4ZCZ37LXAX5SYNEW252GF");
}

struct BadCase {
  const char* text;
  const char* error;
};

TEST(AccountConfigTest, Errors) {
  const BadCase cases[] = {
      {"accounts { $G: {} }", "\"$G\" is a Reserved Account"},
      {"accounts: [A, A]", "Duplicate Account Entry: A"},
      {"accounts { A: 1 }", "Expected map entries for accounts"},
      // A user's key where an account's belongs, and one with a broken checksum.
      {"accounts { A: { nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX } }",
       "config line 1: Not a valid public nkey for an account: "
       "\"UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX\""},
      {"accounts { A: { nkey: ADMHMDX2LEUJRZQHGVSVRWZEJ2CPNHYO6TB4ZCZ37LXAX5SYNEW252GG } }",
       "Not a valid public nkey for an account"},
      {"accounts {\n A: {\n limits: {\n max_conn: 1\n max_widgets: 2\n }\n }\n }",
       "config line 5: unsupported key 'max_widgets' in account limits"},
      {"accounts { A: { limits: 5 } }", "Expected account limits to be a map/struct, got 5"},
      {"accounts { A: { limits: [1] } }", "Expected account limits to be a map/struct"},
      {"accounts { A: { limits: { max_conn: \"5\" } } }", "'max_conn' must be an integer"},
      {"accounts { A: { limits: { max_subs: true } } }", "'max_subs' must be an integer"},
      {"accounts { A: { limits: { max_pay: 1.5 } } }", "'max_pay' must be an integer"},
      {"accounts { A: { limits: { max_payload: 4GB } } }", "'max_payload' does not fit in 32 bits"},
      {"accounts { A: { mappings: { \"a.*\": \"b.$2\" } } }",
       "config line 1: Error adding mapping for \"a.*\""},
      {"accounts { A: {users: [{user: x, password: y}]} B: {users: [{user: x, password: z}]} }",
       "Duplicate user \"x\" detected"},
      {"accounts { A: {users: [{nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX}]}\n"
       "B: {users: [{nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX}]} }",
       "Duplicate nkey \"UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX\" detected"},
      {"authorization { user: u, password: p }\naccounts { A: {users: [{user: x, password: y}]} }",
       "Can not have a single user/pass and accounts"},
      {"authorization { token: t }\naccounts { A: {users: [{user: x, password: y}]} }",
       "Can not have a token and accounts"},
      {"no_auth_user: x", "no_auth_user: \"x\" present, but users/nkeys are not defined"},
      {"accounts { A: {users: [{user: a, password: a}]} }\nno_auth_user: x",
       "no_auth_user: \"x\" not present as user or nkey in authorization block or account "
       "configuration"},
      {"accounts { A: { imports: [{stream: {account: B, subject: x}}] } }",
       "\"B\" account not defined for stream import"},
      {"accounts { A: {} B: { imports: [{stream: {account: A, subject: x}}] } }",
       "Error adding stream import \"x\": stream import not authorized"},
      {"accounts { A: {exports: [{service: x, accounts: [C]}]} B: { imports: [{service: "
       "{account: A, subject: x}}] } }",
       "\"C\" account not defined for service export"},
      {"accounts { A: {exports: [{service: x, accounts: [A]}]} B: { imports: [{service: "
       "{account: A, subject: x}}] } }",
       "Error adding service import \"x\": service import not authorized"},
      {"accounts { A: {exports: [{stream: x.>}]} B: { imports: [{stream: {account: A, "
       "subject: x.>}, prefix: p, to: q}] } }",
       "Stream import can not have a 'prefix' and a 'to' property"},
      {"accounts { A: {exports: [{stream: x.>, service: y}]} }", "but already saw a stream"},
      {"accounts { A: {exports: [{stream: x.>}]} B: { imports: [{stream: {account: A}}] } }",
       "Expect an account name and a subject"},
      {"system_account: NOPE", "error resolving system account"},
  };
  for (const BadCase& c : cases) {
    ServerOptions o;
    absl::Status s = Apply(c.text, &o);
    EXPECT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.message().find(c.error), std::string::npos) << c.text << "\n=> " << s;
  }
}

TEST(AccountConfigTest, Limits) {
  const char* text = R"(
accounts {
  A: { limits: { max_connections: 10, max_subscriptions: 20, max_payload: 1KB,
                 max_leafnodes: 3 } }
  B: { LIMITS: { Max_Conn: 0, max_subs: -1, max_pay: 512, max_leafs: 1 } }
  C: {}
  D: { limits: { max_conn: -5 } }
}
)";
  ServerOptions o;
  absl::Status s = Apply(text, &o);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(o.accounts.size(), 4u);
  const AccountLimits& a = o.accounts[0].limits;
  EXPECT_EQ(a.max_connections, 10);
  EXPECT_EQ(a.max_subscriptions, 20);
  EXPECT_EQ(a.max_payload, 1024);
  EXPECT_EQ(a.max_leafnodes, 3);
  const AccountLimits& b = o.accounts[1].limits;
  EXPECT_EQ(b.max_connections, 0);
  EXPECT_EQ(b.max_subscriptions, -1);
  EXPECT_EQ(b.max_payload, 512);
  EXPECT_EQ(b.max_leafnodes, 1);
  const AccountLimits& c = o.accounts[2].limits;
  EXPECT_EQ(c.max_connections, -1);
  EXPECT_EQ(c.max_subscriptions, -1);
  EXPECT_EQ(c.max_payload, -1);
  EXPECT_EQ(c.max_leafnodes, -1);
  // As nats-server: a negative limit other than -1 is kept as written.
  EXPECT_EQ(o.accounts[3].limits.max_connections, -5);
}

TEST(AccountConfigTest, LimitsFromVariables) {
  ServerOptions o;
  absl::Status s = Apply("CONNS: 4\naccounts { A: { limits: { max_conn: $CONNS } } }", &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.accounts[0].limits.max_connections, 4);
}

TEST(AccountConfigTest, JetStreamPerAccount) {
  const char* text = R"(
jetstream {}
accounts {
  A: { jetstream: enabled }
  B: { jetstream: { max_mem: 1M, max_file: 2MB, max_streams: 3, consumers: 4,
                    max_bytes_required: true, store_max_stream_bytes: 1K } }
  C: { jetstream: false }
  D: {}
  E: { jetstream: { max_memory: -1 } }
}
)";
  ServerOptions o;
  absl::Status s = Apply(text, &o);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(o.accounts.size(), 5u);
  EXPECT_TRUE(o.accounts[0].jetstream);
  EXPECT_EQ(o.accounts[0].jetstream_limits.max_memory, -1);
  EXPECT_EQ(o.accounts[0].jetstream_limits.max_streams, -1);
  const JetStreamLimits& b = o.accounts[1].jetstream_limits;
  EXPECT_TRUE(o.accounts[1].jetstream);
  EXPECT_EQ(b.max_memory, 1000 * 1000);
  EXPECT_EQ(b.max_storage, 2 * 1024 * 1024);
  EXPECT_EQ(b.max_streams, 3);
  EXPECT_EQ(b.max_consumers, 4);
  EXPECT_TRUE(b.max_bytes_required);
  EXPECT_EQ(b.storage_max_stream_bytes, 1000);
  EXPECT_EQ(b.memory_max_stream_bytes, -1);
  EXPECT_FALSE(o.accounts[2].jetstream);
  EXPECT_FALSE(o.accounts[3].jetstream);
  EXPECT_TRUE(o.accounts[4].jetstream);
}

TEST(AccountConfigTest, JetStreamPerAccountErrors) {
  ServerOptions o;
  EXPECT_FALSE(Apply("accounts { A: { jetstream: \"maybe\" } }", &o).ok());
  ServerOptions p;
  absl::Status s = Apply("accounts { A: { jetstream: { max_widgets: 1 } } }", &p);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("max_widgets"), std::string::npos) << s;
}

}  // namespace
}  // namespace jsengine::gateway::core
