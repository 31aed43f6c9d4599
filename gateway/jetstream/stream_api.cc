#include "gateway/jetstream/stream_api.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/go_json_reader.h"
#include "common/go_json_writer.h"
#include "common/names.h"
#include "common/status.h"
#include "gateway/jetstream/stream_advisory.h"
#include "gateway/jetstream/stream_json.h"

namespace jsengine::gateway::jetstream {
namespace {

using E = JsApiEndpoint;

using common::CheckStreamName;
using common::IsValidName;
using common::kListLimit;
using common::kNamesLimit;

// Subjects in one page of STREAM.INFO's subject details (JSMaxSubjectDetails).
constexpr int kMaxSubjectDetails = 100000;

constexpr std::string_view kHeaderLine = "NATS/1.0\r\n";
constexpr std::string_view kDirectNotFound = "NATS/1.0 404 Message Not Found\r\n\r\n";
constexpr std::string_view kDirectEmpty = "NATS/1.0 408 Empty Request\r\n\r\n";
constexpr std::string_view kDirectMalformed = "NATS/1.0 408 Malformed Request\r\n\r\n";
constexpr std::string_view kDirectBad = "NATS/1.0 408 Bad Request\r\n\r\n";

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status InvalidJson() { return common::JsError(common::JsErrorId::kInvalidJSON); }
absl::Status BadRequest() { return common::JsError(common::JsErrorId::kBadRequest); }
absl::Status StreamNotFound() { return common::JsError(common::JsErrorId::kStreamNotFound); }

absl::Status InvalidConfig(absl::string_view why) {
  return common::JsErrorF(common::JsErrorId::kStreamInvalidConfig, {{"err", why}});
}

// The paging request of NAMES and LIST: {offset, subject}.
absl::Status ParseListRequest(std::string_view payload, int limit, v1::ListStreamsRequest* req) {
  req->set_limit(limit);
  if (common::IsEmptyRequest(AbslView(payload))) return absl::OkStatus();
  JSE_ASSIGN_OR_RETURN(common::GoJsonObject json, common::GoJsonObject::Parse(AbslView(payload)));
  int32_t offset = 0;
  std::string subject;
  JSE_RETURN_IF_ERROR(json.GetInt32("offset", &offset));
  JSE_RETURN_IF_ERROR(json.GetString("subject", &subject));
  req->set_offset(std::max(offset, 0));
  req->set_subject(subject);
  return absl::OkStatus();
}

// The GET request body shared by MSG.GET and DIRECT.GET.
struct GetRequest {
  uint64_t seq = 0;
  std::string last_for;
  std::string next_for;
};

absl::Status ParseGetRequest(std::string_view payload, GetRequest* req) {
  JSE_ASSIGN_OR_RETURN(common::GoJsonObject json, common::GoJsonObject::Parse(AbslView(payload)));
  JSE_RETURN_IF_ERROR(json.GetUint64("seq", &req->seq));
  JSE_RETURN_IF_ERROR(json.GetString("last_by_subj", &req->last_for));
  JSE_RETURN_IF_ERROR(json.GetString("next_by_subj", &req->next_for));
  return absl::OkStatus();
}

bool GetRequestIsEmpty(const GetRequest& r) {
  return r.seq == 0 && r.last_for.empty() && r.next_for.empty();
}

bool GetRequestConflicts(const GetRequest& r) {
  return (r.seq > 0 && !r.last_for.empty()) || (!r.last_for.empty() && !r.next_for.empty());
}

v1::GetMessageRequest ToGetMessageRequest(std::string_view stream, const GetRequest& r) {
  v1::GetMessageRequest request;
  request.set_stream(std::string(stream));
  if (!r.next_for.empty()) {
    request.set_next_by_subject(r.next_for);
    request.set_seq(r.seq);
  } else if (r.seq > 0) {
    request.set_seq(r.seq);
  } else {
    request.set_last_by_subject(r.last_for);
  }
  return request;
}

void AppendHeader(std::string_view key, std::string_view value, std::string* out) {
  out->append(key);
  out->append(": ");
  out->append(value);
  out->append("\r\n");
}

JsApiReply DirectStatus(std::string_view status_line) {
  return JsApiReply{std::string(status_line), "", true};
}

}  // namespace

StreamApi::StreamApi(storesvc::client::StoreClient* store,
                     consumersvc::client::ConsumerClient* consumers, std::string domain)
    : store_(store), consumers_(consumers), domain_(std::move(domain)) {}

JsApiReply StreamApi::Handle(const JsApiRoute& route, std::string_view payload) {
  switch (route.endpoint) {
    case E::kStreamCreate:
      return StreamCreate(route.stream, payload);
    case E::kStreamUpdate:
      return StreamUpdate(route.stream, payload);
    case E::kStreamDelete:
      return StreamDelete(route.stream, payload);
    case E::kStreamInfo:
      return StreamInfo(route.stream, payload);
    case E::kStreamNames:
      return StreamNames(payload);
    case E::kStreamList:
      return StreamList(payload);
    case E::kStreamPurge:
      return StreamPurge(route.stream, payload);
    case E::kStreamMsgGet:
      return MsgGet(route.stream, payload);
    case E::kStreamMsgDelete:
      return MsgDelete(route.stream, payload);
    case E::kDirectGet:
      return DirectGet(route.stream, payload);
    case E::kDirectGetLastBySubject:
      return DirectGetLastBySubject(route.stream, route.rest, payload);
    case E::kStreamPeerRemove:
    case E::kStreamLeaderStepDown:
      return ErrorReply(route.endpoint, common::JsError(common::JsErrorId::kClusterRequired));
    case E::kStreamSnapshot:
    case E::kStreamRestore:
      return ErrorReply(route.endpoint, absl::UnimplementedError(
                                            "stream snapshots and restores are not supported"));
    case E::kTemplateCreate:
    case E::kTemplateDelete:
    case E::kTemplateInfo:
    case E::kTemplateNames:
      return ErrorReply(route.endpoint,
                        absl::UnimplementedError("stream templates are not supported"));
    default:
      return JsApiReply{};
  }
}

JsApiReply StreamApi::StreamCreate(std::string_view name, std::string_view payload) {
  absl::StatusOr<v1::StreamConfig> config = ParseStreamConfig(AbslView(payload));
  if (!config.ok()) return ErrorReply(E::kStreamCreate, InvalidJson());
  if (config->name() != name) {
    return ErrorReply(E::kStreamCreate, common::JsError(common::JsErrorId::kStreamMismatch));
  }
  if (name.find_first_of("\\/") != std::string_view::npos) {
    return ErrorReply(E::kStreamCreate,
                      common::JsError(common::JsErrorId::kStreamNameContainsPathSeparators));
  }
  if (config->sealed()) {
    return ErrorReply(E::kStreamCreate,
                      InvalidConfig("stream configuration for create can not be sealed"));
  }
  if (config->mirror_direct() && !config->has_mirror()) {
    return ErrorReply(E::kStreamCreate,
                      InvalidConfig("stream has no mirror but does have mirror direct"));
  }
  if (absl::Status s = CheckStreamName(config->name()); !s.ok()) {
    return ErrorReply(E::kStreamCreate, s);
  }

  v1::CreateStreamRequest request;
  *request.mutable_config() = *std::move(config);
  const int64_t start_ns = absl::GetCurrentTimeNanos();
  absl::StatusOr<v1::StreamInfo> info = store_->CreateStream(request);
  if (!info.ok()) return ErrorReply(E::kStreamCreate, info.status());
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kStreamCreate, &w);
  WriteStreamInfoFields(*info, &w);
  w.Key("did_create");
  w.Bool(true);
  w.EndObject();
  JsApiReply reply = JsonReply(std::move(out));
  // A create of a stream that exists with this config answers its info, and
  // nats-server then sends no advisory.
  if (info->created_ns() >= start_ns) {
    reply.events.push_back(
        StreamActionAdvisory(name, StreamAction::kCreate, domain_, absl::GetCurrentTimeNanos()));
  }
  return reply;
}

