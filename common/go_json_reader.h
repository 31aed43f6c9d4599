// Reads JetStream API request JSON with the semantics of Go's json.Unmarshal
// into a struct, as nats-server does: unknown fields are ignored, keys match
// exactly or else case-insensitively, `null` leaves a field unset (and is
// the zero value inside arrays and maps), and a value of the wrong type (a
// string for a number, a fraction or an out-of-range number for an integer)
// is an error.
//
//   JSE_ASSIGN_OR_RETURN(GoJsonObject req, GoJsonObject::Parse(payload));
//   uint64_t seq = 0;
//   JSE_RETURN_IF_ERROR(req.GetUint64("seq", &seq));
//
// Errors are InvalidArgument statuses naming the field; the JetStream API
// reports them to clients as nats-server does (10025 "invalid JSON").
// Immutable after Parse(); safe to read from several threads.
#ifndef JSENGINE_COMMON_GO_JSON_READER_H_
#define JSENGINE_COMMON_GO_JSON_READER_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jsengine::common {

class GoJsonObject {
 public:
  // Parses `payload`, which must hold one JSON object (or `null`, read as {}).
  static absl::StatusOr<GoJsonObject> Parse(absl::string_view payload);

  // The value under `key`, or nullptr when absent or null.
  const nlohmann::json* Find(absl::string_view key) const;

  // Whether `key` is there with the value null: Go hands that to a type's
  // own UnmarshalJSON, which for nats-server's enums is an error.
  bool IsNull(absl::string_view key) const;

  // Each leaves `*out` untouched when the key is absent or null.
  absl::Status GetString(absl::string_view key, std::string* out) const;
  absl::Status GetBool(absl::string_view key, bool* out) const;
  absl::Status GetInt64(absl::string_view key, int64_t* out) const;
  absl::Status GetInt32(absl::string_view key, int32_t* out) const;
  absl::Status GetUint64(absl::string_view key, uint64_t* out) const;
  absl::Status GetStringList(absl::string_view key, std::vector<std::string>* out) const;
  absl::Status GetInt64List(absl::string_view key, std::vector<int64_t>* out) const;
  absl::Status GetStringMap(absl::string_view key, std::map<std::string, std::string>* out) const;
  // An RFC 3339 time, as Unix nanoseconds.
  absl::Status GetTime(absl::string_view key, int64_t* out) const;
  // One of nats-server's enums (Go types with their own UnmarshalJSON): a
  // string among `names`, compared exactly or, for the few nats-server
  // lowercases first, ignoring case. Null is an error there, and here.
  template <typename Enum>
  absl::Status GetEnum(absl::string_view key,
                       std::initializer_list<std::pair<absl::string_view, Enum>> names,
                       bool ignore_case, Enum* out) const;
  // A nested object; `*present` tells whether it was there (and not null).
  absl::Status GetObject(absl::string_view key, GoJsonObject* out, bool* present) const;
  // An array of objects.
  absl::Status GetObjectList(absl::string_view key, std::vector<GoJsonObject>* out) const;

  // Whether this is a JSON object with no fields (not `null`).
  bool IsEmptyObject() const { return object_ != nullptr && object_->empty(); }

  GoJsonObject() = default;

 private:
  GoJsonObject(std::shared_ptr<const nlohmann::json> root, const nlohmann::json* object)
      : root_(std::move(root)), object_(object) {}

  // The value under `key` as Go matches it, null included; nullptr when absent.
  const nlohmann::json* FindKey(absl::string_view key) const;

  // Wraps `value` (an object, or null read as {}) held by `root`.
  static absl::StatusOr<GoJsonObject> FromValue(std::shared_ptr<const nlohmann::json> root,
                                                const nlohmann::json* value,
                                                absl::string_view name);

  std::shared_ptr<const nlohmann::json> root_;  // Keeps object_ alive.
  const nlohmann::json* object_ = nullptr;      // nullptr: empty object.
};

template <typename Enum>
absl::Status GoJsonObject::GetEnum(absl::string_view key,
                                   std::initializer_list<std::pair<absl::string_view, Enum>> names,
                                   bool ignore_case, Enum* out) const {
  if (IsNull(key)) {
    return absl::InvalidArgumentError(absl::StrCat("field \"", key, "\": can not unmarshal null"));
  }
  std::string value;
  if (absl::Status s = GetString(key, &value); !s.ok()) return s;
  if (Find(key) == nullptr) return absl::OkStatus();
  for (const auto& [name, id] : names) {
    if (ignore_case ? absl::EqualsIgnoreCase(value, name) : value == name) {
      *out = id;
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("field \"", key, "\": can not unmarshal \"", value, "\""));
}

// Whether `payload` counts as "no request" to nats-server: empty, or a JSON
// object with no fields.
bool IsEmptyRequest(absl::string_view payload);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_GO_JSON_READER_H_
