#include "gateway/jetstream/stream_json.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace jsengine::gateway::jetstream {
namespace {

absl::Status ParseEnums(const common::GoJsonObject& json, v1::StreamConfig* config) {
  v1::RetentionPolicy retention = v1::RETENTION_LIMITS;
  v1::DiscardPolicy discard = v1::DISCARD_OLD;
  v1::StorageType storage = v1::STORAGE_FILE;
  JSE_RETURN_IF_ERROR(json.GetEnum<v1::RetentionPolicy>("retention",
                                                        {{"limits", v1::RETENTION_LIMITS},
                                                         {"interest", v1::RETENTION_INTEREST},
                                                         {"workqueue", v1::RETENTION_WORK_QUEUE}},
                                                        /*ignore_case=*/false, &retention));
  JSE_RETURN_IF_ERROR(json.GetEnum<v1::DiscardPolicy>(
      "discard", {{"old", v1::DISCARD_OLD}, {"new", v1::DISCARD_NEW}},
      /*ignore_case=*/true, &discard));
  JSE_RETURN_IF_ERROR(json.GetEnum<v1::StorageType>(
      "storage", {{"file", v1::STORAGE_FILE}, {"memory", v1::STORAGE_MEMORY}},
      /*ignore_case=*/false, &storage));
  config->set_retention(retention);
  config->set_discard(discard);
  config->set_storage(storage);
  v1::StoreCompression compression = v1::COMPRESSION_NONE;
  JSE_RETURN_IF_ERROR(json.GetEnum<v1::StoreCompression>(
      "compression", {{"none", v1::COMPRESSION_NONE}, {"s2", v1::COMPRESSION_S2}},
      /*ignore_case=*/false, &compression));
  config->set_compression(compression);
  return absl::OkStatus();
}

// The 2.10 objects: subject_transform and consumer_limits.
absl::Status Parse210Objects(const common::GoJsonObject& json, v1::StreamConfig* config) {
  common::GoJsonObject nested;
  bool present = false;
  JSE_RETURN_IF_ERROR(json.GetObject("subject_transform", &nested, &present));
  if (present) {
    std::string src, dest;
    JSE_RETURN_IF_ERROR(nested.GetString("src", &src));
    JSE_RETURN_IF_ERROR(nested.GetString("dest", &dest));
    config->mutable_subject_transform()->set_src(src);
    config->mutable_subject_transform()->set_dest(dest);
  }
  JSE_RETURN_IF_ERROR(json.GetObject("consumer_limits", &nested, &present));
  if (present) {
    int64_t inactive_threshold = 0, max_ack_pending = 0;
    JSE_RETURN_IF_ERROR(nested.GetInt64("inactive_threshold", &inactive_threshold));
    JSE_RETURN_IF_ERROR(nested.GetInt64("max_ack_pending", &max_ack_pending));
    if (inactive_threshold != 0 || max_ack_pending != 0) {
      config->mutable_consumer_limits()->set_inactive_threshold_ns(inactive_threshold);
      config->mutable_consumer_limits()->set_max_ack_pending(max_ack_pending);
    }
  }
  return absl::OkStatus();
}

absl::Status ParseSource(const common::GoJsonObject& json, v1::StreamSource* source) {
  std::string name, filter;
  uint64_t start_seq = 0;
  int64_t start_time = 0;
  JSE_RETURN_IF_ERROR(json.GetString("name", &name));
  JSE_RETURN_IF_ERROR(json.GetUint64("opt_start_seq", &start_seq));
  JSE_RETURN_IF_ERROR(json.GetTime("opt_start_time", &start_time));
  JSE_RETURN_IF_ERROR(json.GetString("filter_subject", &filter));
  std::vector<common::GoJsonObject> transforms;
  JSE_RETURN_IF_ERROR(json.GetObjectList("subject_transforms", &transforms));
  for (const common::GoJsonObject& t : transforms) {
    std::string src, dest;
    JSE_RETURN_IF_ERROR(t.GetString("src", &src));
    JSE_RETURN_IF_ERROR(t.GetString("dest", &dest));
    v1::SubjectTransform* out = source->add_subject_transforms();
    out->set_src(src);
    out->set_dest(dest);
  }
  common::GoJsonObject external;
  bool has_external = false;
  JSE_RETURN_IF_ERROR(json.GetObject("external", &external, &has_external));
  if (has_external) {
    std::string api, deliver;
    JSE_RETURN_IF_ERROR(external.GetString("api", &api));
    JSE_RETURN_IF_ERROR(external.GetString("deliver", &deliver));
    source->mutable_external()->set_api(api);
    source->mutable_external()->set_deliver(deliver);
  }
  source->set_name(name);
  source->set_opt_start_seq(start_seq);
  source->set_opt_start_time_ns(start_time);
  source->set_filter_subject(filter);
  return absl::OkStatus();
}

absl::Status ParseNested(const common::GoJsonObject& json, v1::StreamConfig* config) {
  common::GoJsonObject nested;
  bool present = false;

  JSE_RETURN_IF_ERROR(json.GetObject("placement", &nested, &present));
  if (present) {
    std::string cluster;
    std::vector<std::string> tags;
    JSE_RETURN_IF_ERROR(nested.GetString("cluster", &cluster));
    JSE_RETURN_IF_ERROR(nested.GetStringList("tags", &tags));
    v1::Placement* placement = config->mutable_placement();
    placement->set_cluster(cluster);
    for (std::string& tag : tags) placement->add_tags(std::move(tag));
  }

  JSE_RETURN_IF_ERROR(json.GetObject("mirror", &nested, &present));
  if (present) JSE_RETURN_IF_ERROR(ParseSource(nested, config->mutable_mirror()));

  std::vector<common::GoJsonObject> sources;
  JSE_RETURN_IF_ERROR(json.GetObjectList("sources", &sources));
  for (const common::GoJsonObject& source : sources) {
    JSE_RETURN_IF_ERROR(ParseSource(source, config->add_sources()));
  }

  JSE_RETURN_IF_ERROR(json.GetObject("republish", &nested, &present));
  if (present) {
    std::string src, dest;
    bool headers_only = false;
    JSE_RETURN_IF_ERROR(nested.GetString("src", &src));
    JSE_RETURN_IF_ERROR(nested.GetString("dest", &dest));
    JSE_RETURN_IF_ERROR(nested.GetBool("headers_only", &headers_only));
    v1::RePublish* republish = config->mutable_republish();
    republish->set_src(src);
    republish->set_dest(dest);
    republish->set_headers_only(headers_only);
  }
  return absl::OkStatus();
}

void WriteTransforms(const google::protobuf::RepeatedPtrField<v1::SubjectTransform>& transforms,
                     common::GoJsonWriter* w) {
  if (transforms.empty()) return;
  w->Key("subject_transforms");
  w->BeginArray();
  for (const v1::SubjectTransform& t : transforms) {
    w->BeginObject();
    w->Key("src");
    w->String(t.src());
    w->Key("dest");
    w->String(t.dest());
    w->EndObject();
  }
  w->EndArray();
}

void WriteSource(const v1::StreamSource& source, common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("name");
  w->String(source.name());
  if (source.opt_start_seq() != 0) {
    w->Key("opt_start_seq");
    w->Uint(source.opt_start_seq());
  }
  if (source.opt_start_time_ns() != 0) {
    w->Key("opt_start_time");
    w->Time(source.opt_start_time_ns());
  }
  w->OptString("filter_subject", source.filter_subject());
  WriteTransforms(source.subject_transforms(), w);
  if (source.has_external()) {
    w->Key("external");
    w->BeginObject();
    w->Key("api");
    w->String(source.external().api());
    w->OptString("deliver", source.external().deliver());
    w->EndObject();
  }
  w->EndObject();
}

void WriteSourceInfo(const v1::StreamSourceInfo& info, common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("name");
  w->String(info.name());
  w->OptString("filter_subject", info.filter_subject());
  WriteTransforms(info.subject_transforms(), w);
  w->Key("lag");
  w->Uint(info.lag());
  w->Key("active");
  w->Int(info.active_ns());
  if (info.has_error()) {
    w->Key("error");
    w->BeginObject();
    w->Key("code");
    w->Int(info.error().code());
    w->Key("err_code");
    w->Int(info.error().err_code());
    w->Key("description");
    w->String(info.error().description());
    w->EndObject();
  }
  w->EndObject();
}

}  // namespace