JsApiReply StreamApi::StreamUpdate(std::string_view name, std::string_view payload) {
  absl::StatusOr<v1::StreamConfig> config = ParseStreamConfig(AbslView(payload));
  if (!config.ok()) return ErrorReply(E::kStreamUpdate, InvalidJson());
  if (absl::Status s = CheckStreamName(config->name()); !s.ok()) {
    return ErrorReply(E::kStreamUpdate, s);
  }
  if (config->name() != name)
    return ErrorReply(E::kStreamUpdate, common::JsError(common::JsErrorId::kStreamMismatch));

  if (absl::Status s = CheckConsumersWithinLimits(*config); !s.ok()) {
    return ErrorReply(E::kStreamUpdate, s);
  }
  v1::UpdateStreamRequest request;
  *request.mutable_config() = *std::move(config);
  absl::StatusOr<v1::StreamInfo> info = store_->UpdateStream(request);
  if (!info.ok()) return ErrorReply(E::kStreamUpdate, info.status());
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kStreamUpdate, &w);
  WriteStreamInfoFields(*info, &w);
  w.EndObject();
  JsApiReply reply = JsonReply(std::move(out));
  reply.events.push_back(
      StreamActionAdvisory(name, StreamAction::kModify, domain_, absl::GetCurrentTimeNanos()));
  return reply;
}

