#include "storesvc/stream.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "gtest/gtest.h"
#include "storesvc/memory_store.h"
#include "storesvc/stream_config.h"

namespace jsengine::storesvc {
namespace {

constexpr int64_t kSec = 1'000'000'000;

int ErrCode(const absl::Status& st) { return common::ToErrorDetail(st).err_code(); }

v1::StreamConfig Config(const std::string& name) {
  v1::StreamConfig cfg;
  cfg.set_name(name);
  return cfg;
}

class StreamTest : public ::testing::Test {
 protected:
  void Make(v1::StreamConfig cfg) {
    auto checked = CheckStreamConfig(cfg);
    ASSERT_TRUE(checked.ok()) << checked.status();
    stream_ = std::make_unique<Stream>(*checked, 1, std::make_unique<MemoryStore>());
  }
  v1::AppendResult Pub(const std::string& subject, const std::string& hdr = "",
                       const std::string& data = "d", int64_t now = 0) {
    v1::AppendRequest req;
    req.set_id(++id_);
    req.set_subject(subject);
    req.set_headers(hdr);
    req.set_data(data);
    v1::AppendResult r;
    stream_->Append(req, now != 0 ? now : now_, &r);
    EXPECT_EQ(r.id(), id_);
    return r;
  }
  v1::StreamState State() { return stream_->Info(false, "").state(); }
  // Sequences 1..6 with 5 deleted, purged with `keep` 5 (as many as are
  // live: nothing to do) and then 3; returns what the second purge removed.
  uint64_t PurgeKeepingThreeOfFiveLive() {
    for (int i = 0; i < 6; ++i) Pub("S");
    v1::DeleteMessageRequest del;
    del.set_seq(5);
    EXPECT_TRUE(stream_->DeleteMessage(del).ok());
    v1::PurgeStreamRequest keep;
    keep.set_keep(5);
    EXPECT_EQ(stream_->Purge(keep).value(), 0u);
    keep.set_keep(3);
    return stream_->Purge(keep).value();
  }

