#include "gateway/monitor/http_profiler.h"

#include <map>
#include <utility>

#include "common/status.h"
#include "httplib.h"

namespace jsengine::gateway::monitor {
namespace {

// A profile holds its thread for its whole duration; the others serve the
// index and a second profile's refusal.
constexpr size_t kHttpThreads = 4;

constexpr char kPrefix[] = "/debug/pprof/";

}  // namespace

absl::StatusOr<std::unique_ptr<HttpProfiler>> HttpProfiler::Start(const std::string& host,
                                                                  int port) {
  auto pprof = std::make_unique<PprofHandler>();
  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  server->Get(R"(/debug/pprof/.*)", [pprof = pprof.get()](const httplib::Request& request,
                                                          httplib::Response& response) {
    std::map<std::string, std::string> params;
    for (const auto& [key, value] : request.params) params.emplace(key, value);
    PprofAnswer answer = pprof->Handle(request.path.substr(sizeof(kPrefix) - 1), params);
    response.status = answer.status;
    for (const auto& [name, value] : answer.headers) response.set_header(name, value);
    response.set_content(answer.body, answer.content_type.c_str());
  });
  JSE_ASSIGN_OR_RETURN(std::unique_ptr<HttpServerThread> running,
                       HttpServerThread::Start(std::move(server), host, port, "profiling"));
  return std::unique_ptr<HttpProfiler>(new HttpProfiler(std::move(pprof), std::move(running)));
}

HttpProfiler::HttpProfiler(std::unique_ptr<PprofHandler> pprof,
                           std::unique_ptr<HttpServerThread> server)
    : pprof_(std::move(pprof)), server_(std::move(server)) {}

HttpProfiler::~HttpProfiler() {
  pprof_->Stop();
  server_.reset();
}

}  // namespace jsengine::gateway::monitor
