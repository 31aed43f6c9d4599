// The JetStream API's stream endpoints, answered as nats-server 2.9 answers
// them by calling the store: STREAM.CREATE/UPDATE/DELETE/INFO/NAMES/LIST/
// PURGE, STREAM.MSG.GET/DELETE and DIRECT.GET, plus the stream endpoints
// nats-server has but this engine does not (clustering, snapshots,
// templates), which get nats-server's error for them.
//
//   StreamApi streams(store_client);
//   JsApiReply reply = streams.Handle(RouteJsApiSubject(subject), payload);
//
// Requests are validated here first (bad JSON, a wrong type, a name in the
// subject that differs from the body's, names with '.', '*', '>'): an invalid
// request gets nats-server's error JSON and never reaches the store. A
// DIRECT.GET on a stream that is missing or does not allow direct gets gets
// no reply (send == false), as does any route that is not a stream endpoint.
// A create (of a new stream), update or delete that succeeds carries
// nats-server's stream action advisory in the reply's events.
//
// Handle() blocks on the store. Thread-safe; `store` is not owned and must
// outlive this.
#ifndef JSENGINE_GATEWAY_JETSTREAM_STREAM_API_H_
#define JSENGINE_GATEWAY_JETSTREAM_STREAM_API_H_

#include <string>
#include <string_view>

#include "consumersvc/client/consumer_client.h"
#include "gateway/jetstream/api_reply.h"
#include "gateway/jetstream/api_subject.h"
#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

class StreamApi {
 public:
  // Purges go through `consumers` when there is a consumer service (null:
  // none), so that consumers move past what was purged. `domain`: the
  // JetStream domain the stream advisories name (empty: none).
  StreamApi(storesvc::client::StoreClient* store, consumersvc::client::ConsumerClient* consumers,
            std::string domain);

  StreamApi(const StreamApi&) = delete;
  StreamApi& operator=(const StreamApi&) = delete;

  JsApiReply Handle(const JsApiRoute& route, std::string_view payload);

 private:
  JsApiReply StreamCreate(std::string_view name, std::string_view payload);
  JsApiReply StreamUpdate(std::string_view name, std::string_view payload);
  JsApiReply StreamDelete(std::string_view name, std::string_view payload);
  JsApiReply StreamInfo(std::string_view name, std::string_view payload);
  JsApiReply StreamNames(std::string_view payload);
  JsApiReply StreamList(std::string_view payload);
  JsApiReply StreamPurge(std::string_view name, std::string_view payload);
  JsApiReply MsgGet(std::string_view name, std::string_view payload);
  JsApiReply MsgDelete(std::string_view name, std::string_view payload);
  JsApiReply DirectGet(std::string_view name, std::string_view payload);
  JsApiReply DirectGetLastBySubject(std::string_view name, std::string_view subject,
                                    std::string_view payload);
  JsApiReply DirectReply(std::string_view name, const v1::GetMessageRequest& request);
  // nats-server's stream update refuses new consumer_limits that an existing
  // consumer exceeds (10069 naming them).
  absl::Status CheckConsumersWithinLimits(const v1::StreamConfig& config);

  storesvc::client::StoreClient* const store_;
  consumersvc::client::ConsumerClient* const consumers_;
  const std::string domain_;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_STREAM_API_H_
