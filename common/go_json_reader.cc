#include "common/go_json_reader.h"

#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace jsengine::common {
namespace {

// Deeper nesting than any API request needs; keeps the recursive parser's
// stack bounded on hostile input.
constexpr int kMaxDepth = 64;

bool NestingWithinLimit(absl::string_view s) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

absl::Status TypeError(absl::string_view key, absl::string_view want) {
  return absl::InvalidArgumentError(absl::StrCat("field \"", key, "\": expected ", want));
}

absl::Status ToInt64(const nlohmann::json& v, absl::string_view key, int64_t* out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return TypeError(key, "a 64-bit signed integer");
    }
    *out = static_cast<int64_t>(u);
    return absl::OkStatus();
  }
  if (!v.is_number_integer()) return TypeError(key, "an integer");
  *out = v.get<int64_t>();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GoJsonObject> GoJsonObject::Parse(absl::string_view payload) {
  // nlohmann stops at a NUL byte as at the end of input; Go's decoder
  // rejects it (a control character outside strings, invalid inside them).
  if (payload.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("malformed JSON");
  }
  if (!NestingWithinLimit(payload)) {
    return absl::InvalidArgumentError("JSON nested too deeply");
  }
  auto root = std::make_shared<nlohmann::json>(
      nlohmann::json::parse(payload.begin(), payload.end(), nullptr, /*allow_exceptions=*/false));
  if (root->is_discarded()) return absl::InvalidArgumentError("malformed JSON");
  const nlohmann::json* value = root.get();
  return FromValue(std::move(root), value, "request");
}

absl::StatusOr<GoJsonObject> GoJsonObject::FromValue(std::shared_ptr<const nlohmann::json> root,
                                                     const nlohmann::json* value,
                                                     absl::string_view name) {
  if (value == nullptr || value->is_null()) return GoJsonObject(std::move(root), nullptr);
  if (!value->is_object()) return TypeError(name, "an object");
  return GoJsonObject(std::move(root), value);
}

const nlohmann::json* GoJsonObject::FindKey(absl::string_view key) const {
  if (object_ == nullptr) return nullptr;
  auto exact = object_->find(std::string(key));
  if (exact != object_->end()) return &*exact;
  for (auto it = object_->begin(); it != object_->end(); ++it) {
    if (absl::EqualsIgnoreCase(it.key(), key)) return &it.value();
  }
  return nullptr;
}

const nlohmann::json* GoJsonObject::Find(absl::string_view key) const {
  const nlohmann::json* found = FindKey(key);
  if (found == nullptr || found->is_null()) return nullptr;
  return found;
}

bool GoJsonObject::IsNull(absl::string_view key) const {
  const nlohmann::json* found = FindKey(key);
  return found != nullptr && found->is_null();
}

absl::Status GoJsonObject::GetString(absl::string_view key, std::string* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_string()) return TypeError(key, "a string");
  *out = v->get<std::string>();
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetBool(absl::string_view key, bool* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_boolean()) return TypeError(key, "true or false");
  *out = v->get<bool>();
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetInt64(absl::string_view key, int64_t* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  return ToInt64(*v, key, out);
}

absl::Status GoJsonObject::GetInt32(absl::string_view key, int32_t* out) const {
  int64_t value = 0;
  if (absl::Status s = GetInt64(key, &value); !s.ok()) return s;
  if (Find(key) == nullptr) return absl::OkStatus();
  if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max()) {
    return TypeError(key, "a 32-bit integer");
  }
  *out = static_cast<int32_t>(value);
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetUint64(absl::string_view key, uint64_t* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_number_unsigned()) return TypeError(key, "an unsigned integer");
  *out = v->get<uint64_t>();
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetStringList(absl::string_view key,
                                         std::vector<std::string>* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_array()) return TypeError(key, "an array of strings");
  std::vector<std::string> list;
  for (const nlohmann::json& item : *v) {
    if (item.is_null()) {
      list.emplace_back();
      continue;
    }
    if (!item.is_string()) return TypeError(key, "an array of strings");
    list.push_back(item.get<std::string>());
  }
  *out = std::move(list);
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetInt64List(absl::string_view key, std::vector<int64_t>* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_array()) return TypeError(key, "an array of integers");
  std::vector<int64_t> list(v->size(), 0);
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& item = (*v)[i];
    if (item.is_null()) continue;
    if (absl::Status s = ToInt64(item, key, &list[i]); !s.ok()) return s;
  }
  *out = std::move(list);
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetStringMap(absl::string_view key,
                                        std::map<std::string, std::string>* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_object()) return TypeError(key, "an object of strings");
  std::map<std::string, std::string> map;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it.value().is_null()) {
      map[it.key()];
      continue;
    }
    if (!it.value().is_string()) return TypeError(key, "an object of strings");
    map[it.key()] = it.value().get<std::string>();
  }
  *out = std::move(map);
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetTime(absl::string_view key, int64_t* out) const {
  std::string text;
  if (absl::Status s = GetString(key, &text); !s.ok()) return s;
  if (Find(key) == nullptr) return absl::OkStatus();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return TypeError(key, "an RFC 3339 time");
  }
  *out = absl::ToUnixNanos(t);
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetObject(absl::string_view key, GoJsonObject* out,
                                     bool* present) const {
  const nlohmann::json* v = Find(key);
  *present = v != nullptr;
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_object()) return TypeError(key, "an object");
  *out = GoJsonObject(root_, v);
  return absl::OkStatus();
}

absl::Status GoJsonObject::GetObjectList(absl::string_view key,
                                         std::vector<GoJsonObject>* out) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_array()) return TypeError(key, "an array of objects");
  std::vector<GoJsonObject> list;
  for (const nlohmann::json& item : *v) {
    if (item.is_null()) {
      list.push_back(GoJsonObject(root_, nullptr));
      continue;
    }
    if (!item.is_object()) return TypeError(key, "an array of objects");
    list.push_back(GoJsonObject(root_, &item));
  }
  *out = std::move(list);
  return absl::OkStatus();
}

bool IsEmptyRequest(absl::string_view payload) {
  if (payload.empty() || payload == "{}") return true;
  absl::StatusOr<GoJsonObject> parsed = GoJsonObject::Parse(payload);
  if (!parsed.ok()) return false;
  return parsed->IsEmptyObject();
}

}  // namespace jsengine::common
