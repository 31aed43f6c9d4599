// Lame duck mode, run the same way against the gateway binary and the
// reference nats-server: `--signal ldm=<pid>` (the binary itself sends
// SIGUSR2), clients get INFO with "ldm":true, new connections are refused,
// the clients are closed after the grace period and the server exits. With a
// few clients the closes are at most a second apart, whatever the duration.
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

class LameDuckTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    binary_ = GetParam().binary();
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " is not installed";
    const std::string dir = util::MakeTempDir("ldm-");
    config_ = dir + "/server.conf";
    pid_file_ = dir + "/server.pid";
    std::ofstream(config_) << "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n";
    auto ports = StartOnFreePort(binary_, {"-c", config_, "-P", pid_file_}, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    port_ = *common::PortOf(ports->nats.front());
  }

  // Runs `binary --signal <command>`; returns its exit status.
  int SendSignal(const std::string& command) {
    auto p = harness::Process::Start(binary_, {"--signal", command});
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return -1;
    return WaitExit(p->get());
  }

  // The wait status once `p` exits by itself (signal 0 sends nothing); a
  // process still running after 30s is killed.
  static int WaitExit(harness::Process* p) { return p->Stop(0, absl::Seconds(30)); }

  std::string binary_, config_, pid_file_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
};

TEST_P(LameDuckTest, AnnouncesClosesClientsAndExits) {
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<RawClient>(port_));
    RawClient& c = *clients.back();
    ASSERT_TRUE(c.ReadUntil("\r\n"));
    ASSERT_TRUE(c.Send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"));
    ASSERT_TRUE(c.ReadUntil("PONG\r\n"));
    c.Clear();
  }
  EXPECT_EQ(SendSignal("ldm=" + std::to_string(server_->pid())), 0);
  for (auto& c : clients) {
    EXPECT_TRUE(c->ReadUntil("\"ldm\":true")) << c->buffer();
    EXPECT_TRUE(absl::StartsWith(c->buffer(), "INFO {")) << c->buffer();
  }
  {
    RawClient late(port_);
    EXPECT_TRUE(!late.connected() || late.WaitClosed()) << late.buffer();
    EXPECT_FALSE(absl::StrContains(late.buffer(), "INFO")) << late.buffer();
  }
  for (auto& c : clients) EXPECT_TRUE(c->WaitClosed(20000));
  EXPECT_EQ(WaitExit(server_.get()), 0);
}

TEST_P(LameDuckTest, WithoutClientsExitsAtOnceThroughThePidFile) {
  EXPECT_EQ(SendSignal("ldm=" + pid_file_), 0);
  EXPECT_EQ(WaitExit(server_.get()), 0);
}

TEST_P(LameDuckTest, UnknownSignalIsAnError) { EXPECT_NE(SendSignal("bogus"), 0); }

INSTANTIATE_TEST_SUITE_P(Servers, LameDuckTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
