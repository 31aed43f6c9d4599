// gateway: the NATS server clients connect to, run like nats-server.
//
//   bazel run //gateway                         whole single-node server (-js)
//   bazel-bin/gateway/gateway -js -sd /data     nats-server flags work
//   bazel-bin/gateway/gateway -js --store=127.0.0.1:4250 --consumer=127.0.0.1:4251
//
// Signals, as nats-server: SIGINT/SIGTERM stop cleanly, SIGUSR1 reopens the
// log file (-l), SIGUSR2 enters lame duck mode (gateway/core/lame_duck.h),
// SIGHUP reloads the configuration (core/reload.h says what may change; a
// bad file is logged and the running configuration kept). `--signal` sends
// them to a running gateway.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/log_file.h"
#include "common/memory_releaser.h"
#include "common/mutex_checks.h"
#include "common/open_file_limit.h"
#include "common/pid_file.h"
#include "common/remote_syslog.h"
#include "common/signals.h"
#include "common/startup_pages.h"
#include "common/syslog_sink.h"
#include "gateway/core/gateway_config.h"
#include "gateway/core/lame_duck.h"
#include "gateway/core/signal_command.h"
#include "gateway/core/tls.h"
#include "gateway/engine.h"
#include "glog/logging.h"

namespace {

// glog's prefix without the date and time, for -T=false.
void PrefixWithoutTime(std::ostream& s, const google::LogMessageInfo& l, void*) {
  s << l.severity[0] << ' ' << l.thread_id << ' ' << l.filename << ':' << l.line_number << ']';
}

// Exit code for bad flags or configuration, as nats-server's.
constexpr int kUsageError = 1;

}  // namespace

