// nats-server's stream action advisory (io.nats.jetstream.advisory.v1.
// stream_action), sent on $JS.EVENT.ADVISORY.STREAM.{CREATED,UPDATED,
// DELETED}.<stream> when the JetStream API creates, updates or deletes a
// stream.
//
//   JsApiEvent e = StreamActionAdvisory("ORDERS", StreamAction::kCreate, "",
//                                       absl::GetCurrentTimeNanos());
//
// Pure function (the event id is random); thread-safe.
#ifndef JSENGINE_GATEWAY_JETSTREAM_STREAM_ADVISORY_H_
#define JSENGINE_GATEWAY_JETSTREAM_STREAM_ADVISORY_H_

#include <cstdint>
#include <string_view>

#include "gateway/jetstream/api_reply.h"

namespace jsengine::gateway::jetstream {

enum class StreamAction { kCreate, kModify, kDelete };

// The advisory for `action` on `stream` at `now_ns`; `domain` (the
// JetStream domain) is left out when empty.
JsApiEvent StreamActionAdvisory(std::string_view stream, StreamAction action,
                                std::string_view domain, int64_t now_ns);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_STREAM_ADVISORY_H_
