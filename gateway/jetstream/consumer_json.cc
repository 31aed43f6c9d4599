#include "gateway/jetstream/consumer_json.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/names.h"
#include "common/status.h"
#include "gateway/jetstream/api_reply.h"

namespace jsengine::gateway::jetstream {
namespace {

absl::Status ParseEnums(const common::GoJsonObject& json, v1::ConsumerConfig* config) {
  v1::DeliverPolicy deliver = v1::DELIVER_ALL;
  v1::AckPolicy ack = v1::ACK_NONE;
  v1::ReplayPolicy replay = v1::REPLAY_INSTANT;
  JSE_RETURN_IF_ERROR(
      json.GetEnum<v1::DeliverPolicy>("deliver_policy",
                                      {{"all", v1::DELIVER_ALL},
                                       {"undefined", v1::DELIVER_ALL},
                                       {"last", v1::DELIVER_LAST},
                                       {"last_per_subject", v1::DELIVER_LAST_PER_SUBJECT},
                                       {"new", v1::DELIVER_NEW},
                                       {"by_start_sequence", v1::DELIVER_BY_START_SEQUENCE},
                                       {"by_start_time", v1::DELIVER_BY_START_TIME}},
                                      /*ignore_case=*/false, &deliver));
  JSE_RETURN_IF_ERROR(json.GetEnum<v1::AckPolicy>(
      "ack_policy", {{"none", v1::ACK_NONE}, {"all", v1::ACK_ALL}, {"explicit", v1::ACK_EXPLICIT}},
      /*ignore_case=*/false, &ack));
  JSE_RETURN_IF_ERROR(json.GetEnum<v1::ReplayPolicy>(
      "replay_policy", {{"instant", v1::REPLAY_INSTANT}, {"original", v1::REPLAY_ORIGINAL}},
      /*ignore_case=*/false, &replay));
  config->set_deliver_policy(deliver);
  config->set_ack_policy(ack);
  config->set_replay_policy(replay);
  return absl::OkStatus();
}

absl::Status ParseStrings(const common::GoJsonObject& json, v1::ConsumerConfig* config) {
  std::string durable, name, description, filter, sample, deliver_subject, deliver_group;
  std::vector<std::string> filters;
  std::map<std::string, std::string> metadata;
  JSE_RETURN_IF_ERROR(json.GetString("durable_name", &durable));
  JSE_RETURN_IF_ERROR(json.GetString("name", &name));
  JSE_RETURN_IF_ERROR(json.GetString("description", &description));
  JSE_RETURN_IF_ERROR(json.GetString("filter_subject", &filter));
  JSE_RETURN_IF_ERROR(json.GetStringList("filter_subjects", &filters));
  JSE_RETURN_IF_ERROR(json.GetString("sample_freq", &sample));
  JSE_RETURN_IF_ERROR(json.GetString("deliver_subject", &deliver_subject));
  JSE_RETURN_IF_ERROR(json.GetString("deliver_group", &deliver_group));
  JSE_RETURN_IF_ERROR(json.GetStringMap("metadata", &metadata));
  config->set_durable_name(durable);
  config->set_name(name);
  config->set_description(description);
  config->set_filter_subject(filter);
  for (std::string& f : filters) config->add_filter_subjects(std::move(f));
  config->set_sample_freq(sample);
  config->set_deliver_subject(deliver_subject);
  config->set_deliver_group(deliver_group);
  config->mutable_metadata()->insert(metadata.begin(), metadata.end());
  return absl::OkStatus();
}

absl::Status ParseNumbers(const common::GoJsonObject& json, v1::ConsumerConfig* config) {
  uint64_t start_seq = 0, rate_limit = 0;
  int64_t start_time = 0, ack_wait = 0, max_deliver = 0, max_waiting = 0, max_ack_pending = 0;
  int64_t heartbeat = 0, max_batch = 0, max_expires = 0, max_bytes = 0, inactive = 0;
  int64_t replicas = 0;
  std::vector<int64_t> backoff;
  JSE_RETURN_IF_ERROR(json.GetUint64("opt_start_seq", &start_seq));
  JSE_RETURN_IF_ERROR(json.GetTime("opt_start_time", &start_time));
  JSE_RETURN_IF_ERROR(json.GetInt64("ack_wait", &ack_wait));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_deliver", &max_deliver));
  JSE_RETURN_IF_ERROR(json.GetInt64List("backoff", &backoff));
  JSE_RETURN_IF_ERROR(json.GetUint64("rate_limit_bps", &rate_limit));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_waiting", &max_waiting));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_ack_pending", &max_ack_pending));
  JSE_RETURN_IF_ERROR(json.GetInt64("idle_heartbeat", &heartbeat));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_batch", &max_batch));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_expires", &max_expires));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_bytes", &max_bytes));
  JSE_RETURN_IF_ERROR(json.GetInt64("inactive_threshold", &inactive));
  JSE_RETURN_IF_ERROR(json.GetInt64("num_replicas", &replicas));
  config->set_opt_start_seq(start_seq);
  if (json.Find("opt_start_time") != nullptr) config->set_opt_start_time_ns(start_time);
  config->set_ack_wait_ns(ack_wait);
  config->set_max_deliver(max_deliver);
  for (int64_t b : backoff) config->add_backoff_ns(b);
  config->set_rate_limit_bps(rate_limit);
  config->set_max_waiting(max_waiting);
  config->set_max_ack_pending(max_ack_pending);
  config->set_idle_heartbeat_ns(heartbeat);
  config->set_max_batch(max_batch);
  config->set_max_expires_ns(max_expires);
  config->set_max_bytes(max_bytes);
  config->set_inactive_threshold_ns(inactive);
  // Go's int is 64 bits; any count beyond 32 bits fails the replica checks
  // just as the clamped one does.
  config->set_num_replicas(static_cast<int32_t>(std::clamp<int64_t>(
      replicas, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max())));
  return absl::OkStatus();
}

