// Configuration reload on SIGHUP, run the same way against the gateway
// binary and the reference nats-server: clients whose user stays keep their
// connection, a removed user's client is closed (silently: nats-server
// counts it as moved), one whose password changed gets 'Authorization
// Violation', changed permissions apply to open connections, a bad file is
// logged and the running configuration kept; /accountz lists the accounts
// a reload added and forgets those it removed.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/http_get.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

constexpr char kBefore[] = R"(
max_payload: 1MB
accounts {
  A: { users: [{user: keep, password: pk}, {user: gone, password: pg}] }
}
authorization {
  users: [{user: limited, password: pl}, {user: changed, password: old}]
}
)";

constexpr char kAfter[] = R"(
max_payload: 2KB
accounts {
  A: { users: [{user: keep, password: pk}, {user: late, password: pn}] }
}
authorization {
  users: [{user: limited, password: pl, permissions: {subscribe: "ok.>"}}
          {user: changed, password: new}]
}
)";

constexpr char kAccountsBefore[] = R"(
accounts {
  A: {
    users: [{user: keep, password: pk}, {user: mover, password: pm}]
    exports: [{stream: "news.>"}]
  }
  B: {
    users: [{user: b, password: pb}]
    imports: [{stream: {account: A, subject: "news.>"}}]
  }
}
)";

// B is removed, C added with mover, an import and a mapping.
constexpr char kAccountsAfter[] = R"(
accounts {
  A: {
    users: [{user: keep, password: pk}]
    exports: [{stream: "news.>"}]
  }
  C: {
    users: [{user: mover, password: pm}, {user: c, password: pc}]
    imports: [{stream: {account: A, subject: "news.>"}, prefix: "c"}]
    mappings: { "in": "out" }
  }
}
)";

class ReloadTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    dir_ = util::MakeTempDir("reload-");
    config_ = dir_ + "/server.conf";
    std::ofstream(config_) << kBefore;
    auto process = harness::Process::Start(binary, {"-a", "127.0.0.1", "-p", "-1", "-m", "-1",
                                                    "--ports_file_dir", dir_, "-c", config_});
    ASSERT_TRUE(process.ok()) << process.status();
    server_ = *std::move(process);
    auto ports = server_->WaitForPortsFile(dir_, absl::Seconds(20));
    ASSERT_TRUE(ports.ok()) << ports.status();
    const std::string& url = ports->nats.front();
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
    ASSERT_FALSE(ports->monitoring.empty());
    const std::string& http = ports->monitoring.front();
    http_port_ = std::stoi(http.substr(http.rfind(':') + 1));
  }

  // /accountz's account list, sorted (nats-server's order varies).
  std::vector<std::string> Accounts() {
    const util::HttpAnswer answer = util::HttpGet(http_port_, "/accountz");
    EXPECT_EQ(answer.status, 200);
    const nlohmann::json list = nlohmann::json::parse(answer.body, nullptr, false);
    std::vector<std::string> names;
    if (list.is_object() && list.contains("accounts")) {
      for (const auto& name : list["accounts"]) names.push_back(name.get<std::string>());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<RawClient> Connect(const std::string& user, const std::string& pass) {
    auto c = std::make_unique<RawClient>(port_);
    EXPECT_TRUE(c->ReadUntil("\r\n"));
    c->Send(absl::StrCat(R"(CONNECT {"verbose":false,"user":")", user, R"(","pass":")", pass,
                         "\"}\r\nPING\r\n"));
    EXPECT_TRUE(c->ReadUntil("PONG\r\n")) << user << ": " << c->buffer();
    return c;
  }

  // Rewrites the configuration file and signals the server.
  void Reload(const std::string& text) {
    std::ofstream(config_, std::ios::trunc) << text;
    ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  }

  // Waits (bounded) until the server's log has `needle`.
  bool LogHas(const std::string& needle) {
    for (int i = 0; i < 200; ++i) {
      std::ifstream in(server_->log_path());
      std::stringstream ss;
      ss << in.rdbuf();
      if (absl::StrContains(ss.str(), needle)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::string dir_;
  std::string config_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
  int http_port_ = 0;
};

TEST_P(ReloadTest, RemovedUserIsDisconnectedOthersStay) {
  auto keep = Connect("keep", "pk");
  auto gone = Connect("gone", "pg");
  auto changed = Connect("changed", "old");
  auto limited = Connect("limited", "pl");
  keep->Send("SUB x 1\r\nPING\r\n");
  ASSERT_TRUE(keep->ReadUntil("PONG\r\nPONG\r\n"));
  limited->Send("SUB ok.a 1\r\nSUB no.a 2\r\nPING\r\n");
  ASSERT_TRUE(limited->ReadUntil("PONG\r\nPONG\r\n"));
  keep->Clear();
  Reload(kAfter);
  EXPECT_TRUE(changed->ReadUntil("-ERR 'Authorization Violation'\r\n")) << changed->buffer();
  EXPECT_TRUE(changed->WaitClosed());
  EXPECT_TRUE(gone->WaitClosed());
  EXPECT_FALSE(absl::StrContains(gone->buffer(), "-ERR")) << gone->buffer();
  EXPECT_TRUE(limited->ReadUntil(
      "-ERR 'Permissions Violation for Subscription to \"no.a\" (sid \"2\")'\r\n"))
      << limited->buffer();
  keep->Send("PUB x 2\r\nhi\r\nPING\r\n");
  EXPECT_TRUE(keep->ReadUntil("MSG x 1 2\r\nhi\r\nPONG\r\n")) << keep->buffer();
  EXPECT_FALSE(keep->closed());
  auto late = Connect("late", "pn");
  RawClient refused(port_);
  ASSERT_TRUE(refused.ReadUntil("\r\n"));
  EXPECT_TRUE(absl::StrContains(refused.buffer(), "\"max_payload\":2048")) << refused.buffer();
  refused.Send("CONNECT {\"verbose\":false,\"user\":\"gone\",\"pass\":\"pg\"}\r\nPING\r\n");
  EXPECT_TRUE(refused.ReadUntil("-ERR 'Authorization Violation'\r\n")) << refused.buffer();
}

TEST_P(ReloadTest, BadConfigKeepsTheRunningOne) {
  auto keep = Connect("keep", "pk");
  Reload("accounts { A: { users: [ {user: keep, password: pk} ]\n");  // unterminated
  EXPECT_TRUE(LogHas("Failed to reload server configuration")) << server_->log_path();
  keep->Send("PING\r\n");
  EXPECT_TRUE(keep->ReadUntil("PONG\r\nPONG\r\n")) << keep->buffer();
  auto gone = Connect("gone", "pg");
  EXPECT_FALSE(gone->closed());
}

TEST_P(ReloadTest, AccountSetChanges) {
  Reload(kAccountsBefore);
  ASSERT_TRUE(LogHas("Reloaded")) << server_->log_path();
  auto keep = Connect("keep", "pk");
  auto mover = Connect("mover", "pm");
  auto b = Connect("b", "pb");
  b->Send("SUB news.x 1\r\nPING\r\n");
  ASSERT_TRUE(b->ReadUntil("PONG\r\nPONG\r\n")) << b->buffer();
  keep->Send("PUB news.x 2\r\nhi\r\nPING\r\n");
  ASSERT_TRUE(keep->ReadUntil("PONG\r\nPONG\r\n")) << keep->buffer();
  EXPECT_TRUE(b->ReadUntil("MSG news.x 1 2\r\nhi\r\n")) << b->buffer();

  Reload(kAccountsAfter);
  // The removed account's user and the user now in another account are
  // closed; the others stay.
  EXPECT_TRUE(b->WaitClosed());
  EXPECT_TRUE(mover->WaitClosed());
  auto c = Connect("c", "pc");
  c->Send("SUB c.news.x 1\r\nSUB out 2\r\nSUB in 3\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("PONG\r\nPONG\r\n")) << c->buffer();
  c->Clear();
  keep->Send("PUB news.x 5\r\nagain\r\nPING\r\n");
  ASSERT_TRUE(keep->ReadUntil("PONG\r\n")) << keep->buffer();
  EXPECT_FALSE(keep->closed());
  EXPECT_TRUE(c->ReadUntil("MSG c.news.x 1 5\r\nagain\r\n")) << c->buffer();
  c->Send("PUB in 6\r\nmapped\r\nPING\r\n");
  ASSERT_TRUE(c->ReadUntil("MSG out 2 6\r\nmapped\r\n")) << c->buffer();
  EXPECT_FALSE(absl::StrContains(c->buffer(), "MSG in")) << c->buffer();
  auto moved = Connect("mover", "pm");
  EXPECT_FALSE(moved->closed());
  RawClient refused(port_);
  ASSERT_TRUE(refused.ReadUntil("\r\n"));
  refused.Send("CONNECT {\"verbose\":false,\"user\":\"b\",\"pass\":\"pb\"}\r\nPING\r\n");
  EXPECT_TRUE(refused.ReadUntil("-ERR 'Authorization Violation'\r\n")) << refused.buffer();
}

TEST_P(ReloadTest, AccountzShowsTheReloadedAccounts) {
  Reload(kAccountsBefore);
  ASSERT_TRUE(LogHas("Reloaded")) << server_->log_path();
  EXPECT_EQ(Accounts(), (std::vector<std::string>{"$G", "$SYS", "A", "B"}));
  Reload(kAccountsAfter);
  for (int i = 0; i < 200 && Accounts() != std::vector<std::string>{"$G", "$SYS", "A", "C"}; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(Accounts(), (std::vector<std::string>{"$G", "$SYS", "A", "C"}));
  const util::HttpAnswer detail = util::HttpGet(http_port_, "/accountz?acc=C");
  EXPECT_EQ(detail.status, 200);
  const nlohmann::json c = nlohmann::json::parse(detail.body, nullptr, false);
  ASSERT_TRUE(c.is_object()) << detail.body;
  bool imported = false;
  for (const auto& import : c["account_detail"].value("imports", nlohmann::json::array())) {
    imported = imported || import.value("local_subject", "") == "c.news.>";
  }
  EXPECT_TRUE(imported) << detail.body;
  const util::HttpAnswer removed = util::HttpGet(http_port_, "/accountz?acc=B");
  EXPECT_EQ(removed.body, "Account B does not exist") << removed.status;
}

INSTANTIATE_TEST_SUITE_P(Servers, ReloadTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
