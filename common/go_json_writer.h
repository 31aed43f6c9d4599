// Writes JSON byte-identical to Go's encoding/json (Go 1.19, as nats-server
// 2.9 marshals it): no whitespace, '<' '>' '&' U+2028 U+2029 escaped as
// \u003c..., invalid UTF-8 replaced by \ufffd, []byte as padded base64,
// time.Time as RFC 3339 with trimmed nanoseconds in UTC.
//
// The JetStream API's JSON field order is the Go structs' declaration order,
// so replies are written field by field rather than built as a JSON tree.
//
//   GoJsonWriter w(&out);
//   w.BeginObject();
//   w.Key("stream"); w.String("ORDERS");
//   w.Key("seq"); w.Uint(5);
//   w.EndObject();
//
// Appends to a caller-owned string; not thread-safe.
#ifndef JSENGINE_COMMON_GO_JSON_WRITER_H_
#define JSENGINE_COMMON_GO_JSON_WRITER_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace jsengine::common {

// Appends `s` as a JSON string literal (with quotes), escaped as Go does.
void AppendGoJsonString(absl::string_view s, std::string* out);

// Appends Unix nanoseconds `ns` as Go's time.Time.Format(time.RFC3339Nano)
// in UTC, e.g. 2026-11-24T16:00:00.1234Z. `ns` == 0 is Go's zero time,
// 0001-01-01T00:00:00Z (how the store reports "no time").
void AppendGoTime(int64_t ns, std::string* out);
std::string GoTime(int64_t ns);

// The entries of `map` sorted by key: the order Go marshals a map in.
template <typename Map>
std::vector<typename Map::const_pointer> SortedByKey(const Map& map) {
  std::vector<typename Map::const_pointer> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return entries;
}

class GoJsonWriter {
 public:
  explicit GoJsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(absl::string_view key);

  void String(absl::string_view value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Bool(bool value);
  void Null();
  void Bytes(absl::string_view value);  // base64, as Go marshals []byte.
  void Time(int64_t ns);                // quoted AppendGoTime().

  // Fields skipped when zero, like Go's `omitempty`.
  void OptString(absl::string_view key, absl::string_view value);
  void OptInt(absl::string_view key, int64_t value);
  void OptBool(absl::string_view key, bool value);
  // A map[string]string, keys sorted.
  template <typename Map>
  void OptStringMap(absl::string_view key, const Map& map) {
    if (map.empty()) return;
    Key(key);
    BeginObject();
    for (const auto* entry : SortedByKey(map)) {
      Key(entry->first);
      String(entry->second);
    }
    EndObject();
  }

  std::string* out() { return out_; }

 private:
  void Separate();

  std::string* out_;
  // Per open container: whether the next element needs a leading comma.
  std::vector<bool> needs_comma_;
  bool after_key_ = false;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_GO_JSON_WRITER_H_
