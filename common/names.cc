#include "common/names.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace jsengine::common {

bool IsValidName(std::string_view name) {
  return !name.empty() && name.find_first_of(" \t\r\n\f.*>") == std::string_view::npos;
}

absl::Status CheckStreamName(std::string_view name) {
  if (!IsValidName(name)) {
    return JsErrorF(JsErrorId::kStreamInvalidConfig,
                    {{"err", "stream name is required and can not contain '.', '*', '>'"}});
  }
  if (name.size() > kMaxNameLen) {
    return JsErrorF(
        JsErrorId::kStreamInvalidConfig,
        {{"err", absl::StrCat("stream name is too long, maximum allowed is ", kMaxNameLen)}});
  }
  return absl::OkStatus();
}

bool HasPathSeparator(std::string_view name) {
  return name.find_first_of("/\\") != std::string_view::npos;
}

absl::Status CheckConsumerNameInSubject(std::string_view name) {
  if (HasPathSeparator(name)) return JsError(JsErrorId::kConsumerNameContainsPathSeparators);
  return absl::OkStatus();
}

absl::Status CheckConsumerName(std::string_view name, bool durable) {
  if (durable && name.size() > kMaxNameLen) {
    return JsErrorF(JsErrorId::kConsumerNameTooLong, {{"max", absl::StrCat(kMaxNameLen)}});
  }
  if (!IsValidName(name)) return JsError(JsErrorId::kConsumerBadDurableName);
  return absl::OkStatus();
}

}  // namespace jsengine::common
