#include "consumersvc/consumer_config.h"

#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/go_text.h"
#include "common/names.h"
#include "common/status.h"
#include "common/subject.h"
#include "google/protobuf/util/message_differencer.h"

namespace jsengine::consumersvc {
namespace {

using common::JsError;
using common::JsErrorF;
using common::JsErrorId;

bool IsPush(const v1::ConsumerConfig& cfg) { return !cfg.deliver_subject().empty(); }

bool Acks(const v1::ConsumerConfig& cfg) {
  return cfg.ack_policy() == v1::ACK_EXPLICIT || cfg.ack_policy() == v1::ACK_ALL;
}

// A `*` or `>` standing as a whole token (nats-server's subjectHasWildcard,
// which also looks at subjects that are not valid).
bool HasWildcardToken(std::string_view subject) {
  for (size_t i = 0; i < subject.size(); ++i) {
    if (subject[i] != '*' && subject[i] != '>') continue;
    if ((i == 0 || subject[i - 1] == '.') && (i + 1 == subject.size() || subject[i + 1] == '.')) {
      return true;
    }
  }
  return false;
}

// filter_subjects, then filter_subject (nats-server's gatherSubjectFilters).
std::vector<std::string_view> Filters(const v1::ConsumerConfig& cfg) {
  std::vector<std::string_view> filters;
  for (const std::string& f : cfg.filter_subjects()) filters.push_back(f);
  if (!cfg.filter_subject().empty()) filters.push_back(cfg.filter_subject());
  return filters;
}

// Go's strconv.Quote for the ASCII range; other bytes pass through.
std::string GoQuote(absl::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", c);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

// Go's strconv.Atoi (64-bit int): the error text it gives for `s`, or
// nothing and the value in `*out`.
std::optional<std::string> GoAtoi(absl::string_view s, int64_t* out) {
  const auto error = [s](absl::string_view why) {
    return absl::StrCat("strconv.Atoi: parsing ", GoQuote(s), ": ", why);
  };
  absl::string_view digits = s;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  if (digits.empty()) return error("invalid syntax");
  constexpr uint64_t kMaxUint = std::numeric_limits<uint64_t>::max();
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return error("invalid syntax");
    if (n > kMaxUint / 10) return error("value out of range");
    uint64_t next = n * 10 + static_cast<uint64_t>(c - '0');
    if (next < n) return error("value out of range");
    n = next;
  }
  constexpr uint64_t kCutoff = uint64_t{1} << 63;
  if ((!negative && n >= kCutoff) || (negative && n > kCutoff)) {
    return error("value out of range");
  }
  *out = negative ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
  return std::nullopt;
}

absl::Status InvalidPolicy(absl::string_view why) {
  return JsErrorF(JsErrorId::kConsumerInvalidPolicy, {{"err", why}});
}

absl::Status StartAlsoSet(absl::string_view policy, absl::string_view start) {
  return InvalidPolicy(absl::StrCat("consumer delivery policy is deliver ", policy,
                                    ", but optional start ", start, " is also set"));
}

absl::Status NotSet(absl::string_view policy, absl::string_view what) {
  return InvalidPolicy(absl::StrCat("consumer delivery policy is deliver ", policy,
                                    ", but optional ", what, " is not set"));
}

// An update nats-server refuses with a plain error, which its API reports
// as 10012.
absl::Status UpdateRefused(absl::string_view why) {
  return JsErrorF(JsErrorId::kConsumerCreate, {{"err", why}});
}

void SetDefaults(const v1::StreamConfig& stream, const ConsumerLimits& limits,
                 v1::ConsumerConfig* cfg) {
  if (!IsPush(*cfg) && cfg->max_waiting() == 0) cfg->set_max_waiting(kDefaultMaxWaiting);
  if (Acks(*cfg) && cfg->ack_wait_ns() == 0) cfg->set_ack_wait_ns(kDefaultAckWaitNs);
  if (cfg->max_deliver() == 0) cfg->set_max_deliver(-1);
  if (cfg->backoff_ns_size() > 0) cfg->set_ack_wait_ns(cfg->backoff_ns(0));
  if (cfg->max_ack_pending() == 0) {
    cfg->set_max_ack_pending(stream.consumer_limits().max_ack_pending());
  }
  if (cfg->inactive_threshold_ns() == 0) {
    cfg->set_inactive_threshold_ns(stream.consumer_limits().inactive_threshold_ns());
  }
  if (Acks(*cfg) && cfg->max_ack_pending() == 0) {
    int64_t pending = kDefaultMaxAckPending;
    for (int64_t limit : {limits.max_ack_pending, limits.account_max_ack_pending}) {
      if (limit > 0 && limit < pending) pending = limit;
    }
    cfg->set_max_ack_pending(pending);
  }
  if (!IsPush(*cfg) && cfg->max_batch() == 0 && limits.max_request_batch > 0) {
    cfg->set_max_batch(limits.max_request_batch);
  }
}

absl::Status CheckEnums(const v1::ConsumerConfig& cfg) {
  if (!v1::DeliverPolicy_IsValid(cfg.deliver_policy()) ||
      !v1::AckPolicy_IsValid(cfg.ack_policy()) || !v1::ReplayPolicy_IsValid(cfg.replay_policy())) {
    return JsError(JsErrorId::kBadRequest);
  }
  return absl::OkStatus();
}

absl::Status CheckReplicas(const v1::ConsumerConfig& cfg, const v1::StreamConfig& stream) {
  if (cfg.num_replicas() > 0 && cfg.num_replicas() > stream.num_replicas()) {
    return JsError(JsErrorId::kConsumerReplicasExceedsStream);
  }
  if (cfg.num_replicas() < 0) return JsError(JsErrorId::kReplicasCountCannotBeNegative);
  if (stream.retention() != v1::RETENTION_LIMITS && cfg.num_replicas() != 0 &&
      cfg.num_replicas() != stream.num_replicas()) {
    return JsError(JsErrorId::kConsumerReplicasShouldMatchStream);
  }
  return absl::OkStatus();
}

absl::Status CheckBackoff(const v1::ConsumerConfig& cfg) {
  const int64_t backoffs = cfg.backoff_ns_size();
  if (backoffs > 0 && cfg.max_deliver() != -1 && backoffs > cfg.max_deliver()) {
    return JsError(JsErrorId::kConsumerMaxDeliverBackoff);
  }
  return absl::OkStatus();
}

absl::Status CheckPush(const v1::ConsumerConfig& cfg, const v1::StreamConfig& stream) {
  std::string_view subject = cfg.deliver_subject();
  if (HasWildcardToken(subject)) return JsError(JsErrorId::kConsumerDeliverToWildcards);
  if (!common::IsValidSubject(subject)) return JsError(JsErrorId::kConsumerInvalidDeliverSubject);
  for (const std::string& stream_subject : stream.subjects()) {
    if (common::SubjectIsSubsetOf(subject, stream_subject)) {
      return JsError(JsErrorId::kConsumerDeliverCycle);
    }
  }
  if (cfg.max_waiting() != 0) return JsError(JsErrorId::kConsumerPushMaxWaiting);
  if (cfg.max_ack_pending() > 0 && cfg.ack_policy() == v1::ACK_NONE) {
    return JsError(JsErrorId::kConsumerMaxPendingAckPolicyRequired);
  }
  if (cfg.idle_heartbeat_ns() > 0 && cfg.idle_heartbeat_ns() < kMinHeartbeatNs) {
    return JsError(JsErrorId::kConsumerSmallHeartbeat);
  }
  return absl::OkStatus();
}

absl::Status CheckPull(const v1::ConsumerConfig& cfg, const v1::StreamConfig& stream,
                       const ConsumerLimits& limits) {
  if (cfg.ack_policy() == v1::ACK_NONE && stream.retention() == v1::RETENTION_WORK_QUEUE) {
    return JsError(JsErrorId::kConsumerPullRequiresAck);
  }
  if (cfg.rate_limit_bps() > 0) return JsError(JsErrorId::kConsumerPullWithRateLimit);
  if (cfg.max_waiting() < 0) return JsError(JsErrorId::kConsumerMaxWaitingNegative);
  if (cfg.idle_heartbeat_ns() > 0) return JsError(JsErrorId::kConsumerHBRequiresPush);
  if (cfg.flow_control()) return JsError(JsErrorId::kConsumerFCRequiresPush);
  if (cfg.max_batch() < 0) return JsError(JsErrorId::kConsumerMaxRequestBatchNegative);
  if (cfg.max_expires_ns() != 0 && cfg.max_expires_ns() < kMinMaxExpiresNs) {
    return JsError(JsErrorId::kConsumerMaxRequestExpiresToSmall);
  }
  if (limits.max_request_batch > 0 && cfg.max_batch() > limits.max_request_batch) {
    return JsErrorF(JsErrorId::kConsumerMaxRequestBatchExceeded,
                    {{"limit", absl::StrCat(limits.max_request_batch)}});
  }
  return absl::OkStatus();
}

absl::Status CheckAckPendingLimits(const v1::ConsumerConfig& cfg, const v1::StreamConfig& stream,
                                   const ConsumerLimits& limits) {
  for (int64_t limit : {limits.max_ack_pending, limits.account_max_ack_pending,
                        stream.consumer_limits().max_ack_pending()}) {
    if (limit > 0 && cfg.max_ack_pending() > limit) {
      return JsErrorF(JsErrorId::kConsumerMaxPendingAckExcess, {{"limit", absl::StrCat(limit)}});
    }
  }
  const int64_t inactive_limit = stream.consumer_limits().inactive_threshold_ns();
  if (inactive_limit > 0 && cfg.inactive_threshold_ns() > inactive_limit) {
    return JsErrorF(JsErrorId::kConsumerInactiveThresholdExcess,
                    {{"limit", common::FormatGoDuration(inactive_limit)}});
  }
  return absl::OkStatus();
}

absl::Status CheckDirect(const v1::ConsumerConfig& cfg) {
  if (!cfg.direct()) return absl::OkStatus();
  if (!IsPush(cfg)) return JsError(JsErrorId::kConsumerDirectRequiresPush);
  if (!cfg.durable_name().empty()) return JsError(JsErrorId::kConsumerDirectRequiresEphemeral);
  return absl::OkStatus();
}

absl::Status InvalidSubject() {
  return JsErrorF(JsErrorId::kStreamInvalidConfig, {{"err", "invalid subject"}});
}

absl::Status CheckFilters(const v1::ConsumerConfig& cfg, const v1::StreamConfig& stream) {
  if (!cfg.filter_subject().empty() && cfg.filter_subjects_size() > 0) {
    return JsError(JsErrorId::kConsumerDuplicateFilterSubjects);
  }
  if (!cfg.filter_subject().empty() && !common::IsValidSubject(cfg.filter_subject())) {
    return InvalidSubject();
  }
  for (const std::string& filter : cfg.filter_subjects()) {
    if (filter.empty()) return JsError(JsErrorId::kConsumerEmptyFilter);
  }
  const std::vector<std::string_view> filters = Filters(cfg);
  for (size_t i = 0; i < filters.size(); ++i) {
    if (!common::IsValidSubject(filters[i])) return InvalidSubject();
    for (size_t j = 0; j < filters.size(); ++j) {
      if (i != j && common::SubjectsCollide(filters[i], filters[j])) {
        return JsError(JsErrorId::kConsumerOverlappingSubjectFilters);
      }
    }
  }
  // nats-server 2.10 accepts filters outside the stream's subjects (2.9
  // refused them with 10093): they match nothing until the stream's
  // subjects change.
  return absl::OkStatus();
}

absl::Status CheckStartPosition(const v1::ConsumerConfig& cfg) {
  const bool seq = cfg.opt_start_seq() > 0;
  const bool time = cfg.has_opt_start_time_ns();
  const auto no_start = [&](absl::string_view policy) {
    if (seq) return StartAlsoSet(policy, "sequence");
    if (time) return StartAlsoSet(policy, "time");
    return absl::OkStatus();
  };
  switch (cfg.deliver_policy()) {
    case v1::DELIVER_ALL:
      return no_start("all");
    case v1::DELIVER_LAST:
      return no_start("last");
    case v1::DELIVER_NEW:
      return no_start("new");
    case v1::DELIVER_LAST_PER_SUBJECT:
      JSE_RETURN_IF_ERROR(no_start("last per subject"));
      if (Filters(cfg).empty()) return NotSet("last per subject", "filter subject");
      return absl::OkStatus();
    case v1::DELIVER_BY_START_SEQUENCE:
      if (!seq) return NotSet("by start sequence", "start sequence");
      if (time) return StartAlsoSet("by start sequence", "time");
      return absl::OkStatus();
    case v1::DELIVER_BY_START_TIME:
      if (!time) return NotSet("by start time", "start time");
      if (seq) return StartAlsoSet("by start time", "start sequence");
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckSampling(const v1::ConsumerConfig& cfg) {
  if (cfg.sample_freq().empty()) return absl::OkStatus();
  absl::string_view freq = cfg.sample_freq();
  if (!freq.empty() && freq.back() == '%') freq.remove_suffix(1);
  int64_t percent = 0;
  if (std::optional<std::string> error = GoAtoi(freq, &percent)) {
    return JsErrorF(JsErrorId::kConsumerInvalidSampling, {{"err", *error}});
  }
  if (percent < 0) return JsErrorF(JsErrorId::kConsumerInvalidSampling, {{"err", "<nil>"}});
  return absl::OkStatus();
}

absl::Status CheckMetadata(const v1::ConsumerConfig& cfg) {
  size_t size = 0;
  for (const auto& [key, value] : cfg.metadata()) size += key.size() + value.size();
  if (size > kMaxMetadataLen) {
    return JsErrorF(JsErrorId::kConsumerMetadataLength,
                    {{"limit", absl::StrCat(kMaxMetadataLen / 1024, "KB")}});
  }
  return absl::OkStatus();
}

bool SameConfig(const v1::ConsumerConfig& a, const v1::ConsumerConfig& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// The inactive threshold nats-server stamps on an ephemeral that has none.
void StampInactiveThreshold(bool ephemeral, v1::ConsumerConfig* cfg) {
  if (ephemeral && cfg->inactive_threshold_ns() <= 0) {
    cfg->set_inactive_threshold_ns(kDefaultInactiveThresholdNs);
  }
}

}  // namespace

absl::StatusOr<v1::ConsumerConfig> CheckConsumerConfig(const v1::ConsumerConfig& in,
                                                       const v1::StreamConfig& stream,
                                                       const ConsumerLimits& limits) {
  JSE_RETURN_IF_ERROR(CheckEnums(in));
  v1::ConsumerConfig cfg = in;
  SetDefaults(stream, limits, &cfg);
  JSE_RETURN_IF_ERROR(CheckReplicas(cfg, stream));
  JSE_RETURN_IF_ERROR(CheckBackoff(cfg));
  if (cfg.description().size() > kMaxDescriptionLen) {
    return JsErrorF(JsErrorId::kConsumerDescriptionTooLong,
                    {{"max", absl::StrCat(kMaxDescriptionLen)}});
  }
  JSE_RETURN_IF_ERROR(IsPush(cfg) ? CheckPush(cfg, stream) : CheckPull(cfg, stream, limits));
  JSE_RETURN_IF_ERROR(CheckAckPendingLimits(cfg, stream, limits));
  JSE_RETURN_IF_ERROR(CheckDirect(cfg));
  JSE_RETURN_IF_ERROR(CheckFilters(cfg, stream));
  JSE_RETURN_IF_ERROR(CheckStartPosition(cfg));
  JSE_RETURN_IF_ERROR(CheckSampling(cfg));
  if (cfg.flow_control() && cfg.idle_heartbeat_ns() == 0) {
    return JsError(JsErrorId::kConsumerWithFlowControlNeedsHeartbeats);
  }
  if (!cfg.durable_name().empty() && !cfg.name().empty() && cfg.name() != cfg.durable_name()) {
    return JsError(JsErrorId::kConsumerCreateDurableAndNameMismatch);
  }
  JSE_RETURN_IF_ERROR(CheckMetadata(cfg));
  return cfg;
}

const std::string& ConsumerNameOf(const v1::ConsumerConfig& config) {
  return config.durable_name().empty() ? config.name() : config.durable_name();
}

absl::Status CheckConsumerAction(absl::string_view action, const v1::ConsumerConfig* existing,
                                 const v1::ConsumerConfig& checked) {
  if (action.empty()) return absl::OkStatus();
  if (action == "create") {
    if (existing != nullptr && !SameConfig(*existing, checked)) {
      return JsError(JsErrorId::kConsumerAlreadyExists);
    }
    return absl::OkStatus();
  }
  if (action == "update") {
    if (existing == nullptr) return JsError(JsErrorId::kConsumerDoesNotExist);
    return absl::OkStatus();
  }
  return JsError(JsErrorId::kBadRequest);
}

absl::Status CheckWorkQueuePartition(const v1::ConsumerConfig& checked,
                                     const v1::StreamConfig& stream,
                                     absl::Span<const v1::ConsumerConfig* const> others) {
  if (stream.retention() != v1::RETENTION_WORK_QUEUE) return absl::OkStatus();
  for (std::string_view partition : Filters(checked)) {
    for (const v1::ConsumerConfig* other : others) {
      const std::vector<std::string_view> filters = Filters(*other);
      if (filters.empty()) return JsError(JsErrorId::kConsumerWQConsumerNotUnique);
      for (std::string_view filter : filters) {
        if (common::SubjectsCollide(partition, filter)) {
          return JsError(JsErrorId::kConsumerWQConsumerNotUnique);
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ConsumerConfig> CheckConsumerUpdate(const v1::ConsumerConfig& old,
                                                       const v1::ConsumerConfig& in,
                                                       bool deliver_subject_has_interest) {
  if (SameConfig(old, in)) return in;
  if (in.deliver_policy() != old.deliver_policy()) {
    return UpdateRefused("deliver policy can not be updated");
  }
  if (in.opt_start_seq() != old.opt_start_seq()) {
    return UpdateRefused("start sequence can not be updated");
  }
  if (in.has_opt_start_time_ns() != old.has_opt_start_time_ns() ||
      in.opt_start_time_ns() != old.opt_start_time_ns()) {
    return UpdateRefused("start time can not be updated");
  }
  if (in.ack_policy() != old.ack_policy()) return UpdateRefused("ack policy can not be updated");
  if (in.replay_policy() != old.replay_policy()) {
    return UpdateRefused("replay policy can not be updated");
  }
  if (in.idle_heartbeat_ns() != old.idle_heartbeat_ns()) {
    return UpdateRefused("heart beats can not be updated");
  }
  if (in.flow_control() != old.flow_control()) {
    return UpdateRefused("flow control can not be updated");
  }
  if (in.deliver_subject() != old.deliver_subject()) {
    if (old.deliver_subject().empty()) {
      return UpdateRefused("can not update pull consumer to push based");
    }
    if (in.deliver_subject().empty()) {
      return UpdateRefused("can not update push consumer to pull based");
    }
    if (deliver_subject_has_interest) return JsError(JsErrorId::kConsumerNameExist);
  }
  if (in.max_waiting() != old.max_waiting()) {
    return UpdateRefused("max waiting can not be updated");
  }
  JSE_RETURN_IF_ERROR(CheckBackoff(in));
  v1::ConsumerConfig cfg = in;
  if (cfg.inactive_threshold_ns() != old.inactive_threshold_ns()) {
    StampInactiveThreshold(old.durable_name().empty(), &cfg);
  }
  return cfg;
}

absl::StatusOr<v1::ConsumerConfig> CheckNewConsumer(
    const v1::ConsumerConfig& checked, const v1::StreamConfig& stream, const ConsumerLimits& limits,
    absl::Span<const v1::ConsumerConfig* const> others) {
  int64_t max_consumers = stream.max_consumers();
  if (max_consumers <= 0 ||
      (limits.account_max_consumers > 0 && limits.account_max_consumers < max_consumers)) {
    max_consumers = limits.account_max_consumers;
  }
  if (max_consumers > 0) {
    int64_t public_consumers = 0;
    for (const v1::ConsumerConfig* other : others) public_consumers += other->direct() ? 0 : 1;
    if (public_consumers >= max_consumers) return JsError(JsErrorId::kMaximumConsumersLimit);
  }
  if (stream.retention() == v1::RETENTION_WORK_QUEUE && !checked.direct()) {
    if (checked.ack_policy() != v1::ACK_EXPLICIT) {
      return JsError(JsErrorId::kConsumerWQRequiresExplicitAck);
    }
    if (!others.empty()) {
      if (Filters(checked).empty()) return JsError(JsErrorId::kConsumerWQMultipleUnfiltered);
      JSE_RETURN_IF_ERROR(CheckWorkQueuePartition(checked, stream, others));
    }
    if (checked.deliver_policy() != v1::DELIVER_ALL) {
      return JsError(JsErrorId::kConsumerWQConsumerNotDeliverAll);
    }
  }
  const bool durable = !checked.durable_name().empty();
  const std::string& name = ConsumerNameOf(checked);
  if (!name.empty()) JSE_RETURN_IF_ERROR(common::CheckConsumerName(name, durable));
  v1::ConsumerConfig cfg = checked;
  StampInactiveThreshold(!durable, &cfg);
  return cfg;
}

}  // namespace jsengine::consumersvc
