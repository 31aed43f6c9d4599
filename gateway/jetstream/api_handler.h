// The JetStream API's stream half: answers requests on `$JS.API.>` as
// nats-server 2.9 does, by calling the store.
//
//   JsApiHandler api(store_client, JsApiOptions{});
//   JsApiReply reply = api.Handle("$JS.API.STREAM.INFO.ORDERS", "");
//   if (reply.send) Publish(reply_subject, reply.headers, reply.payload);
//
// Requests are validated here first (bad JSON, a wrong type, a name in the
// subject that differs from the body's, names with '.', '*', '>'): an invalid
// request gets nats-server's error JSON and never reaches the store.
// Subjects nats-server does not answer (unknown endpoints, a DIRECT.GET on a
// stream that is missing or does not allow direct gets) give send == false.
//
// CONSUMER.* endpoints go to JsApiOptions::consumer_api when set; until a
// consumer service provides it they get a 503 "consumers not available"
// error (MSG.NEXT gets no reply, as for a consumer that does not exist).
//
// Handle() blocks on the store; call it off the event loops. Thread-safe.
// `store` is not owned and must outlive the handler.
#ifndef JSENGINE_GATEWAY_JETSTREAM_API_HANDLER_H_
#define JSENGINE_GATEWAY_JETSTREAM_API_HANDLER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gateway/jetstream/api_subject.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

struct JsApiReply {
  std::string headers;  // A NATS/1.0 header block, or empty.
  std::string payload;
  bool send = false;  // False: nats-server would not reply at all.
};

// The account's limits as $JS.API.INFO reports them; -1 is unlimited.
struct JsAccountLimits {
  int64_t max_memory = -1;
  int64_t max_storage = -1;
  int64_t max_streams = -1;
  int64_t max_consumers = -1;
  int64_t max_ack_pending = -1;
  int64_t memory_max_stream_bytes = -1;
  int64_t storage_max_stream_bytes = -1;
  bool max_bytes_required = false;
};

struct JsApiOptions {
  JsAccountLimits limits;
  std::string domain;  // JetStream domain; empty for none.
  // Answers CONSUMER.* requests when set (with the same contract as Handle).
  std::function<JsApiReply(std::string_view subject, std::string_view payload)> consumer_api;
};

class JsApiHandler {
 public:
  JsApiHandler(storesvc::client::StoreClient* store, JsApiOptions options);

  JsApiHandler(const JsApiHandler&) = delete;
  JsApiHandler& operator=(const JsApiHandler&) = delete;

  JsApiReply Handle(std::string_view subject, std::string_view payload);

 private:
  JsApiReply AccountInfo();
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
  JsApiReply Consumer(JsApiEndpoint endpoint, std::string_view subject,
                      std::string_view payload);

  // A JSON reply, counted in the account's API statistics.
  JsApiReply Json(std::string payload, bool error);
  JsApiReply Error(JsApiEndpoint endpoint, const absl::Status& status);

  storesvc::client::StoreClient* const store_;
  const JsApiOptions options_;
  std::atomic<uint64_t> api_total_{0};
  std::atomic<uint64_t> api_errors_{0};
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_API_HANDLER_H_
