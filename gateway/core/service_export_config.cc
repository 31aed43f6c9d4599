#include "gateway/core/service_export_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/subject.h"
#include "gateway/core/config_values.h"

namespace jsengine::gateway::core {
namespace {

absl::Status Error(const ConfigValue& v, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("config line ", v.line, ": ", what));
}

absl::Status ApplyResponseType(const ConfigValue& v, AccountExport* e) {
  if (v.kind != ConfigValue::Kind::kScalar) {
    return Error(v, "Expected response type to be string");
  }
  const std::string type = absl::AsciiStrToLower(v.text);
  if (type == "single" || type == "singleton") {
    e->response_type = AccountExport::ResponseType::kSingleton;
  } else if (type == "stream") {
    e->response_type = AccountExport::ResponseType::kStream;
  } else if (type == "chunk" || type == "chunked") {
    e->response_type = AccountExport::ResponseType::kChunked;
  } else {
    return Error(v, absl::StrCat("Unknown response type: \"", v.text, "\""));
  }
  return absl::OkStatus();
}

absl::Status ApplySampling(const ConfigValue& v, AccountExport* e) {
  if (v.kind != ConfigValue::Kind::kScalar) {
    return Error(v, "Expected latency sample to be a string or map/struct");
  }
  std::string text(absl::StripAsciiWhitespace(v.text));
  if (absl::AsciiStrToLower(text) == "headers") {
    e->latency_headers = true;
    e->latency_sampling = 0;
    return absl::OkStatus();
  }
  int sample = 0;
  if (!absl::SimpleAtoi(absl::StripSuffix(text, "%"), &sample)) {
    return Error(v, absl::StrCat("Failed to parse latency sample: ", v.text));
  }
  if (sample < 1 || sample > 100) return Error(v, "sampling value should be in range [1..100]");
  e->latency_sampling = sample;
  return absl::OkStatus();
}

absl::Status ApplyLatency(const ConfigValue& v, AccountExport* e) {
  if (v.kind == ConfigValue::Kind::kScalar) {
    e->latency_subject = v.text;
  } else if (v.kind == ConfigValue::Kind::kMap) {
    for (const auto& [k, val] : v.entries) {
      absl::Status s;
      if (k == "sampling") {
        s = ApplySampling(val, e);
      } else if (k == "subject") {
        s = GetString(k, val, &e->latency_subject);
      } else {
        s = UnknownKey("latency", k, val);
      }
      if (!s.ok()) return s;
    }
    if (e->latency_subject.empty()) return Error(v, "Latency subject required, but missing");
  } else {
    return Error(v, "Expected latency entry to be a map/struct or string");
  }
  if (!common::IsValidLiteralSubject(e->latency_subject)) {
    return ValueError("latency", v, "subject must be a valid literal subject");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsServiceExportKey(const std::string& key) {
  return key == "response_type" || key == "response" || key == "latency";
}

absl::Status ApplyServiceExportKey(const std::string& key, const ConfigValue& v, AccountExport* e) {
  if (key == "latency") return ApplyLatency(v, e);
  return ApplyResponseType(v, e);
}

absl::Status CheckStreamExport(const ConfigValue& v) {
  for (const auto& [k, val] : v.entries) {
    if (k == "latency") return Error(val, "Detected latency directive on non-service");
    if (IsServiceExportKey(k)) return Error(val, "Detected response directive on non-service");
  }
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
