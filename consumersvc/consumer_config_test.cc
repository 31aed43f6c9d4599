#include "consumersvc/consumer_config.h"

#include <string>
#include <vector>

#include "common/status.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace jsengine::consumersvc {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;

v1::ConsumerConfig Config(const std::string& text) {
  v1::ConsumerConfig cfg;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &cfg)) << text;
  return cfg;
}

// ORDERS as the store keeps it (defaults filled in), with `overrides`.
v1::StreamConfig Stream(const std::string& overrides = "") {
  v1::StreamConfig stream;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "name: 'ORDERS' subjects: 'orders.*' subjects: 'ship.>' max_consumers: -1 max_msgs: -1 "
      "max_bytes: -1 max_msgs_per_subject: -1 max_msg_size: -1 num_replicas: 1",
      &stream));
  EXPECT_TRUE(google::protobuf::TextFormat::MergeFromString(overrides, &stream)) << overrides;
  return stream;
}

struct ErrorCase {
  const char* config;
  int err_code;
  const char* description;
  const char* stream = "";
};

void ExpectError(const absl::Status& status, int err_code, const std::string& description,
                 const std::string& context) {
  ASSERT_FALSE(status.ok()) << context;
  v1::ErrorDetail detail = common::ToErrorDetail(status);
  EXPECT_EQ(detail.err_code(), err_code) << context << ": " << status;
  EXPECT_EQ(detail.description(), description) << context;
}

