#include "gateway/monitor/http_monitor.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "httplib.h"

namespace jsengine::gateway::monitor {
namespace {

// Monitoring is light: a few scrapes a second at most. A thread serves one
// connection at a time, kept-alive ones included.
constexpr size_t kHttpThreads = 4;

std::string IndexPage(const std::string& base_path) {
  std::string page = "<html><body><h1>jsengine gateway monitoring</h1>\n";
  for (const char* path : Monitor::kPaths) {
    absl::StrAppend(&page, "<a href=\"", MonitorPath(base_path, path), "\">", path + 1,
                    "</a><br/>\n");
  }
  return page + "</body></html>\n";
}

}  // namespace

std::string MonitorPath(const std::string& base_path, const std::string& path) {
  const std::string joined = absl::StrCat(base_path, "/", path);
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(joined, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

absl::StatusOr<std::unique_ptr<HttpMonitor>> HttpMonitor::Start(const std::string& host, int port,
                                                                const std::string& base_path,
                                                                Monitor* monitor, const Tls* tls) {
  std::unique_ptr<httplib::Server> server;
  if (tls != nullptr) {
    auto secure =
        std::make_unique<httplib::SSLServer>(tls->cert_file.c_str(), tls->key_file.c_str());
    if (!secure->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("cannot load the TLS certificate ",
                                                     tls->cert_file, " and key ", tls->key_file,
                                                     " for https monitoring"));
    }
    server = std::move(secure);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  server->new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  for (const char* path : Monitor::kPaths) {
    server->Get(
        MonitorPath(base_path, path),
        [monitor, path](const httplib::Request& request, httplib::Response& response) {
          QueryParams params;
          for (const auto& [key, value] : request.params) params.emplace(key, value);
          MonitorResponse answer = monitor->Handle(path, params);
          response.status = answer.status;
          const bool json = !answer.body.empty() && answer.body[0] == '{';
          const char* type = answer.content_type != nullptr ? answer.content_type
                             : json                         ? "application/json"
                                                            : "text/plain; charset=utf-8";
          response.set_content(answer.body, type);
        });
  }
  server->Get(MonitorPath(base_path, "/"),
              [base_path](const httplib::Request&, httplib::Response& response) {
                response.set_content(IndexPage(base_path), "text/html; charset=utf-8");
              });
  JSE_ASSIGN_OR_RETURN(std::unique_ptr<HttpServerThread> running,
                       HttpServerThread::Start(std::move(server), host, port, "monitoring"));
  monitor->SetHttpAddress(host, running->port(), tls != nullptr);
  return std::unique_ptr<HttpMonitor>(new HttpMonitor(std::move(running)));
}

HttpMonitor::HttpMonitor(std::unique_ptr<HttpServerThread> server) : server_(std::move(server)) {}

HttpMonitor::~HttpMonitor() = default;

}  // namespace jsengine::gateway::monitor
