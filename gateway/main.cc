// The gateway binary: a NATS server (nats-server compatible flags).
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gateway/core/options.h"
#include "gateway/core/server.h"
#include "glog/logging.h"

int main(int argc, char** argv) {
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  std::vector<std::string> args(argv + 1, argv + argc);
  jsengine::core::ServerOptions options;
  std::vector<std::string> unrecognized;
  absl::Status status = jsengine::core::ParseServerArgs(args, &options, &unrecognized);
  if (!status.ok()) {
    std::fprintf(stderr, "gateway: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  if (options.show_help) {
    std::fputs(jsengine::core::ServerUsage(), stdout);
    return 0;
  }
  if (!unrecognized.empty()) {
    std::fprintf(stderr, "gateway: unknown argument %s\n%s", unrecognized[0].c_str(),
                 jsengine::core::ServerUsage());
    return 1;
  }
  if (options.trace) {
    FLAGS_v = 2;
  } else if (options.debug) {
    FLAGS_v = 1;
  }

  // Block the shutdown signals in every thread; this one waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  jsengine::core::Server server(options);
  status = server.Start();
  if (!status.ok()) {
    LOG(ERROR) << status;
    return 1;
  }
  LOG(INFO) << "Server is ready";
  int sig = 0;
  sigwait(&signals, &sig);
  LOG(INFO) << "Received signal " << sig << ", shutting down";
  server.Shutdown();
  return 0;
}
