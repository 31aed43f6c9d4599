// A cpp-httplib server bound to host:port and serving on a thread of its
// own until destroyed: what the monitoring port (http_monitor.h) and the
// profiling port (http_profiler.h) share.
//
//   auto server = std::make_unique<httplib::Server>();
//   server->Get("/x", ...);
//   JSE_ASSIGN_OR_RETURN(auto running,
//                        HttpServerThread::Start(std::move(server), "127.0.0.1", 0, "profiling"));
//   running->port();  // the bound port
//
// Thread-compatible.
#ifndef JSENGINE_GATEWAY_MONITOR_HTTP_SERVER_THREAD_H_
#define JSENGINE_GATEWAY_MONITOR_HTTP_SERVER_THREAD_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace jsengine::gateway::monitor {

class HttpServerThread {
 public:
  // Binds `host`:`port` (0: any free port) and starts serving; Unavailable
  // "cannot listen for `what` on host:port" when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServerThread>> Start(
      std::unique_ptr<httplib::Server> server, const std::string& host, int port,
      const std::string& what);
  // Stops serving and joins the server's threads.
  ~HttpServerThread();

  HttpServerThread(const HttpServerThread&) = delete;
  HttpServerThread& operator=(const HttpServerThread&) = delete;

  int port() const { return port_; }

 private:
  HttpServerThread(std::unique_ptr<httplib::Server> server, int port);

  std::unique_ptr<httplib::Server> server_;
  const int port_;
  std::thread thread_;
  std::atomic<bool> listening_done_{false};
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_HTTP_SERVER_THREAD_H_
