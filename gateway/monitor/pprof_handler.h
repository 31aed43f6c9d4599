// The pages nats-server's prof_port serves (Go's net/http/pprof under
// /debug/pprof/) as far as a C++ process has them:
//   /debug/pprof/                    an index of what is served here
//   /debug/pprof/profile?seconds=N   a CPU profile of N seconds (default 30,
//                                    as Go), from gperftools' profiler, in
//                                    its legacy format (google-pprof or
//                                    `go tool pprof` read it with the binary)
//   /debug/pprof/cmdline             the command line, NUL-separated
// Go's runtime profiles (goroutine, heap, allocs, block, mutex,
// threadcreate), trace and symbol answer 404 saying why; other names 404
// "Unknown profile", as Go's. One CPU profile runs at a time: a second gets
// Go's 500 "Could not enable CPU profiling: cpu profiling already in use".
//
//   PprofHandler pprof;
//   PprofAnswer a = pprof.Handle("profile", {{"seconds", "5"}});  // blocks 5 s
//
// Thread-safe. Stop() (or destruction) ends a running profile early; its
// answer is what was sampled so far.
#ifndef JSENGINE_GATEWAY_MONITOR_PPROF_HANDLER_H_
#define JSENGINE_GATEWAY_MONITOR_PPROF_HANDLER_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace jsengine::gateway::monitor {

struct PprofAnswer {
  int status = 200;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

class PprofHandler {
 public:
  // How a profile spends its duration; returns early once `stop` is
  // notified. Tests replace it to hold a profile open.
  using Wait = std::function<void(absl::Duration duration, absl::Notification* stop)>;

  PprofHandler();
  explicit PprofHandler(Wait wait);
  ~PprofHandler();

  PprofHandler(const PprofHandler&) = delete;
  PprofHandler& operator=(const PprofHandler&) = delete;

  // `name`: the path after "/debug/pprof/" ("" for the index).
  PprofAnswer Handle(const std::string& name, const std::map<std::string, std::string>& params);

  // Ends a running profile now, and any later one at once.
  void Stop();

 private:
  PprofAnswer CpuProfile(const std::map<std::string, std::string>& params);

  const Wait wait_;
  absl::Notification stop_;
  absl::Mutex mu_;
  bool profiling_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_PPROF_HANDLER_H_