TEST(ConsumerConfigTest, EveryCheckOnTheConfigGivesNatsServersError) {
  const ErrorCase cases[] = {
      {"num_replicas: 2", 10126, "consumer config replica count exceeds parent stream"},
      {"num_replicas: -1", 10133, "replicas count cannot be negative"},
      {"num_replicas: 1", 10134,
       "consumer config replicas must match interest retention stream's replicas",
       "retention: RETENTION_INTEREST num_replicas: 3"},
      {"backoff_ns: [1, 2, 3] max_deliver: 2", 10116,
       "max deliver is required to be > length of backoff values"},
      // Push consumers.
      {"deliver_subject: 'out.*'", 10079, "consumer deliver subject has wildcards"},
      {"deliver_subject: '>'", 10079, "consumer deliver subject has wildcards"},
      {"deliver_subject: 'out..x'", 10112, "invalid push consumer deliver subject"},
      {"deliver_subject: 'out x'", 10112, "invalid push consumer deliver subject"},
      {"deliver_subject: 'orders.x'", 10081, "consumer deliver subject forms a cycle"},
      {"deliver_subject: 'ship.eu.x'", 10081, "consumer deliver subject forms a cycle"},
      {"deliver_subject: 'out' max_waiting: 1", 10080,
       "consumer in push mode can not set max waiting"},
      {"deliver_subject: 'out' max_ack_pending: 5", 10082,
       "consumer requires ack policy for max ack pending"},
      {"deliver_subject: 'out' idle_heartbeat_ns: 99999999", 10083,
       "consumer idle heartbeat needs to be >= 100ms"},
      // Pull consumers.
      {"ack_policy: ACK_NONE", 10084, "consumer in pull mode requires ack policy",
       "retention: RETENTION_WORK_QUEUE"},
      {"rate_limit_bps: 1", 10086, "consumer in pull mode can not have rate limit set"},
      {"max_waiting: -1", 10087, "consumer max waiting needs to be positive"},
      {"idle_heartbeat_ns: 1000000000", 10088,
       "consumer idle heartbeat requires a push based consumer"},
      {"flow_control: true", 10089, "consumer flow control requires a push based consumer"},
      {"max_batch: -1", 10114, "consumer max request batch needs to be > 0"},
      {"max_expires_ns: 999999", 10115, "consumer max request expires needs to be >= 1ms"},
      {"max_expires_ns: -1", 10115, "consumer max request expires needs to be >= 1ms"},
      // Direct consumers.
      {"direct: true", 10090, "consumer direct requires a push based consumer"},
      {"direct: true deliver_subject: 'out' durable_name: 'D'", 10091,
       "consumer direct requires an ephemeral consumer"},
      // Filters.
      {"filter_subject: 'orders.a' filter_subjects: 'ship.>'", 10136,
       "consumer cannot have both FilterSubject and FilterSubjects specified"},
      {"filter_subject: 'orders..a'", 10052, "invalid subject"},
      {"filter_subjects: 'orders.a' filter_subjects: ''", 10139,
       "consumer filter in FilterSubjects cannot be empty"},
      {"filter_subjects: 'orders.a' filter_subjects: 'ship.>.x'", 10052, "invalid subject"},
      {"filter_subjects: 'orders.a' filter_subjects: 'orders.*'", 10138,
       "consumer subject filters cannot overlap"},
      {"filter_subjects: 'orders.*' filter_subjects: '*.a'", 10138,
       "consumer subject filters cannot overlap"},
      {"filter_subjects: 'orders.a' filter_subjects: 'orders.a'", 10138,
       "consumer subject filters cannot overlap"},
      // Start position.
      {"opt_start_seq: 1", 10094,
       "consumer delivery policy is deliver all, but optional start sequence is also set"},
      {"opt_start_time_ns: 0", 10094,
       "consumer delivery policy is deliver all, but optional start time is also set"},
      {"deliver_policy: DELIVER_LAST opt_start_seq: 1", 10094,
       "consumer delivery policy is deliver last, but optional start sequence is also set"},
      {"deliver_policy: DELIVER_LAST opt_start_time_ns: 5", 10094,
       "consumer delivery policy is deliver last, but optional start time is also set"},
      {"deliver_policy: DELIVER_LAST_PER_SUBJECT filter_subject: 'orders.a' opt_start_seq: 2",
       10094,
       "consumer delivery policy is deliver last per subject, but optional start sequence is "
       "also set"},
      {"deliver_policy: DELIVER_LAST_PER_SUBJECT filter_subject: 'orders.a' opt_start_time_ns: 2",
       10094,
       "consumer delivery policy is deliver last per subject, but optional start time is also "
       "set"},
      {"deliver_policy: DELIVER_LAST_PER_SUBJECT", 10094,
       "consumer delivery policy is deliver last per subject, but optional filter subject is "
       "not set"},
      {"deliver_policy: DELIVER_NEW opt_start_seq: 1", 10094,
       "consumer delivery policy is deliver new, but optional start sequence is also set"},
      {"deliver_policy: DELIVER_NEW opt_start_time_ns: 1", 10094,
       "consumer delivery policy is deliver new, but optional start time is also set"},
      {"deliver_policy: DELIVER_BY_START_SEQUENCE", 10094,
       "consumer delivery policy is deliver by start sequence, but optional start sequence is "
       "not set"},
      {"deliver_policy: DELIVER_BY_START_SEQUENCE opt_start_seq: 1 opt_start_time_ns: 1", 10094,
       "consumer delivery policy is deliver by start sequence, but optional start time is also "
       "set"},
      {"deliver_policy: DELIVER_BY_START_TIME", 10094,
       "consumer delivery policy is deliver by start time, but optional start time is not set"},
      {"deliver_policy: DELIVER_BY_START_TIME opt_start_time_ns: 1 opt_start_seq: 3", 10094,
       "consumer delivery policy is deliver by start time, but optional start start sequence "
       "is also set"},
      // Sampling, as Go's strconv.Atoi reads it.
      {"sample_freq: 'abc'", 10095,
       "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"abc\": "
       "invalid syntax"},
      {"sample_freq: '%'", 10095,
       "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"\": invalid "
       "syntax"},
      {"sample_freq: '5%%'", 10095,
       "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"5%\": "
       "invalid syntax"},
      {"sample_freq: ' 5'", 10095,
       "failed to parse consumer sampling configuration: strconv.Atoi: parsing \" 5\": "
       "invalid syntax"},
      {"sample_freq: 'a\\tb\"'", 10095,
       "failed to parse consumer sampling configuration: strconv.Atoi: parsing "
       "\"a\\tb\\\"\": invalid syntax"},
      {"sample_freq: '9223372036854775808'", 10095,
       "failed to parse consumer sampling configuration: strconv.Atoi: parsing "
       "\"9223372036854775808\": value out of range"},
      {"sample_freq: '99999999999999999999x'", 10095,
       "failed to parse consumer sampling configuration: strconv.Atoi: parsing "
       "\"99999999999999999999x\": value out of range"},
      {"sample_freq: '-1%'", 10095, "failed to parse consumer sampling configuration: <nil>"},
      // Flow control, names.
      {"deliver_subject: 'out' flow_control: true", 10108,
       "consumer with flow control also needs heartbeats"},
      {"durable_name: 'A' name: 'B'", 10132,
       "Consumer Durable and Name have to be equal if both are provided"},
  };
  for (const ErrorCase& c : cases) {
    ExpectError(CheckConsumerConfig(Config(c.config), Stream(c.stream), {}).status(), c.err_code,
                c.description, c.config);
  }
}