  std::unique_ptr<Stream> stream_;
  uint64_t id_ = 0;
  int64_t now_ = 1000 * kSec;
};

TEST(StreamConfigTest, DefaultsAsNatsServer) {
  auto cfg = CheckStreamConfig(Config("ORDERS"));
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  ASSERT_EQ(cfg->subjects_size(), 1);
  EXPECT_EQ(cfg->subjects(0), "ORDERS");
  EXPECT_EQ(cfg->max_msgs(), -1);
  EXPECT_EQ(cfg->max_bytes(), -1);
  EXPECT_EQ(cfg->max_msgs_per_subject(), -1);
  EXPECT_EQ(cfg->max_msg_size(), -1);
  EXPECT_EQ(cfg->max_consumers(), -1);
  EXPECT_EQ(cfg->duplicate_window_ns(), 120 * kSec);
  EXPECT_EQ(cfg->num_replicas(), 1);
  EXPECT_EQ(cfg->storage(), v1::STORAGE_FILE);

  v1::StreamConfig aged = Config("A");
  aged.set_max_age_ns(30 * kSec);
  EXPECT_EQ(CheckStreamConfig(aged)->duplicate_window_ns(), 30 * kSec);
}

TEST(StreamConfigTest, RejectsBadConfigs) {
  EXPECT_EQ(ErrCode(CheckStreamConfig(Config("a.b")).status()), 10052);
  EXPECT_EQ(CheckStreamConfig(Config("a b")).status().message(),
            "stream name is required and can not contain '.', '*', '>'");
  EXPECT_EQ(ErrCode(CheckStreamConfig(Config("")).status()), 10052);
  EXPECT_EQ(ErrCode(CheckStreamConfig(Config("a/b")).status()), 10128);
  EXPECT_EQ(ErrCode(CheckStreamConfig(Config(std::string(256, 'x'))).status()), 10052);
  v1::StreamConfig r = Config("R");
  r.set_num_replicas(3);
  EXPECT_EQ(ErrCode(CheckStreamConfig(r).status()), 10074);
  r.set_num_replicas(6);
  EXPECT_EQ(CheckStreamConfig(r).status().message(), "maximum replicas is 5");
  v1::StreamConfig s = Config("S");
  s.add_subjects("foo.*");
  s.add_subjects("foo.bar");
  EXPECT_EQ(ErrCode(CheckStreamConfig(s).status()), 10052);
  v1::StreamConfig d = Config("D");
  d.add_subjects("x");
  d.add_subjects("x");
  EXPECT_EQ(CheckStreamConfig(d).status().message(), "duplicate subjects detected");
  // nats-server 2.10: subjects its APIs use need no_ack.
  const struct {
    const char* subject;
    const char* error;  // Empty: accepted.
  } kApiSubjects[] = {
      {"$JS.API.STREAM.INFO", "subjects that overlap with jetstream api require no-ack to be true"},
      {"$JS.EVENT.>", ""},
      {"$SYS.REQ.>", "subjects that overlap with system api require no-ack to be true"},
      {"$SYS.ACCOUNT.*.CONNECT", ""},
      {">", "capturing all subjects requires no-ack to be true"},
  };
  for (const auto& c : kApiSubjects) {
    v1::StreamConfig api = Config("API");
    api.add_subjects(c.subject);
    EXPECT_EQ(CheckStreamConfig(api).status().message(), c.error) << c.subject;
    api.set_no_ack(true);
    EXPECT_TRUE(CheckStreamConfig(api).ok()) << c.subject;
  }
  v1::StreamConfig roll = Config("RO");
  roll.set_deny_purge(true);
  roll.set_allow_rollup_hdrs(true);
  EXPECT_EQ(CheckStreamConfig(roll).status().message(), "roll-ups require the purge permission");
  v1::StreamConfig age = Config("AGE");
  age.set_max_age_ns(kSec / 100);
  EXPECT_EQ(CheckStreamConfig(age).status().message(), "max age needs to be >= 100ms");
}

TEST(StreamConfigTest, UpdateRules) {
  v1::StreamConfig old = *CheckStreamConfig(Config("U"));
  v1::StreamConfig next = old;
  next.set_max_msgs(10);
  EXPECT_EQ(CheckStreamUpdate(old, next)->max_msgs(), 10);
  next = old;
  next.set_storage(v1::STORAGE_MEMORY);
  EXPECT_EQ(CheckStreamUpdate(old, next).status().message(),
            "stream configuration update can not change storage type");
  next = old;
  next.set_retention(v1::RETENTION_WORK_QUEUE);
  EXPECT_EQ(ErrCode(CheckStreamUpdate(old, next).status()), 10052);
  EXPECT_EQ(CheckStreamUpdate(old, next).status().message(),
            "stream configuration update can not change retention policy to/from workqueue");
  old.set_deny_delete(true);
  next = old;
  next.set_deny_delete(false);
  EXPECT_EQ(CheckStreamUpdate(old, next).status().message(),
            "stream configuration update can not cancel deny message deletes");
  next = old;
  next.set_sealed(true);
  auto sealed = CheckStreamUpdate(old, next);
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(sealed->deny_purge());
  EXPECT_EQ(sealed->discard(), v1::DISCARD_NEW);
  next = *sealed;
  next.set_sealed(false);
  EXPECT_EQ(ErrCode(CheckStreamUpdate(*sealed, next).status()), 10052);
}

TEST(StreamConfigTest, Version210Fields) {
  v1::StreamConfig cfg = Config("N");
  cfg.mutable_subject_transform()->set_src("N.*");
  cfg.mutable_subject_transform()->set_dest("M.{{wildcard(1)}}");
  EXPECT_TRUE(CheckStreamConfig(cfg).ok());
  cfg.mutable_subject_transform()->set_dest("M.{{wildcard(2)}}");
  absl::Status bad = CheckStreamConfig(cfg).status();
  EXPECT_EQ(ErrCode(bad), 10049);
  EXPECT_EQ(bad.message(),
            "stream subject transform from 'N.*' to 'M.{{wildcard(2)}}': invalid mapping "
            "destination: wildcard index out of range in {{wildcard(2)}}: [2]");
  v1::StreamConfig old = *CheckStreamConfig(Config("N"));
  bad = CheckStreamUpdate(old, cfg).status();
  EXPECT_EQ(ErrCode(bad), 10069);
  EXPECT_EQ(bad.message().substr(0, 48), "stream configuration for subject transform from ");

  cfg = Config("N");
  (*cfg.mutable_metadata())["k"] = std::string(128 * 1024, 'v');
  bad = CheckStreamConfig(cfg).status();
  EXPECT_EQ(ErrCode(bad), 10052);
  EXPECT_EQ(bad.message(), "stream metadata exceeds maximum size of 131072 bytes");

  cfg = Config("N");
  cfg.set_compression(v1::COMPRESSION_S2);
  v1::StreamConfig s2 = *CheckStreamConfig(cfg);
  EXPECT_EQ(CheckStreamUpdate(s2, old)->compression(), v1::COMPRESSION_NONE);
}

TEST_F(StreamTest, FirstSeqAndSubjectTransform) {
  v1::StreamConfig cfg = Config("S");
  cfg.add_subjects("in.>");
  cfg.mutable_subject_transform()->set_src("in.*.*");
  cfg.mutable_subject_transform()->set_dest("out.$2.$1");
  cfg.set_first_seq(100);
  Make(cfg);
  ASSERT_TRUE(stream_->StartAt(100).ok());
  EXPECT_EQ(State().first_seq(), 100u);
  EXPECT_EQ(State().last_seq(), 99u);
  EXPECT_EQ(Pub("in.a.b").seq(), 100u);
  EXPECT_EQ(Pub("in.c").seq(), 101u);
  v1::GetMessageRequest get;
  get.set_seq(100);
  EXPECT_EQ(stream_->GetMessage(get)->subject(), "out.b.a");
  get.set_seq(101);
  EXPECT_EQ(stream_->GetMessage(get)->subject(), "in.c");
  EXPECT_TRUE(stream_->StartAt(500).ok());  // Not new any more: no effect.
  EXPECT_EQ(Pub("in.x.y").seq(), 102u);

  cfg.clear_subject_transform();
  ASSERT_TRUE(stream_->Update(*CheckStreamUpdate(stream_->config(), cfg)).ok());
  EXPECT_EQ(Pub("in.x.y").seq(), 103u);
  get.set_seq(103);
  EXPECT_EQ(stream_->GetMessage(get)->subject(), "in.x.y");
}

TEST_F(StreamTest, SequencesTimesAndHeadersKept) {
  Make(Config("S"));
  std::string hdr = "NATS/1.0\r\nX:  y \r\n\r\n";
  auto r1 = Pub("S", hdr, "one");
  EXPECT_FALSE(r1.has_error());
  EXPECT_EQ(r1.seq(), 1u);
  EXPECT_EQ(r1.stream(), "S");
  EXPECT_EQ(Pub("S").seq(), 2u);
  v1::GetMessageRequest get;
  get.set_seq(1);
  auto m = stream_->GetMessage(get);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->headers(), hdr);
  EXPECT_EQ(m->data(), "one");
  EXPECT_EQ(m->time_ns(), now_);
}

TEST_F(StreamTest, DirectGetsNeedAllowDirect) {
  v1::StreamConfig cfg = Config("S");
  Make(cfg);
  Pub("S");
  v1::GetMessageRequest get;
  get.set_seq(1);
  get.set_direct(true);
  EXPECT_EQ(stream_->GetMessage(get).status().code(), absl::StatusCode::kFailedPrecondition);
  cfg.set_allow_direct(true);
  Make(cfg);
  Pub("S");
  EXPECT_TRUE(stream_->GetMessage(get).ok());
}

TEST_F(StreamTest, DeduplicatesWithinWindow) {
  Make(Config("S"));
  std::string hdr = "NATS/1.0\r\nNats-Msg-Id: abc\r\n\r\n";
  EXPECT_EQ(Pub("S", hdr).seq(), 1u);
  EXPECT_EQ(Pub("S").seq(), 2u);
  auto dup = Pub("S", hdr);
  EXPECT_TRUE(dup.duplicate());
  EXPECT_EQ(dup.seq(), 1u);
  EXPECT_EQ(State().messages(), 2u);
  auto later = Pub("S", hdr, "d", now_ + 121 * kSec);
  EXPECT_FALSE(later.duplicate());
  EXPECT_EQ(later.seq(), 3u);
}

TEST_F(StreamTest, ExpectedHeaders) {
  Make(Config("S"));
  auto wrong_stream = Pub("S", "NATS/1.0\r\nNats-Expected-Stream: T\r\n\r\n");
  EXPECT_EQ(wrong_stream.error().err_code(), 10060);
  EXPECT_EQ(Pub("S", "NATS/1.0\r\nNats-Expected-Stream: S\r\nNats-Msg-Id: m1\r\n\r\n").seq(), 1u);
  auto bad_last = Pub("S", "NATS/1.0\r\nNats-Expected-Last-Sequence: 5\r\n\r\n");
  EXPECT_EQ(bad_last.error().err_code(), 10071);
  EXPECT_EQ(bad_last.error().description(), "wrong last sequence: 1");
  EXPECT_EQ(Pub("S", "NATS/1.0\r\nNats-Expected-Last-Sequence: 1\r\n\r\n").seq(), 2u);
  auto bad_id = Pub("S", "NATS/1.0\r\nNats-Expected-Last-Msg-Id: m1\r\n\r\n");
  EXPECT_EQ(bad_id.error().err_code(), 10070);
  EXPECT_EQ(bad_id.error().description(), "wrong last msg ID: ");
  auto subj = Pub("S", "NATS/1.0\r\nNats-Expected-Last-Subject-Sequence: 1\r\n\r\n");
  EXPECT_EQ(subj.error().description(), "wrong last sequence: 2");
  EXPECT_EQ(Pub("S", "NATS/1.0\r\nNats-Expected-Last-Subject-Sequence: 2\r\n\r\n").seq(), 3u);
}

TEST_F(StreamTest, RollupNeedsPermission) {
  v1::StreamConfig cfg = Config("S");
  cfg.add_subjects("s.*");
  Make(cfg);
  auto denied = Pub("s.a", "NATS/1.0\r\nNats-Rollup: sub\r\n\r\n");
  EXPECT_EQ(denied.error().err_code(), 10111);
  EXPECT_EQ(denied.error().description(), "rollup not permitted");
  cfg.set_allow_rollup_hdrs(true);
  Make(cfg);
  Pub("s.a");
  Pub("s.a");
  Pub("s.b");
  EXPECT_EQ(Pub("s.a", "NATS/1.0\r\nNats-Rollup: sub\r\n\r\n").seq(), 4u);
  EXPECT_EQ(State().messages(), 2u);
  EXPECT_EQ(Pub("s.b", "NATS/1.0\r\nNats-Rollup: all\r\n\r\n").seq(), 5u);
  EXPECT_EQ(State().messages(), 1u);
  EXPECT_EQ(State().first_seq(), 5u);
  auto bad = Pub("s.b", "NATS/1.0\r\nNats-Rollup: both\r\n\r\n");
  EXPECT_EQ(bad.error().err_code(), 10111);
  EXPECT_EQ(bad.error().description(), "rollup value invalid: \"both\"");
}

TEST_F(StreamTest, SizeAndDiscardNewLimits) {
  v1::StreamConfig cfg = Config("S");
  cfg.set_max_msg_size(4);
  cfg.set_max_msgs(2);
  cfg.set_discard(v1::DISCARD_NEW);
  Make(cfg);
  EXPECT_EQ(Pub("S", "", "12345").error().err_code(), 10054);
  Pub("S");
  Pub("S");
  auto full = Pub("S");
  EXPECT_EQ(full.error().err_code(), 10077);
  EXPECT_EQ(full.error().description(), "maximum messages exceeded");

  v1::StreamConfig per = Config("P");
  per.add_subjects("p.*");
  per.set_max_msgs_per_subject(1);
  per.set_discard(v1::DISCARD_NEW);
  per.set_discard_new_per_subject(true);
  Make(per);
  Pub("p.a");
  EXPECT_EQ(Pub("p.a").error().description(), "maximum messages per subject exceeded");
  EXPECT_FALSE(Pub("p.b").has_error());

  v1::StreamConfig bytes = Config("B");
  bytes.set_max_bytes(100);
  bytes.set_discard(v1::DISCARD_NEW);
  Make(bytes);
  EXPECT_FALSE(Pub("B", "", std::string(50, 'x')).has_error());
  EXPECT_EQ(Pub("B", "", std::string(50, 'x')).error().description(), "maximum bytes exceeded");
}

TEST_F(StreamTest, DiscardOldLimits) {
  v1::StreamConfig cfg = Config("S");
  cfg.add_subjects("s.*");
  cfg.set_max_msgs(3);
  cfg.set_max_msgs_per_subject(2);
  Make(cfg);
  for (int i = 0; i < 5; ++i) Pub("s.a");
  EXPECT_EQ(State().messages(), 2u);
  EXPECT_EQ(State().first_seq(), 4u);
  Pub("s.b");
  Pub("s.c");
  EXPECT_EQ(State().messages(), 3u);
  EXPECT_EQ(State().first_seq(), 5u);

  v1::StreamConfig aged = Config("A");
  aged.set_max_age_ns(10 * kSec);
  Make(aged);
  Pub("A", "", "d", now_);
  Pub("A", "", "d", now_ + 5 * kSec);
  ASSERT_TRUE(stream_->ExpireAged(now_ + 12 * kSec).ok());
  EXPECT_EQ(State().messages(), 1u);
  EXPECT_EQ(State().first_seq(), 2u);
  Pub("A", "", "d", now_ + 30 * kSec);
  EXPECT_EQ(State().messages(), 1u);
  EXPECT_EQ(State().first_seq(), 3u);
}

TEST_F(StreamTest, SealedDenyDeleteDenyPurge) {
  v1::StreamConfig cfg = Config("S");
  cfg.set_deny_delete(true);
  cfg.set_deny_purge(true);
  Make(cfg);
  Pub("S");
  v1::DeleteMessageRequest del;
  del.set_seq(1);
  EXPECT_EQ(stream_->DeleteMessage(del).message(), "message delete not permitted");
  EXPECT_EQ(ErrCode(stream_->Purge(v1::PurgeStreamRequest()).status()), 10110);
  v1::StreamConfig sealed = stream_->config();
  sealed.set_sealed(true);
  ASSERT_TRUE(stream_->Update(*CheckStreamUpdate(stream_->config(), sealed)).ok());
  EXPECT_EQ(Pub("S").error().err_code(), 10109);
}

TEST_F(StreamTest, MemoryStreamDeleteOfMissingSequenceIsNotFound) {
  v1::StreamConfig cfg = Config("M");
  cfg.add_subjects("m");
  cfg.set_storage(v1::STORAGE_MEMORY);
  Make(cfg);
  Pub("m");
  Pub("m");
  v1::DeleteMessageRequest del;
  del.set_seq(1);
  ASSERT_TRUE(stream_->DeleteMessage(del).ok());
  // nats-server's memory store has no EOF: below the first, past the last
  // and 0 are all "not found" (nats.c's JetStreamMgtStreams checks 10043).
  const std::pair<uint64_t, const char*> cases[] = {
      {1, "sequence 1 not found"}, {3, "sequence 3 not found"}, {0, "sequence 0 not found"}};
  for (const auto& [seq, message] : cases) {
    del.set_seq(seq);
    absl::Status missing = stream_->DeleteMessage(del);
    EXPECT_EQ(ErrCode(missing), 10043) << seq;
    EXPECT_EQ(missing.message(), message);
  }
}

TEST_F(StreamTest, PurgeGetDelete) {
  v1::StreamConfig cfg = Config("S");
  cfg.add_subjects("s.*");
  Make(cfg);
  for (int i = 0; i < 6; ++i) Pub(i % 2 ? "s.odd" : "s.even");
  v1::GetMessageRequest last;
  last.set_last_by_subject("s.even");
  EXPECT_EQ(stream_->GetMessage(last)->seq(), 5u);
  v1::GetMessageRequest next;
  next.set_next_by_subject("s.odd");
  next.set_seq(3);
  EXPECT_EQ(stream_->GetMessage(next)->seq(), 4u);
  v1::GetMessageRequest none;
  none.set_seq(99);
  EXPECT_EQ(ErrCode(stream_->GetMessage(none).status()), 10037);
  EXPECT_EQ(ErrCode(stream_->GetMessage(v1::GetMessageRequest()).status()), 10003);

  v1::DeleteMessageRequest del;
  del.set_seq(2);
  EXPECT_TRUE(stream_->DeleteMessage(del).ok());
  absl::Status again = stream_->DeleteMessage(del);
  EXPECT_EQ(ErrCode(again), 10043);
  EXPECT_EQ(again.message(), "sequence 2 not found");
  del.set_seq(99);  // Past the last: nats-server's store says so.
  absl::Status past = stream_->DeleteMessage(del);
  EXPECT_EQ(ErrCode(past), 10057);
  EXPECT_EQ(past.message(), "stream store EOF");
  del.set_seq(0);
  absl::Status zero = stream_->DeleteMessage(del);
  EXPECT_EQ(ErrCode(zero), 10057);
  EXPECT_EQ(zero.message(), "no message found");

  v1::PurgeStreamRequest keep;
  keep.set_filter("s.even");
  keep.set_keep(1);
  EXPECT_EQ(stream_->Purge(keep).value(), 2u);
  v1::PurgeStreamRequest both;
  both.set_seq(3);
  both.set_keep(1);
  EXPECT_EQ(ErrCode(stream_->Purge(both).status()), 10051);
  EXPECT_EQ(stream_->Purge(v1::PurgeStreamRequest()).value(), 3u);
  EXPECT_EQ(State().messages(), 0u);
  EXPECT_EQ(State().first_seq(), 7u);
  del.set_seq(3);  // Below the first: nats-server's file store has no block for it.
  absl::Status below = stream_->DeleteMessage(del);
  EXPECT_EQ(ErrCode(below), 10057);
  EXPECT_EQ(below.message(), "no message found");
  EXPECT_EQ(Pub("s.x").seq(), 7u);
}

TEST_F(StreamTest, UnfilteredKeepCountsSequencesInMemory) {
  v1::StreamConfig config = Config("S");
  config.set_storage(v1::STORAGE_MEMORY);
  Make(config);
  EXPECT_EQ(PurgeKeepingThreeOfFiveLive(), 3u);  // 4 and 6 stay.
  EXPECT_EQ(State().messages(), 2u);
  EXPECT_EQ(State().first_seq(), 4u);
}

TEST_F(StreamTest, UnfilteredKeepCountsMessagesOnFile) {
  Make(Config("S"));
  EXPECT_EQ(PurgeKeepingThreeOfFiveLive(), 2u);  // 3, 4 and 6 stay.
  EXPECT_EQ(State().messages(), 3u);
  EXPECT_EQ(State().first_seq(), 3u);
}

TEST_F(StreamTest, ANewStreamReportsFirstSequenceZero) {
  Make(Config("S"));
  EXPECT_EQ(State().first_seq(), 0u);
  EXPECT_EQ(State().last_seq(), 0u);
  Pub("S");
  EXPECT_EQ(State().first_seq(), 1u);
  ASSERT_TRUE(stream_->Purge(v1::PurgeStreamRequest()).ok());
  EXPECT_EQ(State().first_seq(), 2u);
  EXPECT_EQ(State().last_seq(), 1u);
}

TEST_F(StreamTest, InterestStreamKeepsWhatSomeConsumerFilterMatches) {
  v1::StreamConfig cfg = Config("I");
  cfg.add_subjects("i.>");
  cfg.set_retention(v1::RETENTION_INTEREST);
  Make(cfg);
  // No consumers: every publish gets its sequence, nothing is kept.
  EXPECT_EQ(Pub("i.a").seq(), 1u);
  EXPECT_EQ(Pub("i.b").seq(), 2u);
  EXPECT_EQ(State().messages(), 0u);
  EXPECT_EQ(State().first_seq(), 3u);
  EXPECT_EQ(State().last_seq(), 2u);

  uint64_t first = 0, last = 0;
  stream_->SetConsumerFilters({"i.a", "i.a"}, &first, &last);
  EXPECT_EQ(first, 3u);
  EXPECT_EQ(last, 2u);
  EXPECT_EQ(Pub("i.a").seq(), 3u);
  EXPECT_EQ(Pub("i.b").seq(), 4u);
  EXPECT_EQ(State().messages(), 1u);
  v1::GetMessageRequest get;
  get.set_seq(3);
  EXPECT_EQ(stream_->GetMessage(get).value().subject(), "i.a");
  EXPECT_EQ(stream_->consumer_filters(), std::vector<std::string>{"i.a"});

  stream_->SetConsumerFilters({">"}, &first, &last);
  EXPECT_EQ(last, 4u);
  Pub("i.b");
  EXPECT_EQ(State().messages(), 2u);

  // A skipped publish is remembered for deduplication like a stored one.
  stream_->SetConsumerFilters({}, &first, &last);
  EXPECT_EQ(Pub("i.c", "NATS/1.0\r\nNats-Msg-Id: x\r\n\r\n").seq(), 6u);
  v1::AppendResult dup = Pub("i.c", "NATS/1.0\r\nNats-Msg-Id: x\r\n\r\n");
  EXPECT_TRUE(dup.duplicate());
  EXPECT_EQ(dup.seq(), 6u);
  EXPECT_EQ(State().messages(), 2u);
}

TEST_F(StreamTest, OnlyInterestStreamsSkip) {
  for (v1::RetentionPolicy retention : {v1::RETENTION_LIMITS, v1::RETENTION_WORK_QUEUE}) {
    v1::StreamConfig cfg = Config("W");
    cfg.set_retention(retention);
    Make(cfg);
    Pub("W");
    EXPECT_EQ(State().messages(), 1u) << retention;
  }
}

TEST_F(StreamTest, RemoveMessagesSparesWhatKeepSubjectsMatch) {
  v1::StreamConfig cfg = Config("R");
  cfg.add_subjects("r.>");
  cfg.set_retention(v1::RETENTION_WORK_QUEUE);
  Make(cfg);
  for (const char* subject : {"r.a", "r.b", "r.a", "r.c", "r.b", "r.a"}) Pub(subject);
  google::protobuf::RepeatedPtrField<v1::Removal> removals;
  v1::Removal* one = removals.Add();
  one->set_first_seq(1);
  one->set_last_seq(1);
  v1::Removal* range = removals.Add();
  range->set_first_seq(3);
  range->set_last_seq(99);
  range->add_keep_subjects("r.b");
  range->add_keep_subjects("r.c");
  v1::Removal* kept = removals.Add();
  kept->set_first_seq(2);
  kept->set_last_seq(2);
  kept->add_keep_subjects(">");
  absl::StatusOr<uint64_t> removed = stream_->RemoveMessages(removals);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 3u);  // 1, 3 and 6.
  v1::StreamInfo info = stream_->Info(true, "");
  EXPECT_EQ(info.state().messages(), 3u);
  EXPECT_EQ(info.state().first_seq(), 2u);
  EXPECT_EQ(std::vector<uint64_t>(info.state().deleted().begin(), info.state().deleted().end()),
            (std::vector<uint64_t>{3, 6}));
  EXPECT_EQ(*stream_->RemoveMessages(removals), 0u) << "already gone";
}

