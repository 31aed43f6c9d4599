// Consumer configuration rules as nats-server applies them to a create
// request ($JS.API.CONSUMER.CREATE / DURABLE.CREATE): the defaults it fills
// in (setConsumerConfigDefaults), the checks on the configuration alone
// (checkConsumerCfg), on a new consumer among the stream's others
// (addConsumerWithAssignment), the 2.10 `action`, and which fields an update
// may change (checkNewConsumerConfig). Errors are the JetStream errors a
// client would get. A create request runs them in nats-server's order:
//
//   JSE_ASSIGN_OR_RETURN(v1::ConsumerConfig cfg,
//                        CheckConsumerConfig(request.config(), stream, limits));
//   const v1::ConsumerConfig* existing = Find(ConsumerNameOf(cfg));  // The caller's.
//   JSE_RETURN_IF_ERROR(CheckConsumerAction(request.action(), existing, cfg));
//   if (existing != nullptr) {
//     JSE_RETURN_IF_ERROR(CheckWorkQueuePartition(cfg, stream, others));
//     JSE_ASSIGN_OR_RETURN(cfg, CheckConsumerUpdate(*existing, cfg, has_interest));
//   } else {
//     JSE_ASSIGN_OR_RETURN(cfg, CheckNewConsumer(cfg, stream, limits, others));
//   }
//
// Where 2.9 and 2.10 differ, the 2.10 rule wins (backoff may go with an
// unlimited max_deliver, start times compare by value on update, filters may
// not collide), except that filters must stay within the stream's subjects
// (2.9's 10093; 2.10 dropped the check) unless the stream has a subject
// transform.
//
// Not checked here: what the request subject says (names in it, 10127, the
// durable and filter matching it), and num_replicas > 1 on a single server
// (10074): nats-server checks those in its API handler, before these.
//
// Thread-safe: pure functions.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_CONFIG_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"

namespace jsengine::consumersvc {

inline constexpr int64_t kDefaultAckWaitNs = 30'000'000'000;           // JsAckWaitDefault.
inline constexpr int64_t kDefaultMaxWaiting = 512;                     // JSWaitQueueDefaultMax.
inline constexpr int64_t kDefaultMaxAckPending = 1000;                 // JsDefaultMaxAckPending.
inline constexpr int64_t kDefaultInactiveThresholdNs = 5'000'000'000;  // JsDeleteWaitTimeDefault.
inline constexpr int64_t kMinHeartbeatNs = 100'000'000;
inline constexpr int64_t kMinMaxExpiresNs = 1'000'000;
inline constexpr size_t kMaxDescriptionLen = 4 * 1024;  // JSMaxDescriptionLen.
inline constexpr size_t kMaxMetadataLen = 128 * 1024;   // JSMaxMetadataLen (2.10).

// Limits set outside the consumer's configuration; 0 means none. nats-server
// takes the first two from its `jetstream { limits {} }` block and the others
// from the account's JetStream limits.
struct ConsumerLimits {
  int64_t max_ack_pending = 0;
  int64_t max_request_batch = 0;
  int64_t account_max_ack_pending = 0;
  int64_t account_max_consumers = 0;
};

// `in` with nats-server's defaults filled in, if it passes the checks that
// need only it and its stream's configuration.
absl::StatusOr<v1::ConsumerConfig> CheckConsumerConfig(const v1::ConsumerConfig& in,
                                                       const v1::StreamConfig& stream,
                                                       const ConsumerLimits& limits);

// The name a consumer with `config` goes by: its durable name, else its
// name; empty for an ephemeral whose name the service picks.
const std::string& ConsumerNameOf(const v1::ConsumerConfig& config);

// The CreateConsumerRequest's `action` ("", "create" or "update"), given the
// consumer of that name (`existing`, nullptr when there is none) and the
// checked configuration: "create" may not change an existing consumer
// (10148), "update" needs one (10149).
absl::Status CheckConsumerAction(absl::string_view action, const v1::ConsumerConfig* existing,
                                 const v1::ConsumerConfig& checked);

// On a work-queue stream, `checked`'s filters may not collide with those of
// the stream's `others` (every consumer but the one checked), nor may any of
// those be unfiltered: 10100. OK on other streams.
absl::Status CheckWorkQueuePartition(const v1::ConsumerConfig& checked,
                                     const v1::StreamConfig& stream,
                                     absl::Span<const v1::ConsumerConfig* const> others);

// The configuration a consumer running with `old` gets when a create request
// brings `in` (as CheckConsumerConfig returned it), or why it may not.
// `deliver_subject_has_interest`: whether anybody subscribes to `old`'s
// deliver subject, which a push consumer may then not move away from.
absl::StatusOr<v1::ConsumerConfig> CheckConsumerUpdate(const v1::ConsumerConfig& old,
                                                       const v1::ConsumerConfig& in,
                                                       bool deliver_subject_has_interest);

// The configuration to create a new consumer with, given `checked` (as
// CheckConsumerConfig returned it) and the stream's `others`: the consumer
// limit, the work-queue rules and the name's, and an ephemeral's inactive
// threshold. An ephemeral without a name passes; the service names it.
absl::StatusOr<v1::ConsumerConfig> CheckNewConsumer(
    const v1::ConsumerConfig& checked, const v1::StreamConfig& stream, const ConsumerLimits& limits,
    absl::Span<const v1::ConsumerConfig* const> others);

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_CONFIG_H_