TEST(ConsumerConfigTest, EnumValuesOnlyAGrpcCallerCanSendAreABadRequest) {
  v1::ConsumerConfig cfg;
  cfg.set_ack_policy(static_cast<v1::AckPolicy>(7));
  ExpectError(CheckConsumerConfig(cfg, Stream(), {}).status(), 10003, "bad request", "ack");
  cfg = v1::ConsumerConfig();
  cfg.set_deliver_policy(static_cast<v1::DeliverPolicy>(-1));
  ExpectError(CheckConsumerConfig(cfg, Stream(), {}).status(), 10003, "bad request", "deliver");
  cfg = v1::ConsumerConfig();
  cfg.set_replay_policy(static_cast<v1::ReplayPolicy>(2));
  ExpectError(CheckConsumerConfig(cfg, Stream(), {}).status(), 10003, "bad request", "replay");
}

TEST(ConsumerConfigTest, LimitsGiveTheirErrors) {
  ConsumerLimits server;
  server.max_ack_pending = 100;
  server.max_request_batch = 10;
  ExpectError(CheckConsumerConfig(Config("max_batch: 11"), Stream(), server).status(), 10125,
              "consumer max request batch exceeds server limit of 10", "server batch");
  ExpectError(CheckConsumerConfig(Config("max_ack_pending: 101"), Stream(), server).status(), 10121,
              "consumer max ack pending exceeds system limit of 100", "server pending");
  ConsumerLimits account;
  account.account_max_ack_pending = 50;
  ExpectError(CheckConsumerConfig(Config("max_ack_pending: 51"), Stream(), account).status(), 10121,
              "consumer max ack pending exceeds system limit of 50", "account pending");
  EXPECT_TRUE(CheckConsumerConfig(Config("max_ack_pending: 50"), Stream(), account).ok());
  EXPECT_TRUE(CheckConsumerConfig(Config("max_batch: 10"), Stream(), server).ok());
  EXPECT_TRUE(
      CheckConsumerConfig(Config("deliver_subject: 'out' max_batch: 11"), Stream(), server).ok());
}

TEST(ConsumerConfigTest, StreamConsumerLimitsAreDefaultsAndBounds) {
  const v1::StreamConfig stream =
      Stream("consumer_limits { inactive_threshold_ns: 30000000000 max_ack_pending: 10 }");
  absl::StatusOr<v1::ConsumerConfig> cfg =
      CheckConsumerConfig(Config("durable_name: 'D' ack_policy: ACK_EXPLICIT"), stream, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->max_ack_pending(), 10);
  EXPECT_EQ(cfg->inactive_threshold_ns(), 30 * kSec);
  ExpectError(
      CheckConsumerConfig(Config("ack_policy: ACK_EXPLICIT max_ack_pending: 11"), stream, {})
          .status(),
      10121, "consumer max ack pending exceeds system limit of 10", "stream pending");
  ExpectError(
      CheckConsumerConfig(Config("inactive_threshold_ns: 31000000000"), stream, {}).status(), 10153,
      "consumer inactive threshold exceeds system limit of 30s", "stream inactive");
  EXPECT_TRUE(CheckConsumerConfig(Config("filter_subject: 'elsewhere.>'"),
                                  Stream("subject_transform { dest: 'elsewhere.>' }"), {})
                  .ok());
  // As nats-server 2.10: the stream's max_ack_pending is the default even
  // for a push consumer without acks, which then needs an ack policy.
  ExpectError(CheckConsumerConfig(Config("deliver_subject: 'out' ack_policy: ACK_NONE"), stream, {})
                  .status(),
              10082, "consumer requires ack policy for max ack pending", "push ack none");
}