absl::Status StreamApi::CheckConsumersWithinLimits(const v1::StreamConfig& config) {
  if (consumers_ == nullptr) return absl::OkStatus();
  v1::StreamInfoRequest info_request;
  info_request.set_name(config.name());
  absl::StatusOr<v1::StreamInfo> old = store_->GetStreamInfo(info_request);
  if (!old.ok()) return absl::OkStatus();  // The update reports it.
  const v1::StreamConsumerLimits& was = old->config().consumer_limits();
  const v1::StreamConsumerLimits& limits = config.consumer_limits();
  if (was.inactive_threshold_ns() == limits.inactive_threshold_ns() &&
      was.max_ack_pending() == limits.max_ack_pending()) {
    return absl::OkStatus();
  }
  std::vector<std::string> violating;
  v1::ListConsumersRequest request;
  request.set_stream(config.name());
  for (;;) {
    JSE_ASSIGN_OR_RETURN(v1::ListConsumersResponse page, consumers_->ListConsumers(request));
    for (const v1::ConsumerInfo& c : page.consumers()) {
      if (c.config().inactive_threshold_ns() > limits.inactive_threshold_ns() ||
          c.config().max_ack_pending() > limits.max_ack_pending()) {
        violating.push_back(c.name());
      }
    }
    request.set_offset(page.offset() + page.consumers_size());
    if (page.consumers_size() == 0 || request.offset() >= page.total()) break;
  }
  if (violating.empty()) return absl::OkStatus();
  std::sort(violating.begin(), violating.end());
  return common::JsErrorF(common::JsErrorId::kStreamUpdate,
                          {{"err", absl::StrCat("change to limits violates consumers: ",
                                                absl::StrJoin(violating, ", "))}});
}

JsApiReply StreamApi::StreamDelete(std::string_view name, std::string_view payload) {
  if (!common::IsEmptyRequest(AbslView(payload))) {
    return ErrorReply(E::kStreamDelete, common::JsError(common::JsErrorId::kNotEmptyRequest));
  }
  if (!IsValidName(name)) return ErrorReply(E::kStreamDelete, StreamNotFound());
  v1::DeleteStreamRequest request;
  request.set_name(std::string(name));
  if (absl::Status s = store_->DeleteStream(request); !s.ok()) {
    return ErrorReply(E::kStreamDelete, s);
  }
  JsApiReply reply = SuccessReply(E::kStreamDelete);
  reply.events.push_back(
      StreamActionAdvisory(name, StreamAction::kDelete, domain_, absl::GetCurrentTimeNanos()));
  return reply;
}

JsApiReply StreamApi::StreamInfo(std::string_view name, std::string_view payload) {
  v1::StreamInfoRequest request;
  request.set_name(std::string(name));
  int32_t offset = 0;
  if (!common::IsEmptyRequest(AbslView(payload))) {
    absl::StatusOr<common::GoJsonObject> json = common::GoJsonObject::Parse(AbslView(payload));
    bool deleted_details = false;
    std::string subjects_filter;
    if (!json.ok() || !json->GetBool("deleted_details", &deleted_details).ok() ||
        !json->GetString("subjects_filter", &subjects_filter).ok() ||
        !json->GetInt32("offset", &offset).ok()) {
      return ErrorReply(E::kStreamInfo, InvalidJson());
    }
    request.set_deleted_details(deleted_details);
    request.set_subjects_filter(subjects_filter);
  }
  if (!IsValidName(name)) return ErrorReply(E::kStreamInfo, StreamNotFound());
  absl::StatusOr<v1::StreamInfo> info = store_->GetStreamInfo(request);
  if (!info.ok()) return ErrorReply(E::kStreamInfo, info.status());

  int total = 0, limit = 0;
  offset = std::max(offset, 0);
  v1::StreamState* state = info->mutable_state();
  if (request.subjects_filter().empty()) {
    state->clear_subjects();
    offset = 0;
  } else if (!state->subjects().empty()) {
    std::vector<std::string> subjects;
    subjects.reserve(state->subjects().size());
    for (const auto& [subject, count] : state->subjects()) subjects.push_back(subject);
    std::sort(subjects.begin(), subjects.end());
    total = static_cast<int>(subjects.size());
    limit = kMaxSubjectDetails;
    offset = std::min(offset, total);
    size_t end = std::min<size_t>(subjects.size(), static_cast<size_t>(offset) + limit);
    google::protobuf::Map<std::string, uint64_t> page;
    for (size_t i = offset; i < end; ++i) page[subjects[i]] = state->subjects().at(subjects[i]);
    state->mutable_subjects()->swap(page);
  } else {
    offset = 0;
  }

  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kStreamInfo, &w);
  WritePaging(total, offset, limit, &w);
  WriteStreamInfoFields(*info, &w);
  w.EndObject();
  return JsonReply(std::move(out));
}