TEST_F(StreamTest, InfoDetails) {
  v1::StreamConfig cfg = Config("S");
  cfg.add_subjects("s.*");
  Make(cfg);
  Pub("s.a");
  Pub("s.b");
  Pub("s.a");
  v1::DeleteMessageRequest del;
  del.set_seq(2);
  ASSERT_TRUE(stream_->DeleteMessage(del).ok());
  v1::StreamInfo info = stream_->Info(true, "s.*");
  EXPECT_EQ(info.state().num_deleted(), 1);
  ASSERT_EQ(info.state().deleted_size(), 1);
  EXPECT_EQ(info.state().deleted(0), 2u);
  EXPECT_EQ(info.state().subjects().at("s.a"), 2u);
  EXPECT_EQ(info.state().num_subjects(), 1);
  EXPECT_EQ(info.state().bytes(), 2u * (3 + 1 + 16));
}

v1::FilteredStateRequest Filtered(std::vector<std::string> filters, uint64_t start_seq,
                                  int64_t start_time_ns = 0, bool last_per_subject = false) {
  v1::FilteredStateRequest req;
  for (std::string& f : filters) req.add_filter_subjects(std::move(f));
  req.set_start_seq(start_seq);
  req.set_start_time_ns(start_time_ns);
  req.set_last_per_subject(last_per_subject);
  return req;
}

