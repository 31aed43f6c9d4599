#include "tools/jsm/service_errors.h"

#include "absl/strings/str_cat.h"
#include "common/go_text.h"
#include "common/status.h"

namespace jsengine::tools::jsm {

absl::Status ExplainServiceError(absl::Status status, absl::string_view service,
                                 const std::string& address, std::chrono::milliseconds timeout) {
  if (status.ok() || common::ToErrorDetail(status).err_code() != 0) return status;
  if (absl::IsUnavailable(status)) {
    return absl::UnavailableError(absl::StrCat("cannot reach the ", service, " service at ",
                                               address, ": ", status.message()));
  }
  if (absl::IsDeadlineExceeded(status)) {
    return absl::DeadlineExceededError(
        absl::StrCat("no answer from the ", service, " service at ", address, " within ",
                     common::FormatGoDuration(timeout.count() * 1000000)));
  }
  if (absl::IsUnimplemented(status)) {
    return absl::UnimplementedError(absl::StrCat("the service at ", address, " is not the ",
                                                 service, " service: ", status.message()));
  }
  return status;
}

}  // namespace jsengine::tools::jsm
