// How jsm words a failed call to the store or consumer service: gRPC's own
// failures (nothing listening, no answer in time, another service on that
// port) name the service and its address; the services' JetStream errors
// ("stream not found") pass unchanged.
//
//   return ExplainServiceError(store.GetStreamInfo(r).status(), "store",
//                              "127.0.0.1:4250", std::chrono::seconds(5));
//
// Thread-safety: stateless.
#ifndef JSENGINE_TOOLS_JSM_SERVICE_ERRORS_H_
#define JSENGINE_TOOLS_JSM_SERVICE_ERRORS_H_

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace jsengine::tools::jsm {

absl::Status ExplainServiceError(absl::Status status, absl::string_view service,
                                 const std::string& address, std::chrono::milliseconds timeout);

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_SERVICE_ERRORS_H_
