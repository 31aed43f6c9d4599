// consumersvc: the consumer service as its own process.
//
//   bazel run //consumersvc -- --listen=127.0.0.1:4251
#include "common/grpc/serve.h"
#include "common/mutex_checks.h"
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
  return jsengine::common::grpc::ServeUntilTerminated("consumersvc", FLAGS_listen,
                                                      FLAGS_ports_file_dir, {&service});
}