TEST(ConsumerConfigTest, LongDescriptionAndMetadata) {
  v1::ConsumerConfig cfg;
  cfg.set_description(std::string(kMaxDescriptionLen, 'd'));
  EXPECT_TRUE(CheckConsumerConfig(cfg, Stream(), {}).ok());
  cfg.set_description(std::string(kMaxDescriptionLen + 1, 'd'));
  ExpectError(CheckConsumerConfig(cfg, Stream(), {}).status(), 10107,
              "consumer description is too long, maximum allowed is 4096", "description");

  cfg.clear_description();
  (*cfg.mutable_metadata())["k"] = std::string(kMaxMetadataLen - 1, 'v');
  EXPECT_TRUE(CheckConsumerConfig(cfg, Stream(), {}).ok());
  (*cfg.mutable_metadata())["k2"] = "";
  ExpectError(CheckConsumerConfig(cfg, Stream(), {}).status(), 10135,
              "consumer metadata exceeds maximum size of 128KB", "metadata");
}

TEST(ConsumerConfigTest, ChecksRunInNatsServersOrder) {
  const ErrorCase cases[] = {
      {"num_replicas: 2 backoff_ns: [1, 2] max_deliver: 1", 10126, ""},
      {"backoff_ns: [1, 2] max_deliver: 1 deliver_subject: 'out.*'", 10116, ""},
      {"deliver_subject: 'out.*' direct: true durable_name: 'D'", 10079, ""},
      {"rate_limit_bps: 1 flow_control: true", 10086, ""},
      {"direct: true filter_subject: 'nomatch'", 10090, ""},
      {"opt_start_seq: 1 sample_freq: 'x'", 10094, ""},
      {"sample_freq: 'x' durable_name: 'A' name: 'B'", 10095, ""},
      {"deliver_subject: 'out' flow_control: true durable_name: 'A' name: 'B'", 10108, ""},
  };
  for (const ErrorCase& c : cases) {
    absl::Status status = CheckConsumerConfig(Config(c.config), Stream(), {}).status();
    EXPECT_EQ(common::ToErrorDetail(status).err_code(), c.err_code) << c.config << ": " << status;
  }
}

TEST(ConsumerConfigTest, DefaultsForAPullConsumerWithAcks) {
  absl::StatusOr<v1::ConsumerConfig> cfg =
      CheckConsumerConfig(Config("durable_name: 'D' ack_policy: ACK_EXPLICIT"), Stream(), {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->max_waiting(), 512);
  EXPECT_EQ(cfg->ack_wait_ns(), 30 * kSec);
  EXPECT_EQ(cfg->max_deliver(), -1);
  EXPECT_EQ(cfg->max_ack_pending(), 1000);
  EXPECT_EQ(cfg->max_batch(), 0);
  EXPECT_EQ(cfg->replay_policy(), v1::REPLAY_INSTANT);
  EXPECT_EQ(cfg->num_replicas(), 0);
  EXPECT_EQ(cfg->inactive_threshold_ns(), 0);
  EXPECT_FALSE(cfg->has_opt_start_time_ns());

  cfg = CheckConsumerConfig(Config("ack_policy: ACK_ALL"), Stream(), {});
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->ack_wait_ns(), 30 * kSec);
  EXPECT_EQ(cfg->max_ack_pending(), 1000);
}