absl::string_view RetentionName(v1::RetentionPolicy retention) {
  switch (retention) {
    case v1::RETENTION_INTEREST: return "interest";
    case v1::RETENTION_WORK_QUEUE: return "workqueue";
    default: return "limits";
  }
}

absl::string_view StorageName(v1::StorageType storage) {
  return storage == v1::STORAGE_MEMORY ? "memory" : "file";
}

absl::string_view DiscardName(v1::DiscardPolicy discard) {
  return discard == v1::DISCARD_NEW ? "new" : "old";
}

absl::StatusOr<v1::StreamConfig> StreamConfigFromJson(const common::GoJsonObject& json) {
  v1::StreamConfig config;
  std::string name, description, template_owner;
  std::vector<std::string> subjects;
  int64_t max_consumers = 0, max_msgs = 0, max_bytes = 0, max_age = 0, max_per_subject = 0;
  int64_t duplicates = 0;
  int32_t max_msg_size = 0, replicas = 0;
  bool no_ack = false, allow_direct = false, mirror_direct = false, discard_new_per = false;
  bool sealed = false, deny_delete = false, deny_purge = false, allow_rollup = false;
  std::map<std::string, std::string> metadata;
  uint64_t first_seq = 0;

  JSE_RETURN_IF_ERROR(json.GetString("name", &name));
  JSE_RETURN_IF_ERROR(json.GetString("description", &description));
  JSE_RETURN_IF_ERROR(json.GetStringList("subjects", &subjects));
  JSE_RETURN_IF_ERROR(ParseEnums(json, &config));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_consumers", &max_consumers));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_msgs", &max_msgs));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_bytes", &max_bytes));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_age", &max_age));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_msgs_per_subject", &max_per_subject));
  JSE_RETURN_IF_ERROR(json.GetInt32("max_msg_size", &max_msg_size));
  JSE_RETURN_IF_ERROR(json.GetInt32("num_replicas", &replicas));
  JSE_RETURN_IF_ERROR(json.GetBool("no_ack", &no_ack));
  JSE_RETURN_IF_ERROR(json.GetString("template_owner", &template_owner));
  JSE_RETURN_IF_ERROR(json.GetInt64("duplicate_window", &duplicates));
  JSE_RETURN_IF_ERROR(ParseNested(json, &config));
  JSE_RETURN_IF_ERROR(json.GetBool("allow_direct", &allow_direct));
  JSE_RETURN_IF_ERROR(json.GetBool("mirror_direct", &mirror_direct));
  JSE_RETURN_IF_ERROR(json.GetBool("discard_new_per_subject", &discard_new_per));
  JSE_RETURN_IF_ERROR(json.GetBool("sealed", &sealed));
  JSE_RETURN_IF_ERROR(json.GetBool("deny_delete", &deny_delete));
  JSE_RETURN_IF_ERROR(json.GetBool("deny_purge", &deny_purge));
  JSE_RETURN_IF_ERROR(json.GetBool("allow_rollup_hdrs", &allow_rollup));
  JSE_RETURN_IF_ERROR(json.GetStringMap("metadata", &metadata));
  JSE_RETURN_IF_ERROR(json.GetUint64("first_seq", &first_seq));
  JSE_RETURN_IF_ERROR(Parse210Objects(json, &config));

  config.set_name(name);
  config.set_description(description);
  for (std::string& subject : subjects) config.add_subjects(std::move(subject));
  config.set_max_consumers(max_consumers);
  config.set_max_msgs(max_msgs);
  config.set_max_bytes(max_bytes);
  config.set_max_age_ns(max_age);
  config.set_max_msgs_per_subject(max_per_subject);
  config.set_max_msg_size(max_msg_size);
  config.set_num_replicas(replicas);
  config.set_no_ack(no_ack);
  config.set_template_owner(template_owner);
  config.set_duplicate_window_ns(duplicates);
  config.set_allow_direct(allow_direct);
  config.set_mirror_direct(mirror_direct);
  config.set_discard_new_per_subject(discard_new_per);
  config.set_sealed(sealed);
  config.set_deny_delete(deny_delete);
  config.set_deny_purge(deny_purge);
  config.set_allow_rollup_hdrs(allow_rollup);
  config.mutable_metadata()->insert(metadata.begin(), metadata.end());
  config.set_first_seq(first_seq);
  return config;
}

