// A blocking raw TCP client for protocol tests: sends bytes and reads until
// an expected string appears or the server closes. Not thread-safe.
#ifndef JSENGINE_TESTING_CORE_RAW_CLIENT_H_
#define JSENGINE_TESTING_CORE_RAW_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>

namespace jsengine::testing::core {

class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawClient() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(n);
    }
    return true;
  }

  // Reads until `needle` has been received (returns true) or the timeout
  // passes or the connection closes (false). All data read is kept in buffer().
  bool ReadUntil(std::string_view needle, int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (buffer_.find(needle) == std::string::npos) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }

  // Reads one chunk into buffer(); false on timeout or close.
  bool ReadMore(int timeout_ms = 5000) {
    return ReadSome(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms));
  }

  // Reads until the server closes the connection; false on timeout.
  bool WaitClosed(int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      if (!ReadSome(deadline)) return closed_;
    }
  }

  // Reads whatever arrives within `ms`.
  void Drain(int ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (ReadSome(deadline)) {
    }
  }

  const std::string& buffer() const { return buffer_; }
  void Clear() { buffer_.clear(); }
  bool closed() const { return closed_; }

 private:
  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    if (closed_) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, n);
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

}  // namespace jsengine::testing::core

#endif  // JSENGINE_TESTING_CORE_RAW_CLIENT_H_
