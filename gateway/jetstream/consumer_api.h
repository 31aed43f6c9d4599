// The JetStream API's consumer endpoints, answered as nats-server answers
// them on a single server by calling the consumer service:
// CONSUMER.CREATE.<stream>[.<name>[.<filter>]] (the name and filter forms are
// 2.10's), CONSUMER.DURABLE.CREATE.<stream>.<durable>, CONSUMER.DELETE / INFO
// .<stream>.<name>, CONSUMER.NAMES / LIST.<stream> (paged by "offset"), and
// CONSUMER.LEADER.STEPDOWN, which needs a cluster.
//
//   ConsumerApi consumers(consumer_client);
//   JsApiReply reply = consumers.Handle(RouteJsApiSubject(subject), payload);
//
// What nats-server's API handlers check before they look the stream up is
// checked here, in their order, and never reaches the service: the JSON, the
// stream and consumer names in the subject against the body's, path
// separators, the filter in the subject against the config's, replicas > 1,
// a stream name no stream can have (IsValidName). Everything else is the
// service's: whether the stream and consumer exist, the configuration rules
// (consumersvc/consumer_config.h), naming an ephemeral that has no name.
// Its errors are passed on as they are.
//
// MSG.NEXT and any route that is not a consumer endpoint get no reply.
//
// Handle() blocks on the service. Thread-safe; `consumers` is not owned and
// must outlive this.
#ifndef JSENGINE_GATEWAY_JETSTREAM_CONSUMER_API_H_
#define JSENGINE_GATEWAY_JETSTREAM_CONSUMER_API_H_

#include <string_view>

#include "consumersvc/client/consumer_client.h"
#include "gateway/jetstream/api_reply.h"
#include "gateway/jetstream/api_subject.h"

namespace jsengine::gateway::jetstream {

class ConsumerApi {
 public:
  explicit ConsumerApi(consumersvc::client::ConsumerClient* consumers);

  ConsumerApi(const ConsumerApi&) = delete;
  ConsumerApi& operator=(const ConsumerApi&) = delete;

  JsApiReply Handle(const JsApiRoute& route, std::string_view payload);

 private:
  JsApiReply Create(const JsApiRoute& route, std::string_view payload);
  JsApiReply Delete(std::string_view stream, std::string_view name, std::string_view payload);
  JsApiReply Info(std::string_view stream, std::string_view name, std::string_view payload);
  JsApiReply Names(std::string_view stream, std::string_view payload);
  JsApiReply List(std::string_view stream, std::string_view payload);

  consumersvc::client::ConsumerClient* const consumers_;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_CONSUMER_API_H_
