#include "gateway/jetstream/api_reply.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "gateway/jetstream/api_errors.h"

namespace jsengine::gateway::jetstream {
namespace {

using E = JsApiEndpoint;

// Fields that follow "error" in failed replies, because nats-server's
// response structs have them without omitempty.
void WriteErrorTrailer(JsApiEndpoint endpoint, common::GoJsonWriter* w) {
  switch (endpoint) {
    case E::kStreamInfo:
    case E::kStreamNames:
    case E::kStreamList:
    case E::kTemplateNames:
    case E::kConsumerNames:
    case E::kConsumerList:
      WritePaging(0, 0, 0, w);
      break;
    case E::kStreamPurge:
      w->Key("purged");
      w->Int(0);
      break;
    default:
      break;
  }
  switch (endpoint) {
    case E::kStreamNames:
    case E::kTemplateNames:
      w->Key("streams");
      w->Null();
      break;
    case E::kStreamList:
      w->Key("streams");
      w->BeginArray();
      w->EndArray();
      break;
    case E::kConsumerNames:
    case E::kConsumerList:
      w->Key("consumers");
      w->BeginArray();
      w->EndArray();
      break;
    default:
      break;
  }
}

}  // namespace

JsApiReply JsonReply(std::string payload) {
  return JsApiReply{"", std::move(payload), true, JsApiReply::Stat::kOk};
}

JsApiReply ErrorReply(JsApiEndpoint endpoint, const absl::Status& status) {
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(endpoint, &w);
  WriteApiErrorField(status, &w);
  WriteErrorTrailer(endpoint, &w);
  w.EndObject();
  return JsApiReply{"", std::move(out), true, JsApiReply::Stat::kError};
}

JsApiReply SuccessReply(JsApiEndpoint endpoint) {
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(endpoint, &w);
  w.Key("success");
  w.Bool(true);
  w.EndObject();
  return JsonReply(std::move(out));
}

void BeginReply(JsApiEndpoint endpoint, common::GoJsonWriter* w) {
  std::string_view type = JsApiResponseType(endpoint);
  w->BeginObject();
  w->Key("type");
  w->String(absl::string_view(type.data(), type.size()));
}

void WritePaging(int total, int offset, int limit, common::GoJsonWriter* w) {
  w->Key("total");
  w->Int(total);
  w->Key("offset");
  w->Int(offset);
  w->Key("limit");
  w->Int(limit);
}

void WriteListPaging(int total, int offset, int limit, common::GoJsonWriter* w) {
  WritePaging(total, std::min(offset, total), limit, w);
}

}  // namespace jsengine::gateway::jetstream