JsApiReply StreamApi::StreamNames(std::string_view payload) {
  v1::ListStreamsRequest request;
  if (!ParseListRequest(payload, kNamesLimit, &request).ok()) {
    return ErrorReply(E::kStreamNames, InvalidJson());
  }
  absl::StatusOr<v1::StreamNamesResponse> names = store_->StreamNames(request);
  if (!names.ok()) return ErrorReply(E::kStreamNames, names.status());
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kStreamNames, &w);
  WriteListPaging(names->total(), names->offset(),
                  names->limit() > 0 ? names->limit() : kNamesLimit, &w);
  w.Key("streams");
  if (names->names().empty()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const std::string& name : names->names()) w.String(name);
    w.EndArray();
  }
  w.EndObject();
  return JsonReply(std::move(out));
}

JsApiReply StreamApi::StreamList(std::string_view payload) {
  v1::ListStreamsRequest request;
  if (!ParseListRequest(payload, kListLimit, &request).ok()) {
    return ErrorReply(E::kStreamList, InvalidJson());
  }
  absl::StatusOr<v1::ListStreamsResponse> list = store_->ListStreams(request);
  if (!list.ok()) return ErrorReply(E::kStreamList, list.status());
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kStreamList, &w);
  WriteListPaging(list->total(), list->offset(), list->limit() > 0 ? list->limit() : kListLimit,
                  &w);
  w.Key("streams");
  w.BeginArray();
  for (const v1::StreamInfo& info : list->streams()) WriteStreamInfo(info, &w);
  w.EndArray();
  w.EndObject();
  return JsonReply(std::move(out));
}

JsApiReply StreamApi::StreamPurge(std::string_view name, std::string_view payload) {
  v1::PurgeStreamRequest request;
  request.set_name(std::string(name));
  if (!common::IsEmptyRequest(AbslView(payload))) {
    absl::StatusOr<common::GoJsonObject> json = common::GoJsonObject::Parse(AbslView(payload));
    uint64_t seq = 0, keep = 0;
    std::string filter;
    if (!json.ok() || !json->GetUint64("seq", &seq).ok() ||
        !json->GetString("filter", &filter).ok() || !json->GetUint64("keep", &keep).ok()) {
      return ErrorReply(E::kStreamPurge, InvalidJson());
    }
    if (seq > 0 && keep > 0) return ErrorReply(E::kStreamPurge, BadRequest());
    request.set_seq(seq);
    request.set_filter(filter);
    request.set_keep(keep);
  }
  if (!IsValidName(name)) return ErrorReply(E::kStreamPurge, StreamNotFound());
  absl::StatusOr<v1::PurgeStreamResponse> purged =
      consumers_ != nullptr ? consumers_->PurgeStream(request) : store_->PurgeStream(request);
  if (!purged.ok()) return ErrorReply(E::kStreamPurge, purged.status());
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kStreamPurge, &w);
  w.Key("success");
  w.Bool(true);
  w.Key("purged");
  w.Uint(purged->purged());
  w.EndObject();
  return JsonReply(std::move(out));
}