int main(int argc, char** argv) {
  jsengine::common::BlockControlSignals();
  jsengine::common::SkipMutexDeadlockChecks();
  jsengine::common::GiveThreadsTheirOwnArenas();
  jsengine::common::RaiseOpenFileLimit();

  const std::vector<std::string> args(argv + 1, argv + argc);
  jsengine::gateway::EngineOptions options;
  absl::Status parsed = jsengine::gateway::ParseGatewayArgs(args, &options);
  const jsengine::gateway::core::ServerOptions& server = options.server;
  if (!parsed.ok()) {
    std::cerr << "gateway: " << parsed.message() << "\n";
    if (std::find(args.begin(), args.end(), "-t") == args.end()) {
      std::cerr << "Run with -h for the options.\n";
    }
    return kUsageError;
  }
  if (server.show_help) {
    std::cout << jsengine::gateway::core::ServerUsage() << "\n"
              << jsengine::gateway::GatewayUsage();
    return 0;
  }
  if (server.show_version) {
    std::cout << jsengine::gateway::core::VersionLine() << "\n";
    return 0;
  }
  if (!server.signal.empty()) {
    absl::StatusOr<jsengine::gateway::core::SignalCommand> command =
        jsengine::gateway::core::ParseSignalCommand(server.signal);
    absl::Status sent = command.ok()
                            ? jsengine::gateway::core::SendSignalCommand(*command, server.pid_file)
                            : command.status();
    if (!sent.ok()) {
      std::cerr << "gateway: " << sent.message() << "\n";
      return kUsageError;
    }
    return 0;
  }
  if (absl::Status ldm = jsengine::gateway::core::CheckLameDuckOptions(server); !ldm.ok()) {
    std::cerr << "gateway: " << ldm.message() << "\n";
    return kUsageError;
  }
  if (!server.remote_syslog.empty()) {
    if (auto address = jsengine::common::ParseRemoteSyslogAddress(server.remote_syslog);
        !address.ok()) {
      std::cerr << "gateway: " << address.status().message() << "\n";
      return kUsageError;
    }
  }
  if (server.check_config) {
    // As nats-server -t: the certificate and key must load too.
    if (server.tls.enabled) {
      if (auto tls = jsengine::gateway::core::TlsContext::Create(server.tls); !tls.ok()) {
        std::cerr << "gateway: " << tls.status().message() << "\n";
        return kUsageError;
      }
    }
    if (server.cluster.tls.enabled) {
      if (auto tls = jsengine::gateway::core::TlsContext::CreateForRoutes(server.cluster.tls);
          !tls.ok()) {
        std::cerr << "gateway: " << tls.status().message() << "\n";
        return kUsageError;
      }
    }
    for (const jsengine::gateway::core::TlsOptions* tls_options :
         jsengine::gateway::core::GatewayTlsOptions(server.gateway)) {
      if (auto tls = jsengine::gateway::core::TlsContext::CreateForRoutes(*tls_options);
          !tls.ok()) {
        std::cerr << "gateway: " << tls.status().message() << "\n";
        return kUsageError;
      }
    }
    std::cerr << "gateway: configuration " << (server.config_file.empty() ? "" : "file ")
              << server.config_file << (server.config_file.empty() ? "" : " ") << "is valid\n";
    return 0;
  }

  if (absl::Status gateway = jsengine::gateway::core::CheckGatewayCanRun(server.gateway);
      !gateway.ok()) {
    std::cerr << "gateway: " << gateway.message() << "\n";
    return kUsageError;
  }
  auto log_file = jsengine::common::LogFile::Open(server.log_file);
  if (!log_file.ok()) {
    std::cerr << "gateway: " << log_file.status().message() << "\n";
    return kUsageError;
  }
  auto memory_releaser = jsengine::common::MemoryReleaser::Start();
  FLAGS_logtostderr = true;
  if (server.logtime) {
    google::InitGoogleLogging(argv[0]);
  } else {
    google::InitGoogleLogging(argv[0], &PrefixWithoutTime);
  }
  google::InstallFailureSignalHandler();
  std::unique_ptr<jsengine::common::SyslogSink> syslog_sink;
  if (!server.remote_syslog.empty() && server.log_file.empty()) {
    // As nats-server: a log file wins over the remote syslog, which wins over
    // the local one.
    absl::StatusOr<std::unique_ptr<jsengine::common::RemoteSyslog>> remote =
        jsengine::common::RemoteSyslog::Connect(server.remote_syslog, "gateway");
    if (!remote.ok()) {
      std::cerr << "gateway: " << remote.status().message() << "\n";
      return 1;
    }
    syslog_sink = jsengine::common::SyslogSink::InstallWriter(
        [remote = std::shared_ptr<jsengine::common::RemoteSyslog>(std::move(*remote))](
            int priority, std::string_view message) {
          remote->Send(priority, absl::string_view(message.data(), message.size()));
        });
  } else if (server.syslog) {
    syslog_sink = jsengine::common::SyslogSink::Install("gateway");
  }
  if (server.trace) {
    FLAGS_v = 2;
  } else if (server.debug) {
    FLAGS_v = 1;
  }

  auto pid_file = jsengine::common::PidFile::Write(server.pid_file);
  if (!pid_file.ok()) {
    LOG(ERROR) << "cannot start: " << pid_file.status();
    return 1;
  }
  // Twice: what static initialisers and option parsing touched, then what
  // starting the services did, so that neither adds to the other's peak.
  jsengine::common::DropStartupCodePages();
  auto engine = jsengine::gateway::Engine::Start(options);
  if (!engine.ok()) {
    LOG(ERROR) << "cannot start: " << engine.status();
    return 1;
  }
  LOG(INFO) << "Listening for client connections on " << server.host << ":"
            << (*engine)->nats_port();
  LOG(INFO) << "Server is ready";
  jsengine::common::DropStartupCodePages();
  // Lame duck mode runs on its own thread and ends with a SIGUSR2 to us.
  std::thread lame_duck;
  absl::Notification cancel_lame_duck;
  std::atomic<bool> lame_duck_done{false};
  for (;;) {
    const int signal_number = jsengine::common::WaitForControlSignal();
    if (signal_number == SIGUSR2) {
      if (lame_duck_done.load()) break;
      if (lame_duck.joinable()) continue;
      lame_duck = std::thread([&] {
        jsengine::gateway::core::RunLameDuckMode((*engine)->server(), &cancel_lame_duck);
        lame_duck_done.store(true);
        ::kill(::getpid(), SIGUSR2);
      });
    } else if (signal_number == SIGUSR1) {
      if (*log_file == nullptr) continue;
      absl::Status reopened = (*log_file)->Reopen();
      LOG_IF(ERROR, !reopened.ok()) << reopened;
      LOG_IF(INFO, reopened.ok()) << "Reopened log file " << (*log_file)->path();
    } else if (signal_number == SIGHUP) {
      LOG(INFO) << "Trapped SIGHUP, reloading the configuration";
      jsengine::gateway::EngineOptions next;
      absl::Status reloaded = jsengine::gateway::ParseGatewayArgs(args, &next);
      if (reloaded.ok()) reloaded = (*engine)->Reload(next.server);
      if (!reloaded.ok()) {
        LOG(ERROR) << "Failed to reload server configuration: " << reloaded.message();
        continue;
      }
      FLAGS_v = next.server.trace ? 2 : next.server.debug ? 1 : 0;
      LOG(INFO) << "Reloaded server configuration";
    } else {
      LOG(INFO) << "Trapped signal " << signal_number << ", shutting down";
      break;
    }
  }
  if (lame_duck.joinable()) {
    cancel_lame_duck.Notify();
    lame_duck.join();
  }
  (*engine)->Stop();
  LOG(INFO) << "Server Exiting..";
  return 0;
}
