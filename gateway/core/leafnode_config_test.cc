#include "gateway/core/leafnode_config.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gateway/core/config.h"
#include "gateway/core/options.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(LeafNodeConfigTest, ReadsTheHubSide) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
leafnodes {
  listen: "127.0.0.1:7422"
  advertise: "hub.example.com:7422"
  no_advertise: true
  authorization { user: leaf, password: pw, account: A, timeout: 0.5 }
  reconnect: "2s"
  compression: off
}
accounts { A: {} }
)",
                              &o)
                  .ok());
  EXPECT_TRUE(o.leafnodes.accept);
  EXPECT_EQ(o.leafnodes.host, "127.0.0.1");
  EXPECT_EQ(o.leafnodes.port, 7422);
  EXPECT_EQ(o.leafnodes.advertise, "hub.example.com:7422");
  EXPECT_TRUE(o.leafnodes.no_advertise);
  EXPECT_EQ(o.leafnodes.username, "leaf");
  EXPECT_EQ(o.leafnodes.password, "pw");
  EXPECT_EQ(o.leafnodes.account, "A");
  EXPECT_EQ(o.leafnodes.auth_timeout, absl::Milliseconds(500));
  EXPECT_EQ(o.leafnodes.reconnect_interval, absl::Seconds(2));
  EXPECT_TRUE(o.leafnodes.remotes.empty());
}

TEST(LeafNodeConfigTest, ReadsUsersAndRemotes) {
  ServerOptions o;
  ASSERT_TRUE(ApplyConfigText(R"(
leafnodes {
  authorization { users [ { user: a, password: x, account: A }, { user: b, pass: y } ] }
  remotes [
    { url: "nats-leaf://u:p@hub:7422", account: A, deny_imports: "secret.>",
      deny_exports: ["x", "y.*"] },
    { urls: ["nats://h1:1", "nats://h2:2"], hub: true, no_randomize: true }
  ]
}
)",
                              &o)
                  .ok());
  EXPECT_FALSE(o.leafnodes.accept);
  ASSERT_EQ(o.leafnodes.users.size(), 2u);
  EXPECT_EQ(o.leafnodes.users[0].account, "A");
  EXPECT_EQ(o.leafnodes.users[1].password, "y");
  ASSERT_EQ(o.leafnodes.remotes.size(), 2u);
  const RemoteLeafOptions& r = o.leafnodes.remotes[0];
  EXPECT_EQ(r.urls, std::vector<std::string>{"nats-leaf://u:p@hub:7422"});
  EXPECT_EQ(r.account, "A");
  EXPECT_EQ(r.deny_imports, std::vector<std::string>{"secret.>"});
  EXPECT_EQ(r.deny_exports, (std::vector<std::string>{"x", "y.*"}));
  EXPECT_EQ(o.leafnodes.remotes[1].urls.size(), 2u);
  EXPECT_TRUE(o.leafnodes.remotes[1].hub);
  EXPECT_TRUE(o.leafnodes.remotes[1].no_randomize);
}

TEST(LeafNodeConfigTest, RefusesWhatItCannotHonour) {
  const std::pair<const char*, const char*> cases[] = {
      {"leafnodes { remotes [ { url: \"nats://h:1\", credentials: \"a.creds\" } ] }",
       "'credentials' is not supported"},
      {"leafnodes { remotes [ { url: \"ws://h:1\" } ] }", "'url' is not supported"},
      {"leafnodes { remotes [ { account: A } ] }", "needs a url"},
      {"leafnodes { remotes [ { url: \"nats://h\" } ] }", "invalid URL"},
      {"leafnodes { min_version: \"2.8.0\" }", "'min_version' is not supported"},
      {"leafnodes { authorization { nkey: UABC } }", "'nkey' is not supported"},
      {"leafnodes { authorization { user: a, password: b, users [ { user: c } ] } }",
       "users array"},
      {"leafnodes { bogus: 1 }", "bogus"},
  };
  for (const auto& [text, want] : cases) {
    ServerOptions o;
    absl::Status s = ApplyConfigText(text, &o);
    EXPECT_FALSE(s.ok()) << text;
    EXPECT_TRUE(absl::StrContains(s.message(), want)) << text << ": " << s.message();
  }
}

}  // namespace
}  // namespace jsengine::gateway::core
