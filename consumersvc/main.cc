// consumersvc: the consumer service as its own process, over the streams of
// a storesvc.
//
//   bazel run //consumersvc -- --listen=127.0.0.1:4251 --store=127.0.0.1:4250
//       --data_dir=/var/lib/jsengine --sync=always   (one command line)
#include "absl/strings/str_cat.h"
#include "common/grpc/serve.h"
#include "common/grpc/tls_flags.h"
#include "common/memory_releaser.h"
#include "common/mutex_checks.h"
#include "common/open_file_limit.h"
#include "common/signals.h"
#include "common/sync_spec.h"
#include "consumersvc/consumer_engine.h"
#include "consumersvc/consumer_service.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "storesvc/client/remote_store_client.h"

DEFINE_string(listen, "127.0.0.1:4251", "gRPC address (host:port) to serve on");
DEFINE_string(store, "", "gRPC address (host:port) of the storesvc holding the streams");
DEFINE_string(data_dir, "/tmp/jsengine/jetstream",
              "directory holding the consumers' state (<data_dir>/consumers)");
DEFINE_string(sync, std::string(jsengine::common::kDefaultSyncSpec),
              "\"always\" (fsync before each AckSync reply, group commit) or an fsync interval "
              "like \"2m\"");
DEFINE_string(ports_file_dir, "",
              "once serving, write <dir>/<executable>_<pid>.ports, JSON "
              "{\"grpc\":[\"HOST:PORT\"]}, as nats-server's --ports_file_dir");

int main(int argc, char** argv) {
  jsengine::common::BlockTerminationSignals();
  jsengine::common::SkipMutexDeadlockChecks();
  jsengine::common::CapMallocArenas(jsengine::common::kHandOffMallocArenas);
  jsengine::common::RaiseOpenFileLimit();
  auto memory_releaser = jsengine::common::MemoryReleaser::Start();
  gflags::SetUsageMessage(
      "consumersvc --listen=HOST:PORT --store=HOST:PORT --data_dir=DIR [--sync=always|2m] "
      "[--ports_file_dir=DIR] [--grpc_tls_cert=PEM --grpc_tls_key=PEM [--grpc_tls_ca=PEM]]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  google::InstallFailureSignalHandler();

  if (FLAGS_store.empty()) {
    LOG(ERROR) << "--store=HOST:PORT is required: the storesvc whose streams consumers read";
    return 2;
  }
  // One set of files secures both the listener and the channel to storesvc.
  auto credentials = jsengine::common::grpc::GrpcCredentialsFromFlags();
  if (!credentials.ok()) {
    LOG(ERROR) << credentials.status();
    return 2;
  }
  jsengine::storesvc::client::RemoteStoreClient store(
      FLAGS_store, jsengine::common::grpc::kUnaryDeadline, *credentials);
  jsengine::consumersvc::ConsumerEngineOptions options;
  options.data_dir = FLAGS_data_dir;
  auto sync = jsengine::common::ParseSyncSpec(FLAGS_sync);
  if (!sync.ok()) {
    LOG(ERROR) << "--sync: " << sync.status();
    return 2;
  }
  options.sync = *sync;
  options.run_events_on_sender = true;
  auto engine = jsengine::consumersvc::ConsumerEngine::Start(options, &store);
  if (!engine.ok()) {
    LOG(ERROR) << engine.status();
    return 1;
  }
  jsengine::consumersvc::ConsumerServiceImpl service(engine->get());
  const int exit_code = jsengine::common::grpc::ServeUntilTerminated(
      "consumersvc", FLAGS_listen, FLAGS_ports_file_dir, {&service}, *credentials,
      absl::StrCat(", store at ", FLAGS_store, ", state in ", FLAGS_data_dir, ", sync ",
                   FLAGS_sync));
  (*engine)->Stop();
  return exit_code;
}
