#include "gateway/jetstream/api_errors.h"

#include "common/status.h"

namespace jsengine::gateway::jetstream {

void WriteApiError(const v1::ErrorDetail& detail, common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("code");
  w->Int(detail.code());
  w->OptInt("err_code", detail.err_code());
  w->OptString("description", detail.description());
  w->EndObject();
}

void WriteApiErrorField(const absl::Status& status, common::GoJsonWriter* w) {
  w->Key("error");
  WriteApiError(common::ToErrorDetail(status), w);
}

std::string ErrorResponse(absl::string_view type, const absl::Status& status) {
  std::string out;
  common::GoJsonWriter w(&out);
  w.BeginObject();
  w.Key("type");
  w.String(type);
  WriteApiErrorField(status, &w);
  w.EndObject();
  return out;
}

}  // namespace jsengine::gateway::jetstream
