// -r/--remote_syslog, run the same way against the gateway binary and the
// reference nats-server: every log line arrives at a UDP syslog server as
// "<PRI>TIMESTAMP HOSTNAME TAG[PID]: MESSAGE\n", the startup notice with
// severity 5 (notice), and an address without a network is refused at
// startup.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "testing/core/backends.h"
#include "testing/harness/harness.h"

namespace jsengine::testing::core {
namespace {

// A UDP socket on a free loopback port.
class UdpReceiver {
 public:
  UdpReceiver() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~UdpReceiver() { close(fd_); }

  int port() const { return port_; }

  // Datagrams until one contains `text` (included), or 20 s pass.
  std::vector<std::string> ReceiveUntil(const std::string& text) {
    std::vector<std::string> got;
    while (got.empty() || got.back().find(text) == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20000) != 1) break;
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n < 0) break;
      got.emplace_back(buf, static_cast<size_t>(n));
    }
    return got;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class RemoteSyslogTest : public ::testing::TestWithParam<Backend> {};

TEST_P(RemoteSyslogTest, SendsEachLogLineAsASyslogDatagram) {
  UdpReceiver syslog;
  ASSERT_NE(syslog.port(), 0);
  const std::string binary = GetParam().binary();
  std::unique_ptr<harness::Process> server;
  auto ports =
      StartOnFreePort(binary, {"-r", absl::StrCat("udp://127.0.0.1:", syslog.port())}, &server);
  ASSERT_TRUE(ports.ok()) << ports.status();

  const std::vector<std::string> lines =
      syslog.ReceiveUntil("Listening for client connections on 127.0.0.1:");
  ASSERT_FALSE(lines.empty());
  const std::string tag = binary.substr(binary.rfind('/') + 1);
  const std::regex form(
      absl::StrCat(R"(<[0-7]>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) \S+ )", tag, R"(\[)",
                   server->pid(), R"(\]: [^\n]*\n)"));
  for (const std::string& line : lines) EXPECT_TRUE(std::regex_match(line, form)) << line;
  const std::string& listening = lines.back();
  EXPECT_NE(listening.find("Listening for client connections on 127.0.0.1:"), std::string::npos)
      << listening;
  EXPECT_EQ(listening.rfind("<5>", 0), 0u) << listening;
}

TEST_P(RemoteSyslogTest, AddressWithoutANetworkStopsTheServer) {
  const std::string command = absl::StrCat("timeout 20 ", GetParam().binary(),
                                           " -a 127.0.0.1 -p -1 -r 127.0.0.1:514 >/dev/null 2>&1");
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(WEXITSTATUS(status), 124) << "still running after 20 s";
}

INSTANTIATE_TEST_SUITE_P(Servers, RemoteSyslogTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
