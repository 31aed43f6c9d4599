#include "gateway/jetstream/api_subject.h"

#include <vector>

namespace jsengine::gateway::jetstream {
namespace {

constexpr std::string_view kPrefix = "$JS.API.";

using E = JsApiEndpoint;

// A subscription pattern below $JS.API: literal tokens, then `wildcards`
// single-token wildcards (the first is the stream), then `tail` ('>').
struct Pattern {
  std::vector<std::string_view> literals;
  int wildcards;
  bool tail;
  JsApiEndpoint endpoint;
};

const std::vector<Pattern>& Patterns() {
  static const auto* patterns = new std::vector<Pattern>{
      {{"INFO"}, 0, false, E::kAccountInfo},
      {{"STREAM", "CREATE"}, 1, false, E::kStreamCreate},
      {{"STREAM", "UPDATE"}, 1, false, E::kStreamUpdate},
      {{"STREAM", "DELETE"}, 1, false, E::kStreamDelete},
      {{"STREAM", "INFO"}, 1, false, E::kStreamInfo},
      {{"STREAM", "LIST"}, 0, false, E::kStreamList},
      {{"STREAM", "NAMES"}, 0, false, E::kStreamNames},
      {{"STREAM", "PURGE"}, 1, false, E::kStreamPurge},
      {{"STREAM", "MSG", "GET"}, 1, false, E::kStreamMsgGet},
      {{"STREAM", "MSG", "DELETE"}, 1, false, E::kStreamMsgDelete},
      {{"STREAM", "SNAPSHOT"}, 1, false, E::kStreamSnapshot},
      {{"STREAM", "RESTORE"}, 1, false, E::kStreamRestore},
      {{"STREAM", "PEER", "REMOVE"}, 1, false, E::kStreamPeerRemove},
      {{"STREAM", "LEADER", "STEPDOWN"}, 1, false, E::kStreamLeaderStepDown},
      {{"STREAM", "TEMPLATE", "CREATE"}, 1, false, E::kTemplateCreate},
      {{"STREAM", "TEMPLATE", "DELETE"}, 1, false, E::kTemplateDelete},
      {{"STREAM", "TEMPLATE", "INFO"}, 1, false, E::kTemplateInfo},
      {{"STREAM", "TEMPLATE", "NAMES"}, 0, false, E::kTemplateNames},
      {{"DIRECT", "GET"}, 1, false, E::kDirectGet},
      {{"DIRECT", "GET"}, 1, true, E::kDirectGetLastBySubject},
      {{"CONSUMER", "CREATE"}, 1, false, E::kConsumerCreate},
      {{"CONSUMER", "CREATE"}, 1, true, E::kConsumerCreate},
      {{"CONSUMER", "DURABLE", "CREATE"}, 2, false, E::kConsumerDurableCreate},
      {{"CONSUMER", "DELETE"}, 2, false, E::kConsumerDelete},
      {{"CONSUMER", "INFO"}, 2, false, E::kConsumerInfo},
      {{"CONSUMER", "NAMES"}, 1, false, E::kConsumerNames},
      {{"CONSUMER", "LIST"}, 1, false, E::kConsumerList},
      {{"CONSUMER", "MSG", "NEXT"}, 2, false, E::kConsumerMsgNext},
      {{"CONSUMER", "LEADER", "STEPDOWN"}, 2, false, E::kConsumerLeaderStepDown},
  };
  return *patterns;
}

std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    tokens.push_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return tokens;
    start = dot + 1;
  }
}

}  // namespace

