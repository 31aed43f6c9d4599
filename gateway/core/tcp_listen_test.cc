#include "gateway/core/tcp_listen.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

void Ignore(int) {}

int ConnectNonBlocking(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  return fd;
}

TEST(DialTcpTest, ConnectsToAListener) {
  absl::StatusOr<TcpListenSocket> listener = ListenTcp("127.0.0.1", 0, false, 16, "test");
  ASSERT_TRUE(listener.ok()) << listener.status();
  const int fd = DialTcp("127.0.0.1", listener->port, 5000);
  EXPECT_GE(fd, 0);
  if (fd >= 0) close(fd);
  close(listener->fd);
}

// A connect still in progress when signals arrive (a profiler's SIGPROF)
// goes on until it completes. The listener's accept queue is full, so the
// kernel drops the dial's SYN; once the queue is drained, the client's
// retransmitted SYN gets in.
TEST(DialTcpTest, SignalsDuringAConnectDoNotFailIt) {
  struct sigaction action {};
  action.sa_handler = Ignore;  // no SA_RESTART: poll() returns EINTR
  struct sigaction old {};
  ASSERT_EQ(sigaction(SIGUSR1, &action, &old), 0);

  absl::StatusOr<TcpListenSocket> listener = ListenTcp("127.0.0.1", 0, false, 0, "test");
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) fillers.push_back(ConnectNonBlocking(listener->port));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  std::atomic<int> dialed{-2};
  std::thread dialer([&] { dialed = DialTcp("127.0.0.1", listener->port, 20000); });
  const pthread_t target = dialer.native_handle();
  for (int i = 0; i < 20 && dialed == -2; ++i) {
    pthread_kill(target, SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Drain the accept queue so that the retransmitted SYN is taken.
  fcntl(listener->fd, F_SETFL, fcntl(listener->fd, F_GETFL) | O_NONBLOCK);
  std::vector<int> accepted;
  for (int fd; (fd = accept(listener->fd, nullptr, nullptr)) >= 0;) accepted.push_back(fd);
  while (dialed == -2) {
    pthread_kill(target, SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (int fd; (fd = accept(listener->fd, nullptr, nullptr)) >= 0;) accepted.push_back(fd);
  }
  dialer.join();
  EXPECT_GE(dialed.load(), 0) << "the dial failed on a signal";

  if (dialed >= 0) close(dialed);
  for (int fd : fillers) close(fd);
  for (int fd : accepted) close(fd);
  close(listener->fd);
  sigaction(SIGUSR1, &old, nullptr);
}

}  // namespace
}  // namespace jsengine::gateway::core
