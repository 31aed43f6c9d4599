// Which JetStream API endpoint a `$JS.API.` subject addresses, by the same
// subject patterns nats-server subscribes its handlers to (jetstream_api.go):
// e.g. `$JS.API.STREAM.INFO.*` matches "$JS.API.STREAM.INFO.ORDERS" but not
// "$JS.API.STREAM.INFO.A.B", which nats-server leaves unanswered.
//
// Pure functions; safe from any thread.
#ifndef JSENGINE_GATEWAY_JETSTREAM_API_SUBJECT_H_
#define JSENGINE_GATEWAY_JETSTREAM_API_SUBJECT_H_

#include <string_view>

namespace jsengine::gateway::jetstream {

enum class JsApiEndpoint {
  kUnknown,  // Not an endpoint: nats-server sends no reply.
  kAccountInfo,
  kStreamCreate,
  kStreamUpdate,
  kStreamDelete,
  kStreamInfo,
  kStreamList,
  kStreamNames,
  kStreamPurge,
  kStreamMsgGet,
  kStreamMsgDelete,
  kStreamSnapshot,
  kStreamRestore,
  kStreamPeerRemove,
  kStreamLeaderStepDown,
  kTemplateCreate,
  kTemplateDelete,
  kTemplateInfo,
  kTemplateNames,
  kDirectGet,               // $JS.API.DIRECT.GET.<stream>, request in the body.
  kDirectGetLastBySubject,  // $JS.API.DIRECT.GET.<stream>.<subject>
  kConsumerCreate,
  kConsumerDurableCreate,
  kConsumerDelete,
  kConsumerInfo,
  kConsumerNames,
  kConsumerList,
  kConsumerMsgNext,
  kConsumerLeaderStepDown,
};

struct JsApiRoute {
  JsApiEndpoint endpoint = JsApiEndpoint::kUnknown;
  // The stream (or template) name token; views into the subject.
  std::string_view stream;
  // What follows the stream token, e.g. the consumer name or, for
  // kDirectGetLastBySubject, the message subject.
  std::string_view rest;
};

JsApiRoute RouteJsApiSubject(std::string_view subject);

// The response `type` nats-server gives replies of `endpoint`, e.g.
// "io.nats.jetstream.api.v1.stream_create_response"; empty for endpoints
// whose replies are not JSON.
std::string_view JsApiResponseType(JsApiEndpoint endpoint);

bool IsConsumerEndpoint(JsApiEndpoint endpoint);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_API_SUBJECT_H_
