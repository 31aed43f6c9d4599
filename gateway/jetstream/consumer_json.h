// Consumers on the wire: nats-server's CreateConsumerRequest, ConsumerConfig,
// ConsumerInfo and the CONSUMER.NAMES / LIST reply fields, to and from the
// consumer service's protos.
//
// Field names, order and omit-empty rules follow nats-server 2.9's Go structs
// (consumer.go), plus 2.10's `filter_subjects`, `metadata` and the request's
// `action`, and ConsumerInfo's `ts` when the proto carries one. Enums are
// spelled as nats-server spells them ("all", "by_start_sequence", ...,
// "none"/"all"/"explicit", "instant"/"original"); durations are nanoseconds;
// times are RFC 3339 in UTC. Parsing is Go's json.Unmarshal into those
// structs (unknown fields ignored, wrong types and unknown enum spellings
// refused, as is null for an enum or the action) and does not apply defaults:
// the proto holds what the client sent, and consumersvc's CheckConsumerConfig
// fills in nats-server's defaults.
//
// All functions are pure; safe from any thread.
#ifndef JSENGINE_GATEWAY_JETSTREAM_CONSUMER_JSON_H_
#define JSENGINE_GATEWAY_JETSTREAM_CONSUMER_JSON_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/go_json_reader.h"
#include "common/go_json_writer.h"
#include "proto/consumer.pb.h"

namespace jsengine::gateway::jetstream {

// A ConsumerConfig from its JSON; InvalidArgument naming the field when a
// value has the wrong type or an enum an unknown spelling.
absl::StatusOr<v1::ConsumerConfig> ConsumerConfigFromJson(const common::GoJsonObject& json);
absl::StatusOr<v1::ConsumerConfig> ParseConsumerConfig(absl::string_view payload);

// The body of $JS.API.CONSUMER.CREATE and CONSUMER.DURABLE.CREATE:
// {"stream_name":"S","config":{...},"action":"create"}. The API reports an
// error from here as 10025 "invalid JSON".
absl::StatusOr<v1::CreateConsumerRequest> ParseCreateConsumerRequest(absl::string_view payload);

// Each writes one JSON value (an object).
void WriteConsumerConfig(const v1::ConsumerConfig& config, common::GoJsonWriter* w);
void WriteSequenceInfo(const v1::SequenceInfo& sequence, common::GoJsonWriter* w);
void WriteConsumerInfo(const v1::ConsumerInfo& info, common::GoJsonWriter* w);

// The fields of a ConsumerInfo, written into an object the caller has open
// (consumer_create_response and consumer_info_response embed them).
void WriteConsumerInfoFields(const v1::ConsumerInfo& info, common::GoJsonWriter* w);

// "total", "offset", "limit" and "consumers" of a consumer_names_response
// and a consumer_list_response, written into the open reply; a limit of 0
// is written as the API's page size (1024 names, 256 infos).
void WriteConsumerNamesFields(const v1::ConsumerNamesResponse& names, common::GoJsonWriter* w);
void WriteConsumerListFields(const v1::ListConsumersResponse& list, common::GoJsonWriter* w);

// nats-server's spellings of the enums.
absl::string_view DeliverPolicyName(v1::DeliverPolicy policy);
absl::string_view AckPolicyName(v1::AckPolicy policy);
absl::string_view ReplayPolicyName(v1::ReplayPolicy policy);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_CONSUMER_JSON_H_