TEST(ConsumerConfigTest, DefaultsForAPushConsumerWithoutAcks) {
  absl::StatusOr<v1::ConsumerConfig> cfg =
      CheckConsumerConfig(Config("deliver_subject: 'out' ack_policy: ACK_NONE"), Stream(), {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->max_waiting(), 0);
  EXPECT_EQ(cfg->ack_wait_ns(), 0);
  EXPECT_EQ(cfg->max_deliver(), -1);
  EXPECT_EQ(cfg->max_ack_pending(), 0);
}

TEST(ConsumerConfigTest, GivenValuesStayAndBackoffSetsAckWait) {
  absl::StatusOr<v1::ConsumerConfig> cfg = CheckConsumerConfig(
      Config("ack_policy: ACK_EXPLICIT ack_wait_ns: 7 max_deliver: 5 max_waiting: 9 "
             "max_ack_pending: -1 max_batch: 3 backoff_ns: [2000000000, 4000000000]"),
      Stream(), {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->ack_wait_ns(), 2 * kSec);
  EXPECT_EQ(cfg->max_deliver(), 5);
  EXPECT_EQ(cfg->max_waiting(), 9);
  EXPECT_EQ(cfg->max_ack_pending(), -1);
  EXPECT_EQ(cfg->max_batch(), 3);
}

TEST(ConsumerConfigTest, BackoffMayGoWithUnlimitedOrEqualMaxDeliver) {
  EXPECT_TRUE(CheckConsumerConfig(Config("backoff_ns: [1, 2, 3]"), Stream(), {}).ok());
  EXPECT_TRUE(
      CheckConsumerConfig(Config("backoff_ns: [1, 2, 3] max_deliver: 3"), Stream(), {}).ok());
  EXPECT_EQ(
      common::ToErrorDetail(
          CheckConsumerConfig(Config("backoff_ns: [1] max_deliver: -2"), Stream(), {}).status())
          .err_code(),
      10116);
}

TEST(ConsumerConfigTest, LimitsLowerTheDefaultMaxAckPendingAndSetMaxBatch) {
  ConsumerLimits limits;
  limits.max_ack_pending = 500;
  limits.account_max_ack_pending = 200;
  limits.max_request_batch = 64;
  absl::StatusOr<v1::ConsumerConfig> cfg =
      CheckConsumerConfig(Config("ack_policy: ACK_EXPLICIT"), Stream(), limits);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->max_ack_pending(), 200);
  EXPECT_EQ(cfg->max_batch(), 64);
  limits.account_max_ack_pending = 0;
  cfg = CheckConsumerConfig(Config("ack_policy: ACK_EXPLICIT"), Stream(), limits);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->max_ack_pending(), 500);
}

TEST(ConsumerConfigTest, AcceptedConfigurations) {
  for (const char* ok : {
           "filter_subject: 'orders.a'",
           "filter_subject: 'ship.>'",
           "filter_subject: 'ship.eu.*'",
           "filter_subject: '>'",
           // Outside the stream's subjects: nats-server 2.10 accepts them.
           "filter_subject: 'nomatch'",
           "filter_subject: 'orders.*.x'",
           "filter_subjects: 'orders.a' filter_subjects: 'other'",
           "filter_subjects: 'orders.a' filter_subjects: 'ship.>'",
           "deliver_policy: DELIVER_LAST_PER_SUBJECT filter_subjects: 'orders.a'",
           "deliver_policy: DELIVER_BY_START_SEQUENCE opt_start_seq: 10",
           "deliver_policy: DELIVER_BY_START_TIME opt_start_time_ns: 0",
           "deliver_subject: 'out' idle_heartbeat_ns: 100000000 flow_control: true",
           "deliver_subject: 'out.x*' rate_limit_bps: 100 deliver_group: 'g' headers_only: true",
           "deliver_subject: 'out' direct: true",
           "sample_freq: '50%'",
           "sample_freq: '+7'",
           "sample_freq: '-0'",
           "max_expires_ns: 1000000 max_batch: 10",
           "durable_name: 'A' name: 'A'",
           "num_replicas: 1",
           "ack_policy: ACK_NONE",
       }) {
    absl::StatusOr<v1::ConsumerConfig> cfg = CheckConsumerConfig(Config(ok), Stream(), {});
    EXPECT_TRUE(cfg.ok()) << ok << ": " << cfg.status();
  }
  v1::StreamConfig sourced = Stream("sources { name: 'OTHER' }");
  EXPECT_TRUE(CheckConsumerConfig(Config("filter_subject: 'elsewhere'"), sourced, {}).ok());
}

TEST(ConsumerConfigTest, NameOfIsDurableElseName) {
  EXPECT_EQ(ConsumerNameOf(Config("durable_name: 'D' name: 'N'")), "D");
  EXPECT_EQ(ConsumerNameOf(Config("name: 'N'")), "N");
  EXPECT_EQ(ConsumerNameOf(Config("")), "");
}

