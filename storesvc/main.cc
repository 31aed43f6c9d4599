// storesvc: the store service as its own process.
//
//   bazel run //storesvc -- --listen=127.0.0.1:4250 --data_dir=/var/lib/jsengine --sync=always
#include <string>

#include "common/grpc/grpc_server.h"
#include "common/mutex_checks.h"
#include "common/ports_file.h"
#include "common/signals.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "storesvc/store.h"
#include "storesvc/store_service.h"
#include "storesvc/sync_spec.h"

DEFINE_string(listen, "127.0.0.1:4250", "gRPC address (host:port) to serve on");
DEFINE_string(ports_file_dir, "",
              "once serving, write <dir>/<executable>_<pid>.ports, JSON "
              "{\"grpc\":[\"HOST:PORT\"]}, as nats-server's --ports_file_dir");
DEFINE_string(data_dir, "/tmp/jsengine/jetstream", "directory holding every stream");
DEFINE_string(sync, std::string(jsengine::storesvc::kDefaultSyncSpec),
              "\"always\" (fsync before each ack, group commit) or an fsync interval like \"2m\"");

int main(int argc, char** argv) {
  jsengine::common::BlockTerminationSignals();
  jsengine::common::SkipMutexDeadlockChecks();
  gflags::SetUsageMessage(
      "storesvc --listen=HOST:PORT --data_dir=DIR [--sync=always|2m] [--ports_file_dir=DIR]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  jsengine::storesvc::StoreOptions options;
  options.data_dir = FLAGS_data_dir;
  if (absl::Status status = jsengine::storesvc::ApplySyncSpec(FLAGS_sync, &options);
      !status.ok()) {
    LOG(ERROR) << status;
    return 2;
  }
  auto store = jsengine::storesvc::Store::Open(options);
  if (!store.ok()) {
    LOG(ERROR) << "cannot open the store in " << FLAGS_data_dir << ": " << store.status();
    return 1;
  }
  jsengine::storesvc::StoreServiceImpl service(store->get());
  auto server = jsengine::common::grpc::GrpcServer::Start(FLAGS_listen, {&service});
  if (!server.ok()) {
    LOG(ERROR) << server.status();
    return 1;
  }
  LOG(INFO) << "storesvc listening on " << FLAGS_listen << " (port " << (*server)->port()
            << "), data in " << FLAGS_data_dir << ", sync " << FLAGS_sync;
  auto ports_file = jsengine::common::PortsFile::Write(
      FLAGS_ports_file_dir, jsengine::common::GrpcOnlyPorts(FLAGS_listen, (*server)->port()));
  if (!ports_file.ok()) {
    LOG(ERROR) << ports_file.status();
    return 1;
  }
  int signal_number = jsengine::common::WaitForTerminationSignal();
  LOG(INFO) << "storesvc: signal " << signal_number << ", shutting down";
  ports_file->reset();
  (*server)->Shutdown();
  store->reset();
  return 0;
}
