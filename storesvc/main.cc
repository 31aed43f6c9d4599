// storesvc: the store service as its own process.
//
//   bazel run //storesvc -- --listen=127.0.0.1:4250 --data_dir=/var/lib/jsengine --sync=always
#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/serve.h"
#include "common/grpc/tls_flags.h"
#include "common/memory_releaser.h"
#include "common/mutex_checks.h"
#include "common/open_file_limit.h"
#include "common/signals.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "storesvc/store.h"
#include "storesvc/store_resources.h"
#include "storesvc/store_service.h"
#include "storesvc/sync_spec.h"

DEFINE_string(listen, "127.0.0.1:4250", "gRPC address (host:port) to serve on");
DEFINE_string(ports_file_dir, "",
              "once serving, write <dir>/<executable>_<pid>.ports, JSON "
              "{\"grpc\":[\"HOST:PORT\"]}, as nats-server's --ports_file_dir");
DEFINE_string(data_dir, "/tmp/jsengine/jetstream", "directory holding every stream");
DEFINE_int64(max_memory_store, -1,
             "bytes memory streams may hold (nats-server's jetstream max_memory_store); "
             "negative: 75% of the machine's memory");
DEFINE_int64(max_file_store, -1,
             "bytes file streams may hold (nats-server's jetstream max_file_store); negative: 75% "
             "of the disk space available to --data_dir");
DEFINE_string(sync, std::string(jsengine::storesvc::kDefaultSyncSpec),
              "\"always\" (fsync before each ack, group commit) or an fsync interval like \"2m\"");

int main(int argc, char** argv) {
  jsengine::common::BlockTerminationSignals();
  jsengine::common::SkipMutexDeadlockChecks();
  jsengine::common::GiveThreadsTheirOwnArenas();
  jsengine::common::RaiseOpenFileLimit();
  auto memory_releaser = jsengine::common::MemoryReleaser::Start();
  gflags::SetUsageMessage(
      "storesvc --listen=HOST:PORT --data_dir=DIR [--sync=always|2m] [--ports_file_dir=DIR] "
      "[--grpc_tls_cert=PEM --grpc_tls_key=PEM [--grpc_tls_ca=PEM]]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  google::InstallFailureSignalHandler();

  auto credentials = jsengine::common::grpc::GrpcCredentialsFromFlags();
  if (!credentials.ok()) {
    LOG(ERROR) << credentials.status();
    return 2;
  }
  jsengine::storesvc::StoreOptions options;
  options.data_dir = FLAGS_data_dir;
  const jsengine::storesvc::StoreLimits limits = jsengine::storesvc::ResolveStoreLimits(
      FLAGS_max_memory_store, FLAGS_max_file_store, FLAGS_data_dir);
  options.max_memory = limits.max_memory;
  options.max_storage = limits.max_storage;
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
  return jsengine::common::grpc::ServeUntilTerminated(
      "storesvc", FLAGS_listen, FLAGS_ports_file_dir, {&service}, *credentials,
      absl::StrCat(", data in ", FLAGS_data_dir, ", sync ", FLAGS_sync, ", max memory ",
                   limits.max_memory, " bytes, max storage ", limits.max_storage, " bytes"));
}