TEST_F(StreamTest, FilteredStateFromSequenceOrTime) {
  Make(Config("S"));
  Pub("a.1", "", "d", 10 * kSec);  // 1
  Pub("b.1", "", "d", 20 * kSec);  // 2
  Pub("a.2", "", "d", 30 * kSec);  // 3
  Pub("a.1", "", "d", 40 * kSec);  // 4
  auto from_time = stream_->FilteredState(Filtered({"a.*"}, 0, 25 * kSec));
  ASSERT_TRUE(from_time.ok()) << from_time.status();
  EXPECT_EQ(from_time->start_seq(), 3u);
  EXPECT_EQ(from_time->messages(), 2u);
  EXPECT_EQ(from_time->first_seq(), 3u);
  EXPECT_EQ(from_time->last_seq(), 4u);
  EXPECT_EQ(from_time->stream_first_seq(), 1u);
  EXPECT_EQ(from_time->stream_last_seq(), 4u);
  EXPECT_TRUE(from_time->last_per_subject().empty()) << "not asked for";

  auto time_wins = stream_->FilteredState(Filtered({"a.*"}, 1, 25 * kSec));
  EXPECT_EQ(time_wins->start_seq(), 3u);
  EXPECT_EQ(time_wins->messages(), 2u);

  auto too_late = stream_->FilteredState(Filtered({"a.1"}, 0, 50 * kSec));
  EXPECT_EQ(too_late->start_seq(), 5u);
  EXPECT_EQ(too_late->messages(), 0u);
  EXPECT_EQ(too_late->first_seq(), 0u);
  EXPECT_EQ(too_late->last_seq(), 4u);

  auto from_first = stream_->FilteredState(Filtered({"a.*", "b.1"}, 0, 0, true));
  EXPECT_EQ(from_first->start_seq(), 1u) << "0 reads as the stream's first";
  EXPECT_EQ(from_first->messages(), 4u);
  EXPECT_EQ(std::vector<uint64_t>(from_first->last_per_subject().begin(),
                                  from_first->last_per_subject().end()),
            (std::vector<uint64_t>{2, 3, 4}));

  auto from_seq = stream_->FilteredState(Filtered({}, 2, 0, true));
  EXPECT_EQ(from_seq->start_seq(), 2u);
  EXPECT_EQ(from_seq->messages(), 3u);
  EXPECT_EQ(from_seq->first_seq(), 2u);
  EXPECT_EQ(from_seq->last_per_subject_size(), 3);

  ASSERT_TRUE(stream_->Close().ok());
  EXPECT_EQ(ErrCode(stream_->FilteredState(Filtered({}, 0)).status()), 10059);
}

