#include "gateway/core/reload.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(ReloadTest, AuthAndLimitsMayChange) {
  ServerOptions current;
  ServerOptions next = current;
  next.users = {{"u", "p", "", {}, ""}};
  next.no_auth_user = "u";
  next.token = "t";
  next.max_payload = 1;
  next.max_connections = 2;
  next.max_pending = 3;
  next.ping_interval = absl::Seconds(4);
  next.ping_max = 5;
  next.auth_timeout = absl::Seconds(6);
  next.debug = next.trace = true;
  EXPECT_TRUE(CheckReloadable(current, next).ok());
}

TEST(ReloadTest, OthersNeedARestart) {
  ServerOptions current;
  ServerOptions next = current;
  next.port = 4333;
  EXPECT_EQ(std::string(CheckReloadable(current, next).message()),
            "config reload not supported for port: old=4222, new=4333");
  next = current;
  next.jetstream = true;
  EXPECT_FALSE(CheckReloadable(current, next).ok());
  next = current;
  next.tls.enabled = true;
  EXPECT_FALSE(CheckReloadable(current, next).ok());
  next = current;
  next.leafnodes.remotes.push_back(RemoteLeafOptions{{"nats-leaf://u:secret@hub:7422"}});
  const std::string refused(CheckReloadable(current, next).message());
  EXPECT_NE(refused.find("config reload not supported for leafnodes"), std::string::npos);
  EXPECT_EQ(refused.find("secret"), std::string::npos) << refused;
  current = next;
  next.leafnodes.remotes[0].urls[0] = "nats-leaf://u:other@hub:7422";
  EXPECT_FALSE(CheckReloadable(current, next).ok());
}

TEST(ReloadTest, AccountsMayChange) {
  ServerOptions current;
  current.accounts = {{"A", {}, {}, {}, {}}};
  ServerOptions next = current;
  next.accounts.push_back({"B", {}, {}, {}, {}});
  next.accounts[0].stream_exports.push_back({"news.>", {}});
  next.accounts[1].mappings.push_back({"a", {{"b", 100, ""}}, 1});
  next.mappings.push_back({"x", {{"y", 100, ""}}, 1});
  EXPECT_TRUE(CheckReloadable(current, next).ok());
  EXPECT_TRUE(CheckAccountsReloadable(current, next).ok());
}

TEST(ReloadTest, JetStreamAccountsAddedAfterStartNeedARestart) {
  ServerOptions start;
  start.jetstream = true;
  start.accounts = {{"A", true, {}, {}, {}, {}, {}}};
  ServerOptions next = start;
  next.accounts.push_back({"B", false, {}, {}, {}, {}, {}});
  EXPECT_TRUE(CheckAccountsReloadable(start, next).ok());
  next.accounts[1].jetstream = true;
  EXPECT_EQ(std::string(CheckAccountsReloadable(start, next).message()),
            "config reload not supported for jetstream in account B: the account was added "
            "after start; restart to enable it");
  next.accounts.clear();
  EXPECT_FALSE(CheckAccountsReloadable(start, next).ok());
  start.jetstream = false;
  EXPECT_TRUE(CheckAccountsReloadable(start, next).ok());
}

TEST(ReloadTest, KeepsCommandLineOnlySettings) {
  ServerOptions current;
  current.event_loops = 2;
  current.config_file = "/etc/x.conf";
  ServerOptions next = KeepCommandLineOnly(current, ServerOptions());
  EXPECT_EQ(next.event_loops, 2);
  EXPECT_EQ(next.config_file, "/etc/x.conf");
}

}  // namespace
}  // namespace jsengine::gateway::core
