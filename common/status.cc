#include "common/status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace jsengine::common {
namespace {

constexpr absl::string_view kErrorDetailPayload = "type.jsengine/ErrorDetail";

struct JsErrorSpec {
  int code;
  int err_code;
  absl::string_view description;
};

constexpr JsErrorSpec kSpecs[] = {
#define JS_ERROR(name, code, err_code, description) {code, err_code, description},
#include "common/js_errors.inc"
#undef JS_ERROR
};

absl::StatusCode StatusCodeFor(int code) {
  switch (code) {
    case 400: return absl::StatusCode::kInvalidArgument;
    case 404: return absl::StatusCode::kNotFound;
    case 408: return absl::StatusCode::kDeadlineExceeded;
    case 409: return absl::StatusCode::kAborted;
    case 503: return absl::StatusCode::kUnavailable;
    default: return absl::StatusCode::kInternal;
  }
}

int CodeFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kDeadlineExceeded: return 408;
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
      return 503;
    default: return 500;
  }
}

absl::Status MakeStatus(int code, int err_code, absl::string_view description) {
  absl::Status status(StatusCodeFor(code), description);
  v1::ErrorDetail detail;
  detail.set_code(code);
  detail.set_err_code(err_code);
  status.SetPayload(kErrorDetailPayload, absl::Cord(detail.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status JsError(JsErrorId id) {
  const JsErrorSpec& spec = kSpecs[static_cast<int>(id)];
  return MakeStatus(spec.code, spec.err_code, spec.description);
}

absl::Status JsErrorF(
    JsErrorId id,
    std::initializer_list<std::pair<absl::string_view, absl::string_view>> args) {
  const JsErrorSpec& spec = kSpecs[static_cast<int>(id)];
  std::string description(spec.description);
  for (const auto& [key, value] : args) {
    absl::StrReplaceAll({{absl::StrCat("{", key, "}"), value}}, &description);
  }
  return MakeStatus(spec.code, spec.err_code, description);
}

absl::Status JsErrorWithDescription(JsErrorId id, absl::string_view description) {
  const JsErrorSpec& spec = kSpecs[static_cast<int>(id)];
  return MakeStatus(spec.code, spec.err_code, description);
}

v1::ErrorDetail ToErrorDetail(const absl::Status& status) {
  v1::ErrorDetail detail;
  if (auto payload = status.GetPayload(kErrorDetailPayload);
      !payload.has_value() || !detail.ParseFromString(std::string(*payload))) {
    detail.set_code(CodeFor(status.code()));
    detail.set_err_code(0);
  }
  detail.set_description(std::string(status.message()));
  return detail;
}

absl::Status FromErrorDetail(const v1::ErrorDetail& detail) {
  return MakeStatus(detail.code(), detail.err_code(), detail.description());
}

bool IsJsError(const absl::Status& status, JsErrorId id) {
  if (status.ok()) return false;
  return ToErrorDetail(status).err_code() == kSpecs[static_cast<int>(id)].err_code;
}

}  // namespace jsengine::common