JsApiRoute RouteJsApiSubject(std::string_view subject) {
  JsApiRoute route;
  if (subject.substr(0, kPrefix.size()) != kPrefix) return route;
  std::string_view api = subject.substr(kPrefix.size());
  std::vector<std::string_view> tokens = Tokens(api);
  for (std::string_view token : tokens) {
    if (token.empty()) return route;  // Not a valid subject.
  }
  for (const Pattern& p : Patterns()) {
    size_t fixed = p.literals.size() + p.wildcards;
    if (p.tail ? tokens.size() <= fixed : tokens.size() != fixed) continue;
    bool match = true;
    for (size_t i = 0; i < p.literals.size() && match; ++i) match = tokens[i] == p.literals[i];
    if (!match) continue;
    route.endpoint = p.endpoint;
    if (p.wildcards > 0) {
      route.stream = tokens[p.literals.size()];
      size_t rest_start = route.stream.data() + route.stream.size() - api.data() + 1;
      if (rest_start < api.size()) route.rest = api.substr(rest_start);
    }
    return route;
  }
  return route;
}

std::string_view JsApiResponseType(JsApiEndpoint endpoint) {
  switch (endpoint) {
    case E::kAccountInfo: return "io.nats.jetstream.api.v1.account_info_response";
    case E::kStreamCreate: return "io.nats.jetstream.api.v1.stream_create_response";
    case E::kStreamUpdate: return "io.nats.jetstream.api.v1.stream_update_response";
    case E::kStreamDelete: return "io.nats.jetstream.api.v1.stream_delete_response";
    case E::kStreamInfo: return "io.nats.jetstream.api.v1.stream_info_response";
    case E::kStreamList: return "io.nats.jetstream.api.v1.stream_list_response";
    case E::kStreamNames: return "io.nats.jetstream.api.v1.stream_names_response";
    case E::kStreamPurge: return "io.nats.jetstream.api.v1.stream_purge_response";
    case E::kStreamMsgGet: return "io.nats.jetstream.api.v1.stream_msg_get_response";
    case E::kStreamMsgDelete: return "io.nats.jetstream.api.v1.stream_msg_delete_response";
    case E::kStreamSnapshot: return "io.nats.jetstream.api.v1.stream_snapshot_response";
    case E::kStreamRestore: return "io.nats.jetstream.api.v1.stream_restore_response";
    case E::kStreamPeerRemove: return "io.nats.jetstream.api.v1.stream_remove_peer_response";
    case E::kStreamLeaderStepDown:
      return "io.nats.jetstream.api.v1.stream_leader_stepdown_response";
    case E::kTemplateCreate: return "io.nats.jetstream.api.v1.stream_template_create_response";
    case E::kTemplateDelete: return "io.nats.jetstream.api.v1.stream_template_delete_response";
    case E::kTemplateInfo: return "io.nats.jetstream.api.v1.stream_template_info_response";
    case E::kTemplateNames: return "io.nats.jetstream.api.v1.stream_template_names_response";
    case E::kConsumerCreate:
    case E::kConsumerDurableCreate:
      return "io.nats.jetstream.api.v1.consumer_create_response";
    case E::kConsumerDelete: return "io.nats.jetstream.api.v1.consumer_delete_response";
    case E::kConsumerInfo: return "io.nats.jetstream.api.v1.consumer_info_response";
    case E::kConsumerNames: return "io.nats.jetstream.api.v1.consumer_names_response";
    case E::kConsumerList: return "io.nats.jetstream.api.v1.consumer_list_response";
    case E::kConsumerLeaderStepDown:
      return "io.nats.jetstream.api.v1.consumer_leader_stepdown_response";
    case E::kUnknown:
    case E::kDirectGet:
    case E::kDirectGetLastBySubject:
    case E::kConsumerMsgNext:
      return "";
  }
  return "";
}

bool IsConsumerEndpoint(JsApiEndpoint endpoint) {
  switch (endpoint) {
    case E::kConsumerCreate:
    case E::kConsumerDurableCreate:
    case E::kConsumerDelete:
    case E::kConsumerInfo:
    case E::kConsumerNames:
    case E::kConsumerList:
    case E::kConsumerMsgNext:
    case E::kConsumerLeaderStepDown:
      return true;
    default:
      return false;
  }
}

}  // namespace jsengine::gateway::jetstream
