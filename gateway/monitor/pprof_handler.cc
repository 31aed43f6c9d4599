#include "gateway/monitor/pprof_handler.h"

#include <gperftools/profiler.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace jsengine::gateway::monitor {
namespace {

// As Go's pprof.Profile without a usable `seconds`.
constexpr int64_t kDefaultSeconds = 30;

struct GoOnlyPage {
  const char* name;
  const char* what;
};

// Go's net/http/pprof pages that have no counterpart in a C++ process.
constexpr GoOnlyPage kGoOnlyPages[] = {
    {"goroutine", "stack traces of Go's goroutines"},
    {"heap", "Go's heap profile"},
    {"allocs", "Go's allocation profile"},
    {"block", "Go's blocking profile"},
    {"mutex", "Go's mutex contention profile"},
    {"threadcreate", "Go's thread creation profile"},
    {"trace", "Go's execution tracer"},
    {"symbol", "Go's symbol lookup (pprof symbolizes this server's profiles with its binary)"},
};

// Go's serveError: plain text, marked for the pprof tool to show.
PprofAnswer Error(int status, const std::string& text) {
  PprofAnswer answer;
  answer.status = status;
  answer.body = text + "\n";
  answer.content_type = "text/plain; charset=utf-8";
  answer.headers = {{"X-Go-Pprof", "1"}, {"X-Content-Type-Options", "nosniff"}};
  return answer;
}

PprofAnswer Index() {
  PprofAnswer answer;
  answer.content_type = "text/html; charset=utf-8";
  answer.body =
      "<html>\n<head>\n<title>/debug/pprof/</title>\n</head>\n<body>\n/debug/pprof/<br>\n<br>\n"
      "Types of profiles available:\n<table>\n<thead><td>Profile</td></thead>\n"
      "<tr><td><a href='cmdline'>cmdline</a></td></tr>\n"
      "<tr><td><a href='profile'>profile</a></td></tr>\n</table>\n"
      "<a href=\"profile?seconds=30\">CPU profile</a> (gperftools' format: "
      "<code>google-pprof BINARY FILE</code> or <code>go tool pprof BINARY FILE</code>)\n"
      "<br>\n<p>Not here (Go runtime only):";
  for (const GoOnlyPage& page : kGoOnlyPages) absl::StrAppend(&answer.body, " ", page.name);
  answer.body += "</p>\n</body>\n</html>\n";
  return answer;
}

PprofAnswer Cmdline() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  std::string args = contents.str();
  if (!args.empty() && args.back() == '\0') args.pop_back();
  PprofAnswer answer;
  answer.body = std::move(args);
  answer.content_type = "text/plain; charset=utf-8";
  answer.headers = {{"X-Content-Type-Options", "nosniff"}};
  return answer;
}

void WaitOrStop(absl::Duration duration, absl::Notification* stop) {
  stop->WaitForNotificationWithTimeout(duration);
}

}  // namespace

PprofHandler::PprofHandler() : PprofHandler(WaitOrStop) {}

PprofHandler::PprofHandler(Wait wait) : wait_(std::move(wait)) {}

PprofHandler::~PprofHandler() { Stop(); }

void PprofHandler::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
}

PprofAnswer PprofHandler::Handle(const std::string& name,
                                 const std::map<std::string, std::string>& params) {
  if (name.empty()) return Index();
  if (name == "profile") return CpuProfile(params);
  if (name == "cmdline") return Cmdline();
  for (const GoOnlyPage& page : kGoOnlyPages) {
    if (name == page.name) {
      return Error(404, absl::StrCat("Unknown profile: ", name, " is ", page.what,
                                     ", which only a Go program has; this server is C++ and "
                                     "serves the CPU profile (/debug/pprof/profile, gperftools) "
                                     "and cmdline"));
    }
  }
  return Error(404, "Unknown profile");
}

PprofAnswer PprofHandler::CpuProfile(const std::map<std::string, std::string>& params) {
  int64_t seconds = 0;
  auto it = params.find("seconds");
  if (it == params.end() || !absl::SimpleAtoi(it->second, &seconds) || seconds <= 0) {
    seconds = kDefaultSeconds;
  }
  {
    absl::MutexLock lock(&mu_);
    ProfilerState state;
    ProfilerGetCurrentState(&state);
    if (profiling_ || state.enabled) {
      return Error(500, "Could not enable CPU profiling: cpu profiling already in use");
    }
    profiling_ = true;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string path =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/jsengine-cpu-XXXXXX");
  const int fd = mkstemp(path.data());
  PprofAnswer answer;
  if (fd < 0 || ProfilerStart(path.c_str()) == 0) {
    answer = Error(500, absl::StrCat("Could not enable CPU profiling: gperftools cannot write ",
                                     fd < 0 ? "a temporary file" : path));
  } else {
    wait_(absl::Seconds(seconds), &stop_);
    ProfilerStop();
    std::ifstream in(path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    answer.body = contents.str();
    answer.content_type = "application/octet-stream";
    answer.headers = {{"X-Content-Type-Options", "nosniff"},
                      {"Content-Disposition", "attachment; filename=\"profile\""}};
  }
  if (fd >= 0) {
    close(fd);
    unlink(path.c_str());
  }
  absl::MutexLock lock(&mu_);
  profiling_ = false;
  return answer;
}

}  // namespace jsengine::gateway::monitor
