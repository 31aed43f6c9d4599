#include "gateway/jetstream/api_router.h"

#include <utility>

#include "common/status.h"

namespace jsengine::gateway::jetstream {

using E = JsApiEndpoint;

JsApiRouter::JsApiRouter(storesvc::client::StoreClient* store, JsApiOptions options)
    : store_(store, options.consumers, options.data_plane),
      account_(&store_, options.limits, options.domain),
      streams_(&store_, options.consumers, options.domain),
      consumers_(options.consumers != nullptr ? std::make_unique<ConsumerApi>(options.consumers)
                                              : nullptr) {}

JsApiReply JsApiRouter::Handle(std::string_view subject, std::string_view payload) {
  JsApiReply reply = Dispatch(RouteJsApiSubject(subject), payload);
  if (reply.stat != JsApiReply::Stat::kNotCounted) {
    api_total_.fetch_add(1, std::memory_order_relaxed);
  }
  if (reply.stat == JsApiReply::Stat::kError) {
    api_errors_.fetch_add(1, std::memory_order_relaxed);
  }
  return reply;
}

JsApiReply JsApiRouter::Dispatch(const JsApiRoute& route, std::string_view payload) {
  if (route.endpoint == E::kUnknown) return JsApiReply{};
  if (route.endpoint == E::kAccountInfo) {
    return account_.Info(JsApiStats{api_total_.load(std::memory_order_relaxed),
                                    api_errors_.load(std::memory_order_relaxed)});
  }
  if (IsConsumerEndpoint(route.endpoint)) return Consumer(route, payload);
  return streams_.Handle(route, payload);
}

JsApiReply JsApiRouter::Consumer(const JsApiRoute& route, std::string_view payload) {
  if (consumers_ != nullptr) return consumers_->Handle(route, payload);
  switch (route.endpoint) {
    case E::kConsumerMsgNext:
      return JsApiReply{};
    case E::kConsumerLeaderStepDown:
      return ErrorReply(route.endpoint, common::JsError(common::JsErrorId::kClusterRequired));
    default:
      return ErrorReply(route.endpoint, absl::UnavailableError("consumers not available"));
  }
}

}  // namespace jsengine::gateway::jetstream
