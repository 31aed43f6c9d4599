#include "testing/util/http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace jsengine::testing::util {

HttpAnswer HttpGet(int port, const std::string& target) {
  HttpAnswer answer;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return answer;
  }
  const std::string request =
      absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return answer;
  }
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) response.append(buffer, n);
  close(fd);
  const size_t space = response.find(' ');
  const size_t body = response.find("\r\n\r\n");
  if (space == std::string::npos || body == std::string::npos) return answer;
  answer.status = std::atoi(response.c_str() + space + 1);
  answer.body = response.substr(body + 4);
  const std::string headers = absl::AsciiStrToLower(response.substr(0, body));
  if (absl::StrContains(headers, "transfer-encoding: chunked")) {
    // Go's server chunks long answers: "<hex size>\r\n<data>\r\n"..., "0\r\n".
    std::string data;
    size_t at = 0;
    while (at < answer.body.size()) {
      const size_t eol = answer.body.find("\r\n", at);
      if (eol == std::string::npos) break;
      const size_t size = std::strtoul(answer.body.c_str() + at, nullptr, 16);
      if (size == 0) break;
      data.append(answer.body, eol + 2, size);
      at = eol + 2 + size + 2;
    }
    answer.body = std::move(data);
  }
  return answer;
}

}  // namespace jsengine::testing::util
