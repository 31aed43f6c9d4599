#include "common/remote_syslog.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

// A loopback socket of `type` bound to a free port; listening when a stream.
int BoundSocket(int type, int* port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  if (type == SOCK_STREAM) EXPECT_EQ(listen(fd, 4), 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

// What arrives on `fd` up to and including a newline, waiting up to 10 s.
std::string ReadLine(int fd) {
  std::string got;
  while (got.empty() || got.back() != '\n') {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) break;
    char buf[2048];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST(ParseRemoteSyslogAddressTest, TakesTheFormsNatsServerTakes) {
  auto udp = ParseRemoteSyslogAddress("udp://127.0.0.1:514");
  ASSERT_TRUE(udp.ok()) << udp.status();
  EXPECT_EQ(udp->network, RemoteSyslogAddress::kUdp);
  EXPECT_EQ(udp->host, "127.0.0.1");
  EXPECT_EQ(udp->port, "514");
  auto tcp = ParseRemoteSyslogAddress("tcp://logs.example:6514");
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  EXPECT_EQ(tcp->network, RemoteSyslogAddress::kTcp);
  EXPECT_EQ(tcp->host, "logs.example");
  auto v6 = ParseRemoteSyslogAddress("udp://[::1]:514");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "514");
  auto unix_socket = ParseRemoteSyslogAddress("unix:///dev/log");
  ASSERT_TRUE(unix_socket.ok()) << unix_socket.status();
  EXPECT_EQ(unix_socket->network, RemoteSyslogAddress::kUnix);
  EXPECT_EQ(unix_socket->path, "/dev/log");

  for (const char* bad : {"127.0.0.1:514", "localhost:514", "http://h:514", "udp://h", "udp://:514",
                          "udp://h:0", "udp://h:70000", "unix://", ""}) {
    auto parsed = ParseRemoteSyslogAddress(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("udp://HOST:PORT"), absl::string_view::npos);
  }
}

TEST(FormatRemoteSyslogLineTest, AsGoLogSyslogWritesToTheNetwork) {
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(2026, 12, 3, 9, 5, 7), absl::UTCTimeZone()) +
      absl::Milliseconds(250);
  EXPECT_EQ(FormatRemoteSyslogLine(LOG_NOTICE, t, absl::UTCTimeZone(), "host1", "gateway", 42,
                                   "Server is ready"),
            "<5>2026-12-03T09:05:07Z host1 gateway[42]: Server is ready\n");
  EXPECT_EQ(
      FormatRemoteSyslogLine(LOG_ERR, t, absl::FixedTimeZone(3600), "h", "gateway", 7, "two\n"),
      "<3>2026-12-03T10:05:07+01:00 h gateway[7]: two\n");
}

TEST(RemoteSyslogTest, SendsDatagramsOverUdp) {
  int port = 0;
  const int server = BoundSocket(SOCK_DGRAM, &port);
  auto remote = RemoteSyslog::Connect("udp://127.0.0.1:" + std::to_string(port), "gateway");
  ASSERT_TRUE(remote.ok()) << remote.status();
  (*remote)->Send(LOG_INFO, "hello");
  (*remote)->Send(LOG_WARNING, "careful");
  const std::string first = ReadLine(server);
  EXPECT_EQ(first.rfind("<5>", 0), 0u) << first;
  EXPECT_NE(first.find(" gateway[" + std::to_string(getpid()) + "]: hello\n"), std::string::npos)
      << first;
  const std::string second = ReadLine(server);
  EXPECT_EQ(second.rfind("<4>", 0), 0u) << second;
  EXPECT_NE(second.find("]: careful\n"), std::string::npos) << second;
  close(server);
}

TEST(RemoteSyslogTest, SendsLinesOverTcpAndReconnects) {
  int port = 0;
  const int listener = BoundSocket(SOCK_STREAM, &port);
  auto remote = RemoteSyslog::Connect("tcp://127.0.0.1:" + std::to_string(port), "gateway");
  ASSERT_TRUE(remote.ok()) << remote.status();
  int first = accept(listener, nullptr, nullptr);
  ASSERT_GE(first, 0);
  (*remote)->Send(LOG_ERR, "one");
  EXPECT_NE(ReadLine(first).find("]: one\n"), std::string::npos);
  close(first);
  // The first write after the close may still succeed (the peer's reset
  // comes after it); the line after that finds the connection broken.
  for (int i = 0; i < 3; ++i) (*remote)->Send(LOG_ERR, "again");
  int second = accept(listener, nullptr, nullptr);
  ASSERT_GE(second, 0);
  EXPECT_NE(ReadLine(second).find("]: again\n"), std::string::npos);
  close(second);
  close(listener);
}

TEST(RemoteSyslogTest, SendsToAUnixDatagramSocket) {
  // Socket paths are short (108 bytes): not under the test's own temp dir.
  char dir[] = "/tmp/syslog-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/log";
  int server = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.data(), path.size());
  ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto remote = RemoteSyslog::Connect("unix://" + path, "gateway");
  ASSERT_TRUE(remote.ok()) << remote.status();
  (*remote)->Send(LOG_CRIT, "down");
  const std::string got = ReadLine(server);
  EXPECT_EQ(got.rfind("<2>", 0), 0u) << got;
  EXPECT_NE(got.find("]: down\n"), std::string::npos) << got;
  close(server);
  unlink(path.c_str());
  rmdir(dir);
}

TEST(RemoteSyslogTest, ConnectSaysWhyItCannot) {
  int port = 0;
  const int closed = BoundSocket(SOCK_DGRAM, &port);  // nothing listens on TCP there
  auto tcp = RemoteSyslog::Connect("tcp://127.0.0.1:" + std::to_string(port), "gateway");
  ASSERT_FALSE(tcp.ok());
  EXPECT_NE(tcp.status().message().find("cannot connect"), absl::string_view::npos) << tcp.status();
  close(closed);
  EXPECT_FALSE(RemoteSyslog::Connect("unix:///nonexistent/log", "gateway").ok());
  EXPECT_FALSE(RemoteSyslog::Connect("syslog.example:514", "gateway").ok());
}

}  // namespace
}  // namespace jsengine::common
