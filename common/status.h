// JetStream errors carried by absl::Status.
//
// Every fallible call in the engine returns absl::Status or absl::StatusOr<T>.
// An error that a JetStream client must see with a specific `code`/`err_code`
// (e.g. 404/10059 "stream not found") is made with JsError(), which attaches
// both numbers as a payload; the status message is the description. At service
// boundaries the payload travels as a serialized ErrorDetail (see
// grpc_status.h), and the gateway turns it into the JetStream error JSON.
//
//   if (!streams_.contains(name)) return JsError(JsErrorId::kStreamNotFound);
//   return JsErrorF(JsErrorId::kStreamInvalidConfig, {{"err", "bad subject"}});
#ifndef JSENGINE_COMMON_STATUS_H_
#define JSENGINE_COMMON_STATUS_H_

#include <initializer_list>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/common.pb.h"

namespace jsengine::common {

enum class JsErrorId {
#define JS_ERROR(name, code, err_code, description) k##name,
#include "common/js_errors.inc"
#undef JS_ERROR
};

// The error `id` with nats-server's description.
absl::Status JsError(JsErrorId id);

// The error `id` with its {placeholders} replaced, e.g. {{"err", "..."}}.
absl::Status JsErrorF(
    JsErrorId id,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>> args);

// The error `id` with a description of the caller's choosing.
absl::Status JsErrorWithDescription(JsErrorId id, absl::string_view description);

// How a JetStream client sees `status` (which must not be OK). Statuses made
// without JsError() get a code derived from their absl code and err_code 0.
v1::ErrorDetail ToErrorDetail(const absl::Status& status);

// The inverse of ToErrorDetail().
absl::Status FromErrorDetail(const v1::ErrorDetail& detail);

// Whether `status` is the JetStream error `id` (compared by err_code, so it
// holds after a round trip through ToErrorDetail()/FromErrorDetail()).
bool IsJsError(const absl::Status& status, JsErrorId id);

}  // namespace jsengine::common

#define JSE_STATUS_CONCAT_INNER_(a, b) a##b
#define JSE_STATUS_CONCAT_(a, b) JSE_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define JSE_RETURN_IF_ERROR(expr)                   \
  do {                                              \
    const ::absl::Status jse_status_ = (expr);      \
    if (!jse_status_.ok()) return jse_status_;      \
  } while (0)

// `lhs = *expr` for an absl::StatusOr `expr`, or returns its error.
#define JSE_ASSIGN_OR_RETURN(lhs, expr) \
  JSE_ASSIGN_OR_RETURN_IMPL_(JSE_STATUS_CONCAT_(jse_statusor_, __LINE__), lhs, expr)
#define JSE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(statusor).value()

#endif  // JSENGINE_COMMON_STATUS_H_
