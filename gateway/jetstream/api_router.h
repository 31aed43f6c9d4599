// The JetStream API: answers requests on `$JS.API.>` as nats-server 2.9 does,
// by routing each subject (api_subject.h) to the handler of its resource —
// the account (account_api.h), streams (stream_api.h), consumers
// (consumer_api.h) — and counting the JSON replies for $JS.API.INFO's "api"
// statistics.
//
//   JsApiRouter api(store_client, JsApiOptions{});
//   JsApiReply reply = api.Handle("$JS.API.STREAM.INFO.ORDERS", "");
//   if (reply.send) Publish(reply_subject, reply.headers, reply.payload);
//
// Subjects nats-server does not answer (unknown endpoints, a subject with
// too many tokens) give send == false.
//
// Stream infos (STREAM.INFO, LIST, CREATE, UPDATE, and $JS.API.INFO's
// totals) count each stream's consumers, and wait for the acks before them
// on interest and work-queue streams (consumer_aware_store_client.h).
//
// CONSUMER.* endpoints go to the consumer API (consumer_api.h) when
// JsApiOptions::consumers is set; without a consumer service they get a 503
// "consumers not available" error (LEADER.STEPDOWN nats-server's "clustering
// support required"). MSG.NEXT gets no reply here either way: the bridge
// hands pull requests to the data plane.
//
// Handle() blocks on the store and the consumer service; call it off the
// event loops. Thread-safe. `store` and `options.consumers` are not owned and
// must outlive the router.
#ifndef JSENGINE_GATEWAY_JETSTREAM_API_ROUTER_H_
#define JSENGINE_GATEWAY_JETSTREAM_API_ROUTER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "consumersvc/client/consumer_client.h"
#include "gateway/jetstream/account_api.h"
#include "gateway/jetstream/api_reply.h"
#include "gateway/jetstream/api_subject.h"
#include "gateway/jetstream/consumer_api.h"
#include "gateway/jetstream/consumer_aware_store_client.h"
#include "gateway/jetstream/data_plane.h"
#include "gateway/jetstream/stream_api.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

struct JsApiOptions {
  // The account served (empty: the global one), as the core server names it.
  std::string account;
  // The account's limits; null: unlimited.
  std::shared_ptr<AccountLimits> limits;
  std::string domain;  // JetStream domain; empty for none.
  // The consumer service CONSUMER.* requests go to; none when null.
  consumersvc::client::ConsumerClient* consumers = nullptr;
  // Where stream info settles acks (ConsumerAwareStoreClient); may be null.
  DataPlane* data_plane = nullptr;
};

class JsApiRouter {
 public:
  JsApiRouter(storesvc::client::StoreClient* store, JsApiOptions options);

  JsApiRouter(const JsApiRouter&) = delete;
  JsApiRouter& operator=(const JsApiRouter&) = delete;

  JsApiReply Handle(std::string_view subject, std::string_view payload);

  // Requests handled so far, and how many were errors. Thread-safe.
  JsApiStats stats() const { return {api_total_.load(), api_errors_.load()}; }

 private:
  JsApiReply Dispatch(const JsApiRoute& route, std::string_view payload);
  JsApiReply Consumer(const JsApiRoute& route, std::string_view payload);

  // The store with consumer counts in its stream infos, for the account and
  // stream endpoints.
  ConsumerAwareStoreClient store_;
  AccountApi account_;
  StreamApi streams_;
  const std::unique_ptr<ConsumerApi> consumers_;  // Null without a consumer service.
  std::atomic<uint64_t> api_total_{0};
  std::atomic<uint64_t> api_errors_{0};
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_API_ROUTER_H_
