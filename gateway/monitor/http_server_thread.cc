#include "gateway/monitor/http_server_thread.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace jsengine::gateway::monitor {

absl::StatusOr<std::unique_ptr<HttpServerThread>> HttpServerThread::Start(
    std::unique_ptr<httplib::Server> server, const std::string& host, int port,
    const std::string& what) {
  int bound = port;
  if (port == 0) {
    bound = server->bind_to_any_port(host);
    if (bound <= 0) bound = -1;
  } else if (!server->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for ", what, " on ", host, ":", port));
  }
  return std::unique_ptr<HttpServerThread>(new HttpServerThread(std::move(server), bound));
}

HttpServerThread::HttpServerThread(std::unique_ptr<httplib::Server> server, int port)
    : server_(std::move(server)), port_(port) {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listening_done_.store(true);
  });
}

HttpServerThread::~HttpServerThread() {
  // stop() is a no-op until the accept loop runs: wait for it.
  while (!server_->is_running() && !listening_done_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->stop();
  thread_.join();
}

}  // namespace jsengine::gateway::monitor
