#include "testing/util/json_fields.h"

#include "absl/strings/str_cat.h"

namespace jsengine::testing::util {

void JsonFields(const nlohmann::json& json, const std::string& prefix, std::set<std::string>* out) {
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) {
      const std::string name = prefix.empty() ? key : absl::StrCat(prefix, ".", key);
      out->insert(name);
      if (key != "http_req_stats") JsonFields(value, name, out);
    }
  } else if (json.is_array()) {
    for (const nlohmann::json& element : json) JsonFields(element, prefix + "[]", out);
  }
}

}  // namespace jsengine::testing::util