absl::StatusOr<v1::StreamConfig> ParseStreamConfig(absl::string_view payload) {
  JSE_ASSIGN_OR_RETURN(common::GoJsonObject json, common::GoJsonObject::Parse(payload));
  return StreamConfigFromJson(json);
}

void WriteStreamConfig(const v1::StreamConfig& c, common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("name");
  w->String(c.name());
  w->OptString("description", c.description());
  if (c.subjects_size() > 0) {
    w->Key("subjects");
    w->BeginArray();
    for (const std::string& subject : c.subjects()) w->String(subject);
    w->EndArray();
  }
  w->Key("retention");
  w->String(RetentionName(c.retention()));
  w->Key("max_consumers");
  w->Int(c.max_consumers());
  w->Key("max_msgs");
  w->Int(c.max_msgs());
  w->Key("max_bytes");
  w->Int(c.max_bytes());
  w->Key("max_age");
  w->Int(c.max_age_ns());
  w->Key("max_msgs_per_subject");
  w->Int(c.max_msgs_per_subject());
  w->OptInt("max_msg_size", c.max_msg_size());
  w->Key("discard");
  w->String(DiscardName(c.discard()));
  w->Key("storage");
  w->String(StorageName(c.storage()));
  w->Key("num_replicas");
  w->Int(c.num_replicas());
  w->OptBool("no_ack", c.no_ack());
  w->OptString("template_owner", c.template_owner());
  w->OptInt("duplicate_window", c.duplicate_window_ns());
  if (c.has_placement()) {
    w->Key("placement");
    w->BeginObject();
    w->OptString("cluster", c.placement().cluster());
    if (c.placement().tags_size() > 0) {
      w->Key("tags");
      w->BeginArray();
      for (const std::string& tag : c.placement().tags()) w->String(tag);
      w->EndArray();
    }
    w->EndObject();
  }
  if (c.has_mirror()) {
    w->Key("mirror");
    WriteSource(c.mirror(), w);
  }
  if (c.sources_size() > 0) {
    w->Key("sources");
    w->BeginArray();
    for (const v1::StreamSource& source : c.sources()) WriteSource(source, w);
    w->EndArray();
  }
  w->Key("compression");
  w->String(c.compression() == v1::COMPRESSION_S2 ? "s2" : "none");
  if (c.first_seq() != 0) {
    w->Key("first_seq");
    w->Uint(c.first_seq());
  }
  if (c.has_subject_transform()) {
    w->Key("subject_transform");
    w->BeginObject();
    w->Key("src");
    w->String(c.subject_transform().src());
    w->Key("dest");
    w->String(c.subject_transform().dest());
    w->EndObject();
  }
  if (c.has_republish()) {
    w->Key("republish");
    w->BeginObject();
    w->OptString("src", c.republish().src());
    w->Key("dest");
    w->String(c.republish().dest());
    w->OptBool("headers_only", c.republish().headers_only());
    w->EndObject();
  }
  w->Key("allow_direct");
  w->Bool(c.allow_direct());
  w->Key("mirror_direct");
  w->Bool(c.mirror_direct());
  w->OptBool("discard_new_per_subject", c.discard_new_per_subject());
  w->Key("sealed");
  w->Bool(c.sealed());
  w->Key("deny_delete");
  w->Bool(c.deny_delete());
  w->Key("deny_purge");
  w->Bool(c.deny_purge());
  w->Key("allow_rollup_hdrs");
  w->Bool(c.allow_rollup_hdrs());
  w->Key("consumer_limits");
  w->BeginObject();
  w->OptInt("inactive_threshold", c.consumer_limits().inactive_threshold_ns());
  w->OptInt("max_ack_pending", c.consumer_limits().max_ack_pending());
  w->EndObject();
  w->OptStringMap("metadata", c.metadata());
  w->EndObject();
}

