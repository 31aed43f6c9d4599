#include "storesvc/stream_config.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/names.h"
#include "common/status.h"
#include "common/subject.h"
#include "common/subject_transform.h"

namespace jsengine::storesvc {
namespace {

absl::Status Invalid(absl::string_view why) {
  return common::JsErrorF(common::JsErrorId::kStreamInvalidConfig, {{"err", why}});
}

// nats-server builds the stream's input transform after its config checks
// (newStream on create, stream.update on update) and reports a bad one as a
// plain error: 10049 on create, 10069 on update.
absl::Status CheckSubjectTransform(const v1::StreamConfig& cfg, common::JsErrorId id,
                                   absl::string_view prefix) {
  if (!cfg.has_subject_transform()) return absl::OkStatus();
  const v1::SubjectTransform& t = cfg.subject_transform();
  absl::StatusOr<common::SubjectTransform> parsed =
      common::SubjectTransform::Create(t.src(), t.dest());
  if (parsed.ok()) return absl::OkStatus();
  return common::JsErrorF(id, {{"err", absl::StrCat(prefix, " from '", t.src(), "' to '", t.dest(),
                                                    "': ", parsed.status().message())}});
}

absl::StatusOr<v1::StreamConfig> CheckConfig(const v1::StreamConfig& in) {
  if (common::HasPathSeparator(in.name())) {
    return common::JsError(common::JsErrorId::kStreamNameContainsPathSeparators);
  }
  JSE_RETURN_IF_ERROR(common::CheckStreamName(in.name()));
  if (in.description().size() > kMaxDescriptionLen) {
    return Invalid(
        absl::StrCat("stream description is too long, maximum allowed is ", kMaxDescriptionLen));
  }
  size_t metadata_len = 0;
  for (const auto& [key, value] : in.metadata()) metadata_len += key.size() + value.size();
  if (metadata_len > kMaxMetadataLen) {
    return Invalid(
        absl::StrCat("stream metadata exceeds maximum size of ", kMaxMetadataLen, " bytes"));
  }
  if (!v1::StoreCompression_IsValid(in.compression()))
    return common::JsError(common::JsErrorId::kInvalidJSON);
  v1::StreamConfig cfg = in;
  if (cfg.num_replicas() == 0) cfg.set_num_replicas(1);
  if (cfg.num_replicas() > kMaxReplicas) {
    return Invalid(absl::StrCat("maximum replicas is ", kMaxReplicas));
  }
  if (cfg.num_replicas() < 0)
    return common::JsError(common::JsErrorId::kReplicasCountCannotBeNegative);
  if (cfg.max_msgs() == 0) cfg.set_max_msgs(-1);
  if (cfg.max_msgs_per_subject() == 0) cfg.set_max_msgs_per_subject(-1);
  if (cfg.max_bytes() == 0) cfg.set_max_bytes(-1);
  if (cfg.max_msg_size() == 0) cfg.set_max_msg_size(-1);
  if (cfg.max_consumers() == 0) cfg.set_max_consumers(-1);
  if (cfg.duplicate_window_ns() == 0 && !cfg.has_mirror()) {
    if (cfg.max_age_ns() != 0 && cfg.max_age_ns() < kDefaultDuplicateWindowNs) {
      cfg.set_duplicate_window_ns(cfg.max_age_ns());
    } else {
      cfg.set_duplicate_window_ns(kDefaultDuplicateWindowNs);
    }
  }
  if (cfg.max_age_ns() > 0 && cfg.max_age_ns() < kMinWindowNs) {
    return Invalid("max age needs to be >= 100ms");
  }
  if (cfg.duplicate_window_ns() < 0) return Invalid("duplicates window can not be negative");
  if (cfg.max_age_ns() != 0 && cfg.duplicate_window_ns() > cfg.max_age_ns()) {
    return Invalid("duplicates window can not be larger then max age");
  }
  if (cfg.duplicate_window_ns() > 0 && cfg.duplicate_window_ns() < kMinWindowNs) {
    return Invalid("duplicates window needs to be >= 100ms");
  }
  if (cfg.deny_purge() && cfg.allow_rollup_hdrs()) {
    return Invalid("roll-ups require the purge permission");
  }
  if (cfg.discard_new_per_subject()) {
    if (cfg.discard() != v1::DISCARD_NEW) {
      return Invalid("discard new per subject requires discard new policy to be set");
    }
    if (cfg.max_msgs_per_subject() <= 0) {
      return Invalid("discard new per subject requires max msgs per subject > 0");
    }
  }
  if (cfg.has_mirror() || cfg.sources_size() > 0) {
    return Invalid("stream mirrors and sources are not supported by this server");
  }
  if (cfg.subjects_size() == 0) {
    cfg.add_subjects(cfg.name());
  } else {
    std::set<std::string> seen;
    for (const std::string& subj : cfg.subjects()) {
      if (!seen.insert(subj).second) return Invalid("duplicate subjects detected");
      if (absl::StartsWith(subj, "$JS.API.") || subj == "$JS.API") {
        return Invalid("subjects overlap with jetstream api");
      }
      if (!common::IsValidSubject(subj)) return Invalid("invalid subject");
    }
  }
  for (const std::string& a : cfg.subjects()) {
    for (const std::string& b : cfg.subjects()) {
      if (a != b && common::SubjectsCollide(a, b)) {
        return Invalid(absl::StrCat("subject \"", a, "\" overlaps with \"", b, "\""));
      }
    }
  }
  if (cfg.has_republish()) {
    return Invalid("stream republish is not supported by this server");
  }
  if (cfg.num_replicas() > 1)
    return common::JsError(common::JsErrorId::kStreamReplicasNotSupported);
  return cfg;
}

}  // namespace

absl::StatusOr<v1::StreamConfig> CheckStreamConfig(const v1::StreamConfig& in) {
  JSE_ASSIGN_OR_RETURN(v1::StreamConfig cfg, CheckConfig(in));
  JSE_RETURN_IF_ERROR(
      CheckSubjectTransform(cfg, common::JsErrorId::kStreamCreate, "stream subject transform"));
  return cfg;
}

absl::StatusOr<v1::StreamConfig> CheckStreamUpdate(const v1::StreamConfig& old,
                                                   const v1::StreamConfig& in) {
  JSE_ASSIGN_OR_RETURN(v1::StreamConfig cfg, CheckConfig(in));
  if (cfg.name() != old.name()) return Invalid("stream configuration name must match original");
  if (cfg.max_consumers() != old.max_consumers()) {
    return Invalid("stream configuration update can not change MaxConsumers");
  }
  if (cfg.storage() != old.storage()) {
    return Invalid("stream configuration update can not change storage type");
  }
  if (cfg.retention() != old.retention()) {
    return Invalid("stream configuration update can not change retention policy");
  }
  if (!old.template_owner().empty()) {
    return Invalid("stream configuration update not allowed on template owned stream");
  }
  if (!cfg.template_owner().empty()) {
    return Invalid("stream configuration update can not be owned by a template");
  }
  if (!cfg.sealed() && old.sealed()) {
    return Invalid("stream configuration update can not unseal a sealed stream");
  }
  if (!cfg.deny_delete() && old.deny_delete()) {
    return Invalid("stream configuration update can not cancel deny message deletes");
  }
  if (!cfg.deny_purge() && old.deny_purge()) {
    return Invalid("stream configuration update can not cancel deny purge");
  }
  if (cfg.sealed()) {
    cfg.set_max_age_ns(0);
    cfg.set_discard(v1::DISCARD_NEW);
    cfg.set_deny_delete(true);
    cfg.set_deny_purge(true);
    cfg.set_allow_rollup_hdrs(false);
  }
  JSE_RETURN_IF_ERROR(CheckSubjectTransform(cfg, common::JsErrorId::kStreamUpdate,
                                            "stream configuration for subject transform"));
  return cfg;
}

}  // namespace jsengine::storesvc
