#include "gateway/jetstream/consumer_api.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "common/names.h"
#include "common/status.h"
#include "gateway/jetstream/consumer_json.h"
#include "common/go_json_reader.h"
#include "common/go_json_writer.h"

namespace jsengine::gateway::jetstream {
namespace {

using E = JsApiEndpoint;
using common::JsError;
using common::JsErrorId;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// What a create subject says, as nats-server's jsConsumerCreateRequest reads
// it: CONSUMER.CREATE.<stream> (a legacy ephemeral), CONSUMER.CREATE.<stream>
// .<name>[.<filter>] (2.10's form) or CONSUMER.DURABLE.CREATE.<stream>.<name>.
struct CreateSubject {
  enum class Form { kEphemeral, kNamed, kDurable };

  Form form = Form::kEphemeral;
  std::string_view stream;
  std::string_view name;    // Empty for kEphemeral.
  std::string_view filter;  // kNamed only; empty when the subject has none.
};

CreateSubject ParseCreateSubject(const JsApiRoute& route) {
  CreateSubject subject;
  subject.stream = route.stream;
  if (route.endpoint == E::kConsumerDurableCreate) {
    subject.form = CreateSubject::Form::kDurable;
    subject.name = route.rest;
  } else if (!route.rest.empty()) {
    subject.form = CreateSubject::Form::kNamed;
    size_t dot = route.rest.find('.');
    subject.name = route.rest.substr(0, dot);
    if (dot != std::string_view::npos) subject.filter = route.rest.substr(dot + 1);
  }
  return subject;
}

// The durable and name rules of each subject form; a CONSUMER.CREATE.<stream>
// .<name> subject names the consumer, whatever the body's name.
absl::Status ApplySubjectName(const CreateSubject& subject, v1::ConsumerConfig* config) {
  const std::string& durable = config->durable_name();
  switch (subject.form) {
    case CreateSubject::Form::kDurable:
      if (durable.empty()) return JsError(JsErrorId::kConsumerDurableNameNotSet);
      if (durable != subject.name) return JsError(JsErrorId::kConsumerDurableNameNotMatchSubject);
      return absl::OkStatus();
    case CreateSubject::Form::kNamed:
      if (!durable.empty() && durable != subject.name) {
        return JsError(JsErrorId::kConsumerDurableNameNotMatchSubject);
      }
      config->set_name(std::string(subject.name));
      return absl::OkStatus();
    case CreateSubject::Form::kEphemeral:
      if (!durable.empty()) return JsError(JsErrorId::kConsumerEphemeralWithDurableName);
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

// nats-server's checks between parsing a create request and looking its
// stream up (jsConsumerCreateRequest, 2.10), in its order.
absl::Status CheckCreate(const CreateSubject& subject, v1::CreateConsumerRequest* request) {
  if (request->stream() != subject.stream) return JsError(JsErrorId::kStreamMismatch);
  if (!subject.name.empty()) JSE_RETURN_IF_ERROR(common::CheckConsumerNameInSubject(subject.name));
  v1::ConsumerConfig* config = request->mutable_config();
  JSE_RETURN_IF_ERROR(ApplySubjectName(subject, config));
  if (!subject.filter.empty()) {
    if (config->filter_subjects_size() > 0) {
      return JsError(JsErrorId::kConsumerMultipleFiltersNotAllowed);
    }
    if (config->filter_subject() != subject.filter) {
      return JsError(JsErrorId::kConsumerCreateFilterSubjectMismatch);
    }
  }
  if (config->num_replicas() > 1) return JsError(JsErrorId::kStreamReplicasNotSupported);
  if (!common::IsValidName(subject.stream)) return JsError(JsErrorId::kStreamNotFound);
  return absl::OkStatus();
}

// The body of NAMES and LIST, {"offset":N}, as a request for one page of
// `limit` items, if its stream may exist. A negative offset reads as 0
// (nats-server would fail on it).
absl::StatusOr<v1::ListConsumersRequest> ParsePageRequest(std::string_view stream,
                                                          std::string_view payload, int limit) {
  int64_t offset = 0;
  if (!common::IsEmptyRequest(AbslView(payload))) {
    absl::StatusOr<common::GoJsonObject> json = common::GoJsonObject::Parse(AbslView(payload));
    if (!json.ok() || !json->GetInt64("offset", &offset).ok()) {
      return JsError(JsErrorId::kInvalidJSON);
    }
  }
  if (!common::IsValidName(stream)) return JsError(JsErrorId::kStreamNotFound);
  v1::ListConsumersRequest request;
  request.set_stream(std::string(stream));
  request.set_offset(
      static_cast<int32_t>(std::clamp<int64_t>(offset, 0, std::numeric_limits<int32_t>::max())));
  request.set_limit(limit);
  return request;
}

// The request of INFO and DELETE, which take no body, if its stream may exist.
absl::StatusOr<v1::ConsumerRequest> ParseConsumerRequest(std::string_view stream,
                                                         std::string_view name,
                                                         std::string_view payload) {
  if (!common::IsEmptyRequest(AbslView(payload))) return JsError(JsErrorId::kNotEmptyRequest);
  if (!common::IsValidName(stream)) return JsError(JsErrorId::kStreamNotFound);
  v1::ConsumerRequest request;
  request.set_stream(std::string(stream));
  request.set_name(std::string(name));
  return request;
}

// {"type":...,<the fields `write_fields` writes of `value`>}
template <typename T>
JsApiReply FieldsReply(JsApiEndpoint endpoint, const T& value,
                       void (*write_fields)(const T&, common::GoJsonWriter*)) {
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(endpoint, &w);
  write_fields(value, &w);
  w.EndObject();
  return JsonReply(std::move(out));
}

// A NAMES or LIST reply: the page `payload` asks for, from `fetch`.
template <typename Response, typename Fetch>
JsApiReply PageReply(JsApiEndpoint endpoint, std::string_view stream, std::string_view payload,
                     int limit, Fetch fetch, void (*write_fields)(const Response&, common::GoJsonWriter*)) {
  absl::StatusOr<v1::ListConsumersRequest> request = ParsePageRequest(stream, payload, limit);
  if (!request.ok()) return ErrorReply(endpoint, request.status());
  absl::StatusOr<Response> page = fetch(*request);
  if (!page.ok()) return ErrorReply(endpoint, page.status());
  return FieldsReply(endpoint, *page, write_fields);
}

}  // namespace

ConsumerApi::ConsumerApi(consumersvc::client::ConsumerClient* consumers) : consumers_(consumers) {}

JsApiReply ConsumerApi::Handle(const JsApiRoute& route, std::string_view payload) {
  switch (route.endpoint) {
    case E::kConsumerCreate:
    case E::kConsumerDurableCreate:
      return Create(route, payload);
    case E::kConsumerDelete:
      return Delete(route.stream, route.rest, payload);
    case E::kConsumerInfo:
      return Info(route.stream, route.rest, payload);
    case E::kConsumerNames:
      return Names(route.stream, payload);
    case E::kConsumerList:
      return List(route.stream, payload);
    case E::kConsumerLeaderStepDown:
      return ErrorReply(route.endpoint, JsError(JsErrorId::kClusterRequired));
    default:
      return JsApiReply{};
  }
}

JsApiReply ConsumerApi::Create(const JsApiRoute& route, std::string_view payload) {
  absl::StatusOr<v1::CreateConsumerRequest> request = ParseCreateConsumerRequest(AbslView(payload));
  if (!request.ok()) return ErrorReply(route.endpoint, JsError(JsErrorId::kInvalidJSON));
  if (absl::Status s = CheckCreate(ParseCreateSubject(route), &*request); !s.ok()) {
    return ErrorReply(route.endpoint, s);
  }
  absl::StatusOr<v1::ConsumerInfo> info = consumers_->CreateConsumer(*request);
  if (!info.ok()) return ErrorReply(route.endpoint, info.status());
  return FieldsReply(route.endpoint, *info, &WriteConsumerInfoFields);
}

JsApiReply ConsumerApi::Delete(std::string_view stream, std::string_view name,
                               std::string_view payload) {
  absl::StatusOr<v1::ConsumerRequest> request = ParseConsumerRequest(stream, name, payload);
  if (!request.ok()) return ErrorReply(E::kConsumerDelete, request.status());
  if (absl::Status s = consumers_->DeleteConsumer(*request); !s.ok()) {
    return ErrorReply(E::kConsumerDelete, s);
  }
  return SuccessReply(E::kConsumerDelete);
}

JsApiReply ConsumerApi::Info(std::string_view stream, std::string_view name,
                             std::string_view payload) {
  absl::StatusOr<v1::ConsumerRequest> request = ParseConsumerRequest(stream, name, payload);
  if (!request.ok()) return ErrorReply(E::kConsumerInfo, request.status());
  absl::StatusOr<v1::ConsumerInfo> info = consumers_->GetConsumerInfo(*request);
  if (!info.ok()) return ErrorReply(E::kConsumerInfo, info.status());
  return FieldsReply(E::kConsumerInfo, *info, &WriteConsumerInfoFields);
}

JsApiReply ConsumerApi::Names(std::string_view stream, std::string_view payload) {
  return PageReply(
      E::kConsumerNames, stream, payload, common::kNamesLimit,
      [this](const v1::ListConsumersRequest& r) { return consumers_->ConsumerNames(r); },
      &WriteConsumerNamesFields);
}

JsApiReply ConsumerApi::List(std::string_view stream, std::string_view payload) {
  return PageReply(
      E::kConsumerList, stream, payload, common::kListLimit,
      [this](const v1::ListConsumersRequest& r) { return consumers_->ListConsumers(r); },
      &WriteConsumerListFields);
}

}  // namespace jsengine::gateway::jetstream
