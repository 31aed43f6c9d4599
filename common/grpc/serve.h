// ServeUntilTerminated: the body of a service binary's main once its
// services exist. Serves them on `listen`, logs where, writes the ports file
// (nats-server's --ports_file_dir, when `ports_file_dir` is set), waits for
// SIGTERM or SIGINT (blocked by common::BlockTerminationSignals() at the
// start of main), then stops serving.
//
//   jsengine::storesvc::StoreServiceImpl service(store.get());
//   return jsengine::common::grpc::ServeUntilTerminated(
//       "storesvc", FLAGS_listen, FLAGS_ports_file_dir, {&service}, credentials);
//
// Returns the process's exit code: 0 after a signal, 1 when it could not
// start (the reason logged).
#ifndef JSENGINE_COMMON_GRPC_SERVE_H_
#define JSENGINE_COMMON_GRPC_SERVE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/grpc/tls_credentials.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace jsengine::common::grpc {

// `credentials` secure the listener (tls_credentials.h); `detail` is
// appended to the "listening" log line (e.g. the data directory).
int ServeUntilTerminated(absl::string_view name, const std::string& listen,
                         const std::string& ports_file_dir,
                         const std::vector<::grpc::Service*>& services,
                         const GrpcCredentials& credentials, absl::string_view detail = "");

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_SERVE_H_
