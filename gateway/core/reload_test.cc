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
  next.accounts = {{"A", {}, {}, {}, {}}};
  EXPECT_EQ(std::string(CheckReloadable(current, next).message()),
            "config reload not supported for accounts: old=, new=A{||||}");
  next = current;
  next.jetstream = true;
  EXPECT_FALSE(CheckReloadable(current, next).ok());
  next = current;
  next.tls.enabled = true;
  EXPECT_FALSE(CheckReloadable(current, next).ok());
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