absl::Status ParseFlags(const common::GoJsonObject& json, v1::ConsumerConfig* config) {
  bool flow_control = false, headers_only = false, mem_storage = false, direct = false;
  JSE_RETURN_IF_ERROR(json.GetBool("flow_control", &flow_control));
  JSE_RETURN_IF_ERROR(json.GetBool("headers_only", &headers_only));
  JSE_RETURN_IF_ERROR(json.GetBool("mem_storage", &mem_storage));
  JSE_RETURN_IF_ERROR(json.GetBool("direct", &direct));
  config->set_flow_control(flow_control);
  config->set_headers_only(headers_only);
  config->set_mem_storage(mem_storage);
  config->set_direct(direct);
  return absl::OkStatus();
}

// opt_start_time is a time the client chose, so Unix time 0 is itself here
// rather than Go's zero time.
void WriteStartTime(int64_t ns, common::GoJsonWriter* w) {
  if (ns == 0) {
    w->String("1970-01-01T00:00:00Z");
  } else {
    w->Time(ns);
  }
}

void OptUint(absl::string_view key, uint64_t value, common::GoJsonWriter* w) {
  if (value == 0) return;
  w->Key(key);
  w->Uint(value);
}

void OptStrings(absl::string_view key,
                const google::protobuf::RepeatedPtrField<std::string>& values,
                common::GoJsonWriter* w) {
  if (values.empty()) return;
  w->Key(key);
  w->BeginArray();
  for (const std::string& value : values) w->String(value);
  w->EndArray();
}

}  // namespace

absl::string_view DeliverPolicyName(v1::DeliverPolicy policy) {
  switch (policy) {
    case v1::DELIVER_LAST:
      return "last";
    case v1::DELIVER_NEW:
      return "new";
    case v1::DELIVER_BY_START_SEQUENCE:
      return "by_start_sequence";
    case v1::DELIVER_BY_START_TIME:
      return "by_start_time";
    case v1::DELIVER_LAST_PER_SUBJECT:
      return "last_per_subject";
    default:
      return "all";
  }
}

absl::string_view AckPolicyName(v1::AckPolicy policy) {
  switch (policy) {
    case v1::ACK_NONE:
      return "none";
    case v1::ACK_ALL:
      return "all";
    default:
      return "explicit";
  }
}

absl::string_view ReplayPolicyName(v1::ReplayPolicy policy) {
  return policy == v1::REPLAY_INSTANT ? "instant" : "original";
}

absl::StatusOr<v1::ConsumerConfig> ConsumerConfigFromJson(const common::GoJsonObject& json) {
  v1::ConsumerConfig config;
  JSE_RETURN_IF_ERROR(ParseStrings(json, &config));
  JSE_RETURN_IF_ERROR(ParseEnums(json, &config));
  JSE_RETURN_IF_ERROR(ParseNumbers(json, &config));
  JSE_RETURN_IF_ERROR(ParseFlags(json, &config));
  return config;
}

absl::StatusOr<v1::ConsumerConfig> ParseConsumerConfig(absl::string_view payload) {
  JSE_ASSIGN_OR_RETURN(common::GoJsonObject json, common::GoJsonObject::Parse(payload));
  return ConsumerConfigFromJson(json);
}

absl::StatusOr<v1::CreateConsumerRequest> ParseCreateConsumerRequest(absl::string_view payload) {
  JSE_ASSIGN_OR_RETURN(common::GoJsonObject json, common::GoJsonObject::Parse(payload));
  v1::CreateConsumerRequest request;
  std::string stream;
  JSE_RETURN_IF_ERROR(json.GetString("stream_name", &stream));
  common::GoJsonObject config_json;
  bool present = false;
  JSE_RETURN_IF_ERROR(json.GetObject("config", &config_json, &present));
  if (present) {
    JSE_ASSIGN_OR_RETURN(*request.mutable_config(), ConsumerConfigFromJson(config_json));
  }
  absl::string_view action;
  JSE_RETURN_IF_ERROR(json.GetEnum<absl::string_view>(
      "action", {{"", ""}, {"create", "create"}, {"update", "update"}},
      /*ignore_case=*/false, &action));
  request.set_stream(stream);
  request.set_action(std::string(action));
  return request;
}

