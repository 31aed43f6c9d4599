// Serves a Monitor (monitor.h) over HTTP, as nats-server's -m/--http_port
// does, or over HTTPS (-ms/--https_port, with the client port's certificate):
// GET on /varz, /connz, /subsz, /jsz, /healthz, ... (and "/", which lists
// them), JSON answers. Uses cpp-httplib (Debian's libcpp-httplib-dev, built
// with OpenSSL) with a small thread pool of its own.
//
//   JSE_ASSIGN_OR_RETURN(auto http, HttpMonitor::Start("127.0.0.1", 0, &monitor));
//   http->port();   // the bound port
//   http.reset();   // stops serving
//
// Thread-compatible. `monitor` is not owned and must outlive this.
#ifndef JSENGINE_GATEWAY_MONITOR_HTTP_MONITOR_H_
#define JSENGINE_GATEWAY_MONITOR_HTTP_MONITOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/monitor/http_server_thread.h"
#include "gateway/monitor/monitor.h"

namespace jsengine::gateway::monitor {

// Where endpoint `path` ("/varz") is served under `base_path`, as
// nats-server joins them: "/" + base with "." and ".." resolved and repeated
// or trailing slashes dropped, then `path` appended ("nats/" -> "/nats/varz").
// `path` "/" gives the base itself.
std::string MonitorPath(const std::string& base_path, const std::string& path);

class HttpMonitor {
 public:
  // The certificate and key (PEM files) that make it HTTPS.
  struct Tls {
    std::string cert_file;
    std::string key_file;
  };

  // Binds `host`:`port` (0: any free port) and starts serving under
  // `base_path` ("" or "/": at the root): plain HTTP, or HTTPS when `tls` is
  // given.
  static absl::StatusOr<std::unique_ptr<HttpMonitor>> Start(const std::string& host, int port,
                                                            const std::string& base_path,
                                                            Monitor* monitor,
                                                            const Tls* tls = nullptr);
  // Stops serving and joins the server's threads.
  ~HttpMonitor();

  HttpMonitor(const HttpMonitor&) = delete;
  HttpMonitor& operator=(const HttpMonitor&) = delete;

  int port() const { return server_->port(); }

 private:
  explicit HttpMonitor(std::unique_ptr<HttpServerThread> server);

  std::unique_ptr<HttpServerThread> server_;
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_HTTP_MONITOR_H_
