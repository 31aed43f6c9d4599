#include "gateway/jetstream/api_router.h"

#include <utility>

#include "common/status.h"

namespace jsengine::gateway::jetstream {

using E = JsApiEndpoint;

JsApiRouter::JsApiRouter(storesvc::client::StoreClient* store, JsApiOptions options)
    : account_(store, options.limits, std::move(options.domain)),
      streams_(store),
      consumer_api_(std::move(options.consumer_api)) {}

JsApiReply JsApiRouter::Handle(std::string_view subject, std::string_view payload) {
  JsApiReply reply = Dispatch(RouteJsApiSubject(subject), subject, payload);
  if (reply.stat != JsApiReply::Stat::kNotCounted) {
    api_total_.fetch_add(1, std::memory_order_relaxed);
  }
  if (reply.stat == JsApiReply::Stat::kError) {
    api_errors_.fetch_add(1, std::memory_order_relaxed);
  }
  return reply;
}

JsApiReply JsApiRouter::Dispatch(const JsApiRoute& route, std::string_view subject,
                                 std::string_view payload) {
  if (route.endpoint == E::kUnknown) return JsApiReply{};
  if (route.endpoint == E::kAccountInfo) {
    return account_.Info(JsApiStats{api_total_.load(std::memory_order_relaxed),
                                    api_errors_.load(std::memory_order_relaxed)});
  }
  if (IsConsumerEndpoint(route.endpoint)) return Consumer(route.endpoint, subject, payload);
  return streams_.Handle(route, payload);
}

JsApiReply JsApiRouter::Consumer(JsApiEndpoint endpoint, std::string_view subject,
                                 std::string_view payload) {
  if (consumer_api_) return consumer_api_(subject, payload);
  switch (endpoint) {
    case E::kConsumerMsgNext:
      return JsApiReply{};
    case E::kConsumerLeaderStepDown:
      return ErrorReply(endpoint, common::JsError(common::JsErrorId::kClusterRequired));
    default:
      return ErrorReply(endpoint, absl::UnavailableError("consumers not available"));
  }
}

}  // namespace jsengine::gateway::jetstream
