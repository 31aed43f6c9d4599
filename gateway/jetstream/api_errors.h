// JetStream API error JSON from an absl::Status, as nats-server writes its
// ApiError: {"code":404,"err_code":10059,"description":"stream not found"}
// (err_code and description omitted when zero/empty, as Go's omitempty does).
// The code and err_code come from the status' common::JsError payload (see
// common/status.h); plain statuses get a code from their absl code.
//
// Pure functions; safe from any thread.
#ifndef JSENGINE_GATEWAY_JETSTREAM_API_ERRORS_H_
#define JSENGINE_GATEWAY_JETSTREAM_API_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/go_json_writer.h"
#include "proto/common.pb.h"

namespace jsengine::gateway::jetstream {

// Writes the ApiError object of `detail`.
void WriteApiError(const v1::ErrorDetail& detail, common::GoJsonWriter* w);

// Writes `"error":{...}` for `status` (not OK) into an open object.
void WriteApiErrorField(const absl::Status& status, common::GoJsonWriter* w);

// The whole reply of a failed request whose response carries nothing but
// its type: {"type":"<type>","error":{...}}.
std::string ErrorResponse(absl::string_view type, const absl::Status& status);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_API_ERRORS_H_
