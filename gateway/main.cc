// gateway: the NATS server clients connect to.
//
//   bazel run //gateway                         whole single-node server
//   bazel run //gateway -- -p 4333 -sd /data    nats-server flags work
//   bazel run //gateway -- --store=127.0.0.1:4250 --consumer=127.0.0.1:4251
#include <iostream>
#include <string>
#include <vector>

#include "common/memory_releaser.h"
#include "common/mutex_checks.h"
#include "common/signals.h"
#include "gateway/engine.h"
#include "glog/logging.h"

int main(int argc, char** argv) {
  jsengine::common::BlockTerminationSignals();
  jsengine::common::SkipMutexDeadlockChecks();
  jsengine::common::GiveThreadsTheirOwnArenas();
  auto memory_releaser = jsengine::common::MemoryReleaser::Start();
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  google::InstallFailureSignalHandler();

  jsengine::gateway::EngineOptions options;
  absl::Status parsed = jsengine::gateway::ParseGatewayArgs(
      std::vector<std::string>(argv + 1, argv + argc), &options);
  if (!parsed.ok() || options.server.show_help) {
    std::ostream& out = parsed.ok() ? std::cout : std::cerr;
    if (!parsed.ok()) out << parsed.message() << "\n\n";
    out << "Usage: gateway [options]\n\n"
        << jsengine::gateway::core::ServerUsage() << "\n"
        << jsengine::gateway::GatewayUsage();
    return parsed.ok() ? 0 : 2;
  }
  if (options.server.trace) {
    FLAGS_v = 2;
  } else if (options.server.debug) {
    FLAGS_v = 1;
  }

  auto engine = jsengine::gateway::Engine::Start(options);
  if (!engine.ok()) {
    LOG(ERROR) << "cannot start: " << engine.status();
    return 1;
  }
  LOG(INFO) << "Listening for client connections on " << options.server.host << ":"
            << (*engine)->nats_port();
  LOG(INFO) << "Server is ready";
  int signal_number = jsengine::common::WaitForTerminationSignal();
  LOG(INFO) << "Trapped signal " << signal_number << ", shutting down";
  (*engine)->Stop();
  return 0;
}