void WriteConsumerConfig(const v1::ConsumerConfig& c, common::GoJsonWriter* w) {
  w->BeginObject();
  w->OptString("durable_name", c.durable_name());
  w->OptString("name", c.name());
  w->OptString("description", c.description());
  w->Key("deliver_policy");
  w->String(DeliverPolicyName(c.deliver_policy()));
  OptUint("opt_start_seq", c.opt_start_seq(), w);
  if (c.has_opt_start_time_ns()) {
    w->Key("opt_start_time");
    WriteStartTime(c.opt_start_time_ns(), w);
  }
  w->Key("ack_policy");
  w->String(AckPolicyName(c.ack_policy()));
  w->OptInt("ack_wait", c.ack_wait_ns());
  w->OptInt("max_deliver", c.max_deliver());
  if (c.backoff_ns_size() > 0) {
    w->Key("backoff");
    w->BeginArray();
    for (int64_t b : c.backoff_ns()) w->Int(b);
    w->EndArray();
  }
  w->OptString("filter_subject", c.filter_subject());
  OptStrings("filter_subjects", c.filter_subjects(), w);
  w->Key("replay_policy");
  w->String(ReplayPolicyName(c.replay_policy()));
  OptUint("rate_limit_bps", c.rate_limit_bps(), w);
  w->OptString("sample_freq", c.sample_freq());
  w->OptInt("max_waiting", c.max_waiting());
  w->OptInt("max_ack_pending", c.max_ack_pending());
  w->OptInt("idle_heartbeat", c.idle_heartbeat_ns());
  w->OptBool("flow_control", c.flow_control());
  w->OptBool("headers_only", c.headers_only());
  w->OptInt("max_batch", c.max_batch());
  w->OptInt("max_expires", c.max_expires_ns());
  w->OptInt("max_bytes", c.max_bytes());
  w->OptString("deliver_subject", c.deliver_subject());
  w->OptString("deliver_group", c.deliver_group());
  w->OptInt("inactive_threshold", c.inactive_threshold_ns());
  w->Key("num_replicas");
  w->Int(c.num_replicas());
  w->OptBool("mem_storage", c.mem_storage());
  w->OptBool("direct", c.direct());
  w->OptStringMap("metadata", c.metadata());
  w->EndObject();
}

void WriteSequenceInfo(const v1::SequenceInfo& s, common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("consumer_seq");
  w->Uint(s.consumer_seq());
  w->Key("stream_seq");
  w->Uint(s.stream_seq());
  if (s.last_active_ns() != 0) {
    w->Key("last_active");
    w->Time(s.last_active_ns());
  }
  w->EndObject();
}

void WriteConsumerInfoFields(const v1::ConsumerInfo& info, common::GoJsonWriter* w) {
  w->Key("stream_name");
  w->String(info.stream_name());
  w->Key("name");
  w->String(info.name());
  w->Key("created");
  w->Time(info.created_ns());
  if (info.has_config()) {
    w->Key("config");
    WriteConsumerConfig(info.config(), w);
  }
  w->Key("delivered");
  WriteSequenceInfo(info.delivered(), w);
  w->Key("ack_floor");
  WriteSequenceInfo(info.ack_floor(), w);
  w->Key("num_ack_pending");
  w->Int(info.num_ack_pending());
  w->Key("num_redelivered");
  w->Int(info.num_redelivered());
  w->Key("num_waiting");
  w->Int(info.num_waiting());
  w->Key("num_pending");
  w->Uint(info.num_pending());
  if (info.has_cluster()) {
    w->Key("cluster");
    w->BeginObject();
    w->OptString("name", info.cluster().name());
    w->OptString("leader", info.cluster().leader());
    w->EndObject();
  }
  w->OptBool("push_bound", info.push_bound());
  if (info.ts_ns() != 0) {
    w->Key("ts");
    w->Time(info.ts_ns());
  }
}

void WriteConsumerInfo(const v1::ConsumerInfo& info, common::GoJsonWriter* w) {
  w->BeginObject();
  WriteConsumerInfoFields(info, w);
  w->EndObject();
}

void WriteConsumerNamesFields(const v1::ConsumerNamesResponse& names, common::GoJsonWriter* w) {
  WriteListPaging(names.total(), names.offset(),
                  names.limit() > 0 ? names.limit() : common::kNamesLimit, w);
  w->Key("consumers");
  w->BeginArray();
  for (const std::string& name : names.names()) w->String(name);
  w->EndArray();
}

void WriteConsumerListFields(const v1::ListConsumersResponse& list, common::GoJsonWriter* w) {
  WriteListPaging(list.total(), list.offset(), list.limit() > 0 ? list.limit() : common::kListLimit,
                  w);
  w->Key("consumers");
  w->BeginArray();
  for (const v1::ConsumerInfo& info : list.consumers()) WriteConsumerInfo(info, w);
  w->EndArray();
}

}  // namespace jsengine::gateway::jetstream