void WriteStreamState(const v1::StreamState& s, common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("messages");
  w->Uint(s.messages());
  w->Key("bytes");
  w->Uint(s.bytes());
  w->Key("first_seq");
  w->Uint(s.first_seq());
  w->Key("first_ts");
  w->Time(s.first_ts_ns());
  w->Key("last_seq");
  w->Uint(s.last_seq());
  w->Key("last_ts");
  w->Time(s.last_ts_ns());
  w->OptInt("num_subjects", s.num_subjects());
  if (!s.subjects().empty()) {
    w->Key("subjects");
    w->BeginObject();
    for (const auto* entry : common::SortedByKey(s.subjects())) {
      w->Key(entry->first);
      w->Uint(entry->second);
    }
    w->EndObject();
  }
  w->OptInt("num_deleted", s.num_deleted());
  if (s.deleted_size() > 0) {
    w->Key("deleted");
    w->BeginArray();
    for (uint64_t seq : s.deleted()) w->Uint(seq);
    w->EndArray();
  }
  if (s.has_lost()) {
    w->Key("lost");
    w->BeginObject();
    w->Key("msgs");
    w->BeginArray();
    for (uint64_t seq : s.lost().msgs()) w->Uint(seq);
    w->EndArray();
    w->Key("bytes");
    w->Uint(s.lost().bytes());
    w->EndObject();
  }
  w->Key("consumer_count");
  w->Int(s.consumer_count());
  w->EndObject();
}