JsApiReply StreamApi::MsgGet(std::string_view name, std::string_view payload) {
  if (common::IsEmptyRequest(AbslView(payload))) return ErrorReply(E::kStreamMsgGet, BadRequest());
  GetRequest get;
  if (!ParseGetRequest(payload, &get).ok()) return ErrorReply(E::kStreamMsgGet, InvalidJson());
  if (GetRequestIsEmpty(get) || GetRequestConflicts(get)) {
    return ErrorReply(E::kStreamMsgGet, BadRequest());
  }
  if (!IsValidName(name)) return ErrorReply(E::kStreamMsgGet, StreamNotFound());
  absl::StatusOr<v1::StoredMessage> message = store_->GetMessage(ToGetMessageRequest(name, get));
  if (!message.ok()) return ErrorReply(E::kStreamMsgGet, message.status());
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(E::kStreamMsgGet, &w);
  w.Key("message");
  WriteStoredMessage(*message, &w);
  w.EndObject();
  return JsonReply(std::move(out));
}

JsApiReply StreamApi::MsgDelete(std::string_view name, std::string_view payload) {
  if (common::IsEmptyRequest(AbslView(payload)))
    return ErrorReply(E::kStreamMsgDelete, BadRequest());
  absl::StatusOr<common::GoJsonObject> json = common::GoJsonObject::Parse(AbslView(payload));
  uint64_t seq = 0;
  bool no_erase = false;
  if (!json.ok() || !json->GetUint64("seq", &seq).ok() ||
      !json->GetBool("no_erase", &no_erase).ok()) {
    return ErrorReply(E::kStreamMsgDelete, InvalidJson());
  }
  if (!IsValidName(name)) return ErrorReply(E::kStreamMsgDelete, StreamNotFound());
  v1::DeleteMessageRequest request;
  request.set_stream(std::string(name));
  request.set_seq(seq);
  request.set_no_erase(no_erase);
  if (absl::Status s = consumers_ != nullptr ? consumers_->DeleteMessage(request)
                                             : store_->DeleteMessage(request);
      !s.ok()) {
    return ErrorReply(E::kStreamMsgDelete, s);
  }
  return SuccessReply(E::kStreamMsgDelete);
}

JsApiReply StreamApi::DirectGet(std::string_view name, std::string_view payload) {
  if (payload.empty()) return DirectStatus(kDirectEmpty);
  GetRequest get;
  if (!ParseGetRequest(payload, &get).ok()) return DirectStatus(kDirectMalformed);
  if (GetRequestIsEmpty(get)) return DirectStatus(kDirectEmpty);
  if (GetRequestConflicts(get)) return DirectStatus(kDirectBad);
  return DirectReply(name, ToGetMessageRequest(name, get));
}

JsApiReply StreamApi::DirectGetLastBySubject(std::string_view name, std::string_view subject,
                                             std::string_view payload) {
  if (!payload.empty()) return DirectStatus(kDirectBad);
  GetRequest get;
  get.last_for = std::string(subject);
  return DirectReply(name, ToGetMessageRequest(name, get));
}

JsApiReply StreamApi::DirectReply(std::string_view name, const v1::GetMessageRequest& request) {
  // nats-server only listens for direct gets on streams that allow them:
  // any other failure (no such stream, not allowed) gets no reply.
  if (!IsValidName(name)) return JsApiReply{};
  v1::GetMessageRequest direct = request;
  direct.set_direct(true);
  absl::StatusOr<v1::StoredMessage> message = store_->GetMessage(direct);
  if (!message.ok()) {
    if (common::ToErrorDetail(message.status()).err_code() ==
        common::ToErrorDetail(common::JsError(common::JsErrorId::kNoMessageFound)).err_code()) {
      return DirectStatus(kDirectNotFound);
    }
    return JsApiReply{};
  }
  JsApiReply reply;
  reply.send = true;
  const std::string& stored = message->headers();
  std::string& h = reply.headers;
  h.reserve(stored.size() + 96 + name.size() + message->subject().size());
  if (stored.size() > 2) {
    h.append(stored, 0, stored.size() - 2);
  } else {
    h.append(kHeaderLine);
  }
  AppendHeader("Nats-Stream", name, &h);
  AppendHeader("Nats-Subject", message->subject(), &h);
  AppendHeader("Nats-Sequence", absl::StrCat(message->seq()), &h);
  AppendHeader("Nats-Time-Stamp", common::GoTime(message->time_ns()), &h);
  h.append("\r\n");
  reply.payload = std::move(*message->mutable_data());
  return reply;
}

}  // namespace jsengine::gateway::jetstream