TEST_F(StreamTest, ReadSeqsInTheirOrderSkippingMissingAndUnmatched) {
  Make(Config("S"));
  for (const char* subject : {"a", "b", "a", "c", "b"}) Pub(subject);
  v1::DeleteMessageRequest del;
  del.set_seq(2);
  ASSERT_TRUE(stream_->DeleteMessage(del).ok());
  const std::vector<uint64_t> seqs = {5, 1, 2, 99, 4, 1, 3};
  auto read = [&](const SubjectFilters& filters, size_t max, size_t* pos) {
    uint64_t last_seq = 0;
    auto msgs = stream_->ReadSeqs(seqs, pos, filters, max, &last_seq);
    EXPECT_TRUE(msgs.ok()) << msgs.status();
    EXPECT_EQ(last_seq, 5u);
    std::vector<uint64_t> got;
    for (const auto& m : *msgs) got.push_back(m.seq());
    return got;
  };
  size_t pos = 0;
  EXPECT_EQ(read(SubjectFilters(), 100, &pos), (std::vector<uint64_t>{5, 1, 4, 1, 3}));
  EXPECT_EQ(pos, seqs.size());
  pos = 0;
  EXPECT_EQ(read(SubjectFilters(), 2, &pos), (std::vector<uint64_t>{5, 1}));
  EXPECT_EQ(pos, 2u);
  EXPECT_EQ(read(SubjectFilters(), 2, &pos), (std::vector<uint64_t>{4, 1}));
  EXPECT_EQ(pos, 6u);
  pos = 0;
  EXPECT_EQ(read(SubjectFilters({"b", "c"}), 100, &pos), (std::vector<uint64_t>{5, 4}));
}

}  // namespace
}  // namespace jsengine::storesvc
