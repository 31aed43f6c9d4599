#include "gateway/jetstream/stream_advisory.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/go_json_writer.h"
#include "gateway/core/event_json.h"

namespace jsengine::gateway::jetstream {

JsApiEvent StreamActionAdvisory(std::string_view stream, StreamAction action,
                                std::string_view domain, int64_t now_ns) {
  const char* event = "CREATED";
  const char* verb = "create";
  if (action == StreamAction::kModify) {
    event = "UPDATED";
    verb = "modify";
  } else if (action == StreamAction::kDelete) {
    event = "DELETED";
    verb = "delete";
  }
  const absl::string_view name(stream.data(), stream.size());
  JsApiEvent out;
  out.subject = absl::StrCat("$JS.EVENT.ADVISORY.STREAM.", event, ".", name);
  common::GoJsonWriter w(&out.payload);
  w.BeginObject();
  w.Key("type");
  w.String("io.nats.jetstream.advisory.v1.stream_action");
  w.Key("id");
  w.String(core::NewEventId());
  w.Key("timestamp");
  w.Time(now_ns);
  w.Key("stream");
  w.String(name);
  w.Key("action");
  w.String(verb);
  if (!domain.empty()) {
    w.Key("domain");
    w.String(absl::string_view(domain.data(), domain.size()));
  }
  w.EndObject();
  return out;
}

}  // namespace jsengine::gateway::jetstream
