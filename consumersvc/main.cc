// consumersvc: the consumer service as its own process.
//
//   bazel run //consumersvc -- --listen=127.0.0.1:4251
#include <csignal>

#include "common/grpc/grpc_server.h"
#include "common/mutex_checks.h"
#include "common/ports_file.h"
#include "common/signals.h"
#include "consumersvc/consumer_service.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_string(listen, "127.0.0.1:4251", "gRPC address (host:port) to serve on");
DEFINE_string(ports_file_dir, "",
              "once serving, write <dir>/<executable>_<pid>.ports, JSON "
              "{\"grpc\":[\"HOST:PORT\"]}, as nats-server's --ports_file_dir");

int main(int argc, char** argv) {
  jsengine::common::BlockTerminationSignals();
  jsengine::common::SkipMutexDeadlockChecks();
  gflags::SetUsageMessage("consumersvc --listen=HOST:PORT [--ports_file_dir=DIR]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  jsengine::consumersvc::ConsumerServiceImpl service;
  auto server = jsengine::common::grpc::GrpcServer::Start(FLAGS_listen, {&service});
  if (!server.ok()) {
    LOG(ERROR) << server.status();
    return 1;
  }
  LOG(INFO) << "consumersvc listening on " << FLAGS_listen << " (port " << (*server)->port()
            << ")";
  auto ports_file = jsengine::common::PortsFile::Write(
      FLAGS_ports_file_dir, jsengine::common::GrpcOnlyPorts(FLAGS_listen, (*server)->port()));
  if (!ports_file.ok()) {
    LOG(ERROR) << ports_file.status();
    return 1;
  }
  int signal_number = jsengine::common::WaitForTerminationSignal();
  LOG(INFO) << "consumersvc: signal " << signal_number << ", shutting down";
  ports_file->reset();
  (*server)->Shutdown();
  return 0;
}