TEST(ConsumerConfigTest, Action) {
  v1::ConsumerConfig existing = Config("durable_name: 'D' ack_wait_ns: 1");
  v1::ConsumerConfig same = existing;
  v1::ConsumerConfig other = Config("durable_name: 'D' ack_wait_ns: 2");
  EXPECT_TRUE(CheckConsumerAction("", &existing, other).ok());
  EXPECT_TRUE(CheckConsumerAction("", nullptr, other).ok());
  EXPECT_TRUE(CheckConsumerAction("create", nullptr, other).ok());
  EXPECT_TRUE(CheckConsumerAction("create", &existing, same).ok());
  ExpectError(CheckConsumerAction("create", &existing, other), 10148, "consumer already exists",
              "create");
  EXPECT_TRUE(CheckConsumerAction("update", &existing, other).ok());
  ExpectError(CheckConsumerAction("update", nullptr, other), 10149, "consumer does not exist",
              "update");
  ExpectError(CheckConsumerAction("upsert", nullptr, other), 10003, "bad request", "unknown");
}

TEST(ConsumerConfigTest, UpdateRefusesWhatNatsServerRefuses) {
  v1::ConsumerConfig old = Config(
      "durable_name: 'D' deliver_subject: 'out' ack_policy: ACK_EXPLICIT ack_wait_ns: 1 "
      "max_deliver: -1 idle_heartbeat_ns: 1000000000 flow_control: true "
      "deliver_policy: DELIVER_BY_START_TIME opt_start_time_ns: 5");
  struct Change {
    const char* field;
    int err_code;
    const char* description;
  };
  const Change changes[] = {
      {"deliver_policy: DELIVER_ALL", 10012, "deliver policy can not be updated"},
      {"opt_start_seq: 1", 10012, "start sequence can not be updated"},
      {"opt_start_time_ns: 6", 10012, "start time can not be updated"},
      {"ack_policy: ACK_ALL", 10012, "ack policy can not be updated"},
      {"replay_policy: REPLAY_ORIGINAL", 10012, "replay policy can not be updated"},
      {"idle_heartbeat_ns: 2000000000", 10012, "heart beats can not be updated"},
      {"flow_control: false", 10012, "flow control can not be updated"},
      {"deliver_subject: ''", 10012, "can not update push consumer to pull based"},
      {"max_waiting: 3", 10012, "max waiting can not be updated"},
      {"backoff_ns: [1, 2] max_deliver: 1", 10116,
       "max deliver is required to be > length of backoff values"},
  };
  for (const Change& change : changes) {
    v1::ConsumerConfig in = old;
    ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(change.field, &in));
    absl::Status status = CheckConsumerUpdate(old, in, false).status();
    ExpectError(status, change.err_code, change.description, change.field);
    if (change.err_code == 10012) {
      EXPECT_EQ(common::ToErrorDetail(status).code(), 500);
    }
  }
  v1::ConsumerConfig no_time = old;
  no_time.clear_opt_start_time_ns();
  no_time.set_deliver_policy(old.deliver_policy());
  ExpectError(CheckConsumerUpdate(old, no_time, false).status(), 10012,
              "start time can not be updated", "start time cleared");

  v1::ConsumerConfig pull = Config("durable_name: 'D' ack_policy: ACK_EXPLICIT");
  v1::ConsumerConfig to_push = pull;
  to_push.set_deliver_subject("out");
  ExpectError(CheckConsumerUpdate(pull, to_push, false).status(), 10012,
              "can not update pull consumer to push based", "pull to push");
}

TEST(ConsumerConfigTest, UpdateMovesDeliverSubjectOnlyWithoutInterest) {
  v1::ConsumerConfig old = Config("durable_name: 'D' deliver_subject: 'out'");
  v1::ConsumerConfig in = Config("durable_name: 'D' deliver_subject: 'elsewhere'");
  EXPECT_TRUE(CheckConsumerUpdate(old, in, false).ok());
  ExpectError(CheckConsumerUpdate(old, in, true).status(), 10013, "consumer name already in use",
              "interest");
}

