#include "gateway/jetstream/pub_ack.h"

#include "absl/strings/numbers.h"
#include "common/go_json_writer.h"
#include "gateway/jetstream/api_errors.h"

namespace jsengine::gateway::jetstream {
namespace {

// Go's %q of a stream name: nats-server quotes it with fmt, which leaves
// '<', '>' and '&' alone (JSON escaping would not); anything unusual falls
// back to JSON escaping, which stays valid JSON.
void AppendQuoted(std::string_view name, std::string* out) {
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
      common::AppendGoJsonString(absl::string_view(name.data(), name.size()), out);
      return;
    }
  }
  out->push_back('"');
  out->append(name);
  out->push_back('"');
}

void AppendUint(uint64_t value, std::string* out) {
  char buf[absl::numbers_internal::kFastToBufferSize];
  char* end = absl::numbers_internal::FastIntToBuffer(value, buf);
  out->append(buf, end - buf);
}

}  // namespace

void AppendPubAck(const v1::AppendResult& result, std::string_view domain, std::string* out) {
  if (result.has_error()) {
    out->reserve(out->size() + 96 + result.stream().size() +
                 result.error().description().size());
    common::GoJsonWriter w(out);
    w.BeginObject();
    w.Key("error");
    WriteApiError(result.error(), &w);
    w.Key("stream");
    w.String(result.stream());
    w.Key("seq");
    w.Uint(0);
    w.EndObject();
    return;
  }
  out->reserve(out->size() + 64 + result.stream().size() + domain.size());
  out->append("{\"stream\":");
  AppendQuoted(result.stream(), out);
  if (!domain.empty()) {
    out->append(", \"domain\":");
    AppendQuoted(domain, out);
  }
  out->append(", \"seq\":");
  AppendUint(result.seq(), out);
  out->append(result.duplicate() ? ",\"duplicate\": true}" : "}");
}

void AppendPubAck(const v1::AppendResult& result, std::string* out) {
  AppendPubAck(result, {}, out);
}

std::string PubAck(const v1::AppendResult& result, std::string_view domain) {
  std::string out;
  AppendPubAck(result, domain, &out);
  return out;
}

}  // namespace jsengine::gateway::jetstream