void WriteStreamInfoFields(const v1::StreamInfo& info, common::GoJsonWriter* w) {
  w->Key("config");
  WriteStreamConfig(info.config(), w);
  w->Key("created");
  w->Time(info.created_ns());
  w->Key("state");
  WriteStreamState(info.state(), w);
  if (info.has_mirror()) {
    w->Key("mirror");
    WriteSourceInfo(info.mirror(), w);
  }
  if (info.sources_size() > 0) {
    w->Key("sources");
    w->BeginArray();
    for (const v1::StreamSourceInfo& source : info.sources()) WriteSourceInfo(source, w);
    w->EndArray();
  }
  if (info.ts_ns() != 0) {
    w->Key("ts");
    w->Time(info.ts_ns());
  }
}

void WriteStreamInfo(const v1::StreamInfo& info, common::GoJsonWriter* w) {
  w->BeginObject();
  WriteStreamInfoFields(info, w);
  w->EndObject();
}

void WriteStoredMessage(const v1::StoredMessage& m, common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("subject");
  w->String(m.subject());
  w->Key("seq");
  w->Uint(m.seq());
  if (!m.headers().empty()) {
    w->Key("hdrs");
    w->Bytes(m.headers());
  }
  if (!m.data().empty()) {
    w->Key("data");
    w->Bytes(m.data());
  }
  w->Key("time");
  w->Time(m.time_ns());
  w->EndObject();
}

}  // namespace jsengine::gateway::jetstream