TEST(ConsumerConfigTest, UpdateAcceptsTheOtherFields) {
  v1::ConsumerConfig old = Config(
      "durable_name: 'D' ack_policy: ACK_EXPLICIT ack_wait_ns: 1 max_deliver: -1 "
      "max_waiting: 512 max_ack_pending: 1000 filter_subject: 'orders.a'");
  v1::ConsumerConfig in = Config(
      "durable_name: 'D' ack_policy: ACK_EXPLICIT ack_wait_ns: 2 max_deliver: 4 "
      "max_waiting: 512 max_ack_pending: 10 filter_subject: 'orders.b' description: 'x' "
      "sample_freq: '10' headers_only: true max_batch: 5 max_expires_ns: 5000000 max_bytes: 9 "
      "inactive_threshold_ns: 7 metadata { key: 'k' value: 'v' } backoff_ns: [1, 2]");
  absl::StatusOr<v1::ConsumerConfig> cfg = CheckConsumerUpdate(old, in, true);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->SerializeAsString(), in.SerializeAsString());
  EXPECT_TRUE(CheckConsumerUpdate(old, old, true).ok());
}

TEST(ConsumerConfigTest, UpdateOfAnEphemeralKeepsAnInactiveThreshold) {
  v1::ConsumerConfig old = Config("name: 'E' inactive_threshold_ns: 5000000000");
  v1::ConsumerConfig in = Config("name: 'E' description: 'now'");
  absl::StatusOr<v1::ConsumerConfig> cfg = CheckConsumerUpdate(old, in, false);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->inactive_threshold_ns(), 5 * kSec);

  v1::ConsumerConfig durable = Config("durable_name: 'D' inactive_threshold_ns: 3");
  cfg = CheckConsumerUpdate(durable, Config("durable_name: 'D'"), false);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->inactive_threshold_ns(), 0);
}

TEST(ConsumerConfigTest, WorkQueuePartition) {
  v1::StreamConfig wq = Stream("retention: RETENTION_WORK_QUEUE");
  v1::ConsumerConfig a = Config("durable_name: 'A' filter_subject: 'orders.a'");
  v1::ConsumerConfig ship = Config("durable_name: 'S' filter_subjects: 'ship.eu.*'");
  v1::ConsumerConfig all = Config("durable_name: 'ALL'");
  std::vector<const v1::ConsumerConfig*> others = {&a, &ship};

  EXPECT_TRUE(CheckWorkQueuePartition(Config("filter_subject: 'orders.b'"), wq, others).ok());
  EXPECT_TRUE(CheckWorkQueuePartition(Config(""), wq, others).ok());
  for (const char* overlapping :
       {"filter_subject: 'orders.*'", "filter_subject: 'ship.>'", "filter_subject: '*.eu.x'",
        "filter_subjects: 'orders.b' filter_subjects: 'orders.a'"}) {
    ExpectError(CheckWorkQueuePartition(Config(overlapping), wq, others), 10100,
                "filtered consumer not unique on workqueue stream", overlapping);
    EXPECT_TRUE(CheckWorkQueuePartition(Config(overlapping), Stream(), others).ok());
  }
  std::vector<const v1::ConsumerConfig*> with_unfiltered = {&a, &all};
  ExpectError(CheckWorkQueuePartition(Config("filter_subject: 'ship.x'"), wq, with_unfiltered),
              10100, "filtered consumer not unique on workqueue stream", "unfiltered other");
}

TEST(ConsumerConfigTest, NewConsumerLimits) {
  v1::StreamConfig stream = Stream();
  stream.set_max_consumers(2);
  v1::ConsumerConfig a = Config("durable_name: 'A'");
  v1::ConsumerConfig b = Config("durable_name: 'B'");
  v1::ConsumerConfig direct = Config("deliver_subject: 'x' direct: true");
  std::vector<const v1::ConsumerConfig*> two = {&a, &b};
  std::vector<const v1::ConsumerConfig*> one_and_direct = {&a, &direct};
  v1::ConsumerConfig c = Config("durable_name: 'C'");

  ExpectError(CheckNewConsumer(c, stream, {}, two).status(), 10026,
              "maximum consumers limit reached", "stream limit");
  EXPECT_TRUE(CheckNewConsumer(c, stream, {}, one_and_direct).ok());

  ConsumerLimits account;
  account.account_max_consumers = 1;
  std::vector<const v1::ConsumerConfig*> one = {&a};
  ExpectError(CheckNewConsumer(c, stream, account, one).status(), 10026,
              "maximum consumers limit reached", "account limit");
  EXPECT_TRUE(CheckNewConsumer(c, Stream(), {}, two).ok());
  ExpectError(CheckNewConsumer(c, Stream(), account, one).status(), 10026,
              "maximum consumers limit reached", "account limit, stream unlimited");
}

