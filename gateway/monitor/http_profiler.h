// nats-server's profiling port (prof_port, --profile): PprofHandler's pages
// under /debug/pprof/ over HTTP, with cpp-httplib as the monitoring port.
// A connection waiting for a CPU profile holds one of the server's threads.
//
//   JSE_ASSIGN_OR_RETURN(auto profiler, HttpProfiler::Start("127.0.0.1", 0));
//   profiler->port();   // the bound port
//   profiler.reset();   // ends a running profile, stops serving
//
// Thread-compatible.
#ifndef JSENGINE_GATEWAY_MONITOR_HTTP_PROFILER_H_
#define JSENGINE_GATEWAY_MONITOR_HTTP_PROFILER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/monitor/http_server_thread.h"
#include "gateway/monitor/pprof_handler.h"

namespace jsengine::gateway::monitor {

class HttpProfiler {
 public:
  // Binds `host`:`port` (0: any free port) and starts serving.
  static absl::StatusOr<std::unique_ptr<HttpProfiler>> Start(const std::string& host, int port);
  // Ends a running profile early, stops serving and joins the threads.
  ~HttpProfiler();

  HttpProfiler(const HttpProfiler&) = delete;
  HttpProfiler& operator=(const HttpProfiler&) = delete;

  int port() const { return server_->port(); }

 private:
  HttpProfiler(std::unique_ptr<PprofHandler> pprof, std::unique_ptr<HttpServerThread> server);

  std::unique_ptr<PprofHandler> pprof_;
  std::unique_ptr<HttpServerThread> server_;
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_HTTP_PROFILER_H_