TEST(ConsumerConfigTest, NewConsumerOnAWorkQueue) {
  v1::StreamConfig wq = Stream("retention: RETENTION_WORK_QUEUE");
  v1::ConsumerConfig a = Config("durable_name: 'A' filter_subject: 'orders.a'");
  std::vector<const v1::ConsumerConfig*> none;
  std::vector<const v1::ConsumerConfig*> others = {&a};
  const ErrorCase cases[] = {
      {"durable_name: 'B' ack_policy: ACK_ALL", 10098, "workqueue stream requires explicit ack"},
      {"durable_name: 'B' ack_policy: ACK_EXPLICIT", 10099,
       "multiple non-filtered consumers not allowed on workqueue stream"},
      {"durable_name: 'B' ack_policy: ACK_EXPLICIT filter_subject: 'orders.*'", 10100,
       "filtered consumer not unique on workqueue stream"},
      {"durable_name: 'B' ack_policy: ACK_EXPLICIT filter_subject: 'orders.b' "
       "deliver_policy: DELIVER_NEW",
       10101, "consumer must be deliver all on workqueue stream"},
  };
  for (const ErrorCase& c : cases) {
    ExpectError(CheckNewConsumer(Config(c.config), wq, {}, others).status(), c.err_code,
                c.description, c.config);
  }
  EXPECT_TRUE(
      CheckNewConsumer(Config("durable_name: 'B' ack_policy: ACK_EXPLICIT"), wq, {}, none).ok());
  EXPECT_TRUE(CheckNewConsumer(
                  Config("durable_name: 'B' ack_policy: ACK_EXPLICIT filter_subject: 'orders.b'"),
                  wq, {}, others)
                  .ok());
  EXPECT_TRUE(CheckNewConsumer(Config("deliver_subject: 'x' direct: true"), wq, {}, others).ok());
}

TEST(ConsumerConfigTest, NewConsumerNames) {
  std::vector<const v1::ConsumerConfig*> none;
  v1::ConsumerConfig long_durable;
  long_durable.set_durable_name(std::string(256, 'd'));
  ExpectError(CheckNewConsumer(long_durable, Stream(), {}, none).status(), 10102,
              "consumer name is too long, maximum allowed is 255", "long durable");
  v1::ConsumerConfig long_name;
  long_name.set_name(std::string(256, 'n'));
  EXPECT_TRUE(CheckNewConsumer(long_name, Stream(), {}, none).ok());
  for (const char* bad : {"durable_name: 'a.b'", "name: 'a b'", "name: 'a*'"}) {
    ExpectError(CheckNewConsumer(Config(bad), Stream(), {}, none).status(), 10103,
                "durable name can not contain '.', '*', '>'", bad);
  }
  EXPECT_TRUE(CheckNewConsumer(Config(""), Stream(), {}, none).ok());
}

TEST(ConsumerConfigTest, NewEphemeralsGetAnInactiveThreshold) {
  std::vector<const v1::ConsumerConfig*> none;
  for (const char* ephemeral : {"", "name: 'E'", "inactive_threshold_ns: -4"}) {
    absl::StatusOr<v1::ConsumerConfig> cfg =
        CheckNewConsumer(Config(ephemeral), Stream(), {}, none);
    ASSERT_TRUE(cfg.ok()) << ephemeral;
    EXPECT_EQ(cfg->inactive_threshold_ns(), 5 * kSec) << ephemeral;
  }
  absl::StatusOr<v1::ConsumerConfig> cfg =
      CheckNewConsumer(Config("inactive_threshold_ns: 2000000"), Stream(), {}, none);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->inactive_threshold_ns(), 2 * kMs);
  for (const char* durable : {"durable_name: 'D'", "durable_name: 'D' inactive_threshold_ns: -4"}) {
    v1::ConsumerConfig in = Config(durable);
    cfg = CheckNewConsumer(in, Stream(), {}, none);
    ASSERT_TRUE(cfg.ok()) << durable;
    EXPECT_EQ(cfg->inactive_threshold_ns(), in.inactive_threshold_ns()) << durable;
  }
}

}  // namespace
}  // namespace jsengine::consumersvc
