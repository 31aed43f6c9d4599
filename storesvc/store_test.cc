#include "storesvc/store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/names.h"
#include "common/status.h"
#include "gtest/gtest.h"
#include "testing/util/append_sync.h"
#include "testing/util/read_seqs.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

int ErrCode(const absl::Status& st) { return common::ToErrorDetail(st).err_code(); }

v1::CreateStreamRequest Create(const std::string& name, std::vector<std::string> subjects = {},
                               v1::StorageType storage = v1::STORAGE_FILE) {
  v1::CreateStreamRequest req;
  req.mutable_config()->set_name(name);
  req.mutable_config()->set_storage(storage);
  for (const auto& s : subjects) req.mutable_config()->add_subjects(s);
  return req;
}

v1::AppendRequest Msg(const std::string& stream, const std::string& subject,
                      const std::string& data, uint64_t id = 0) {
  v1::AppendRequest r;
  r.set_id(id);
  r.set_stream(stream);
  r.set_subject(subject);
  r.set_data(data);
  return r;
}

using testing::util::AppendSync;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::util::MakeTempDir("store-");
    Open(SyncPolicy::kAlways);
  }
  void Open(SyncPolicy sync) {
    store_.reset();
    StoreOptions opts;
    opts.data_dir = dir_;
    opts.sync = sync;
    opts.segment_bytes = 64 * 1024;
    auto s = Store::Open(opts);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(s).value();
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, CreateInfoAndErrors) {
  auto info = store_->CreateStream(Create("ORDERS", {"orders.>"}));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->config().max_msgs(), -1);
  EXPECT_GT(info->created_ns(), 0);
  EXPECT_TRUE(store_->CreateStream(Create("ORDERS", {"orders.>"})).ok()) << "same config is idempotent";
  EXPECT_EQ(ErrCode(store_->CreateStream(Create("ORDERS", {"other"})).status()), 10058);
  EXPECT_EQ(ErrCode(store_->CreateStream(Create("OTHER", {"orders.new"})).status()), 10065);
  EXPECT_EQ(ErrCode(store_->CreateStream(Create("bad.name")).status()), 10052);
  v1::StreamInfoRequest missing;
  missing.set_name("NOPE");
  EXPECT_EQ(ErrCode(store_->GetStreamInfo(missing).status()), 10059);
  auto sealed = Create("SEALED");
  sealed.mutable_config()->set_sealed(true);
  EXPECT_EQ(store_->CreateStream(sealed).status().message(),
            "stream configuration for create can not be sealed");

  v1::UpdateStreamRequest upd;
  *upd.mutable_config() = info->config();
  upd.mutable_config()->set_max_msgs(5);
  EXPECT_EQ(store_->UpdateStream(upd)->config().max_msgs(), 5);
  upd.mutable_config()->set_storage(v1::STORAGE_MEMORY);
  EXPECT_EQ(ErrCode(store_->UpdateStream(upd).status()), 10052);

  v1::DeleteStreamRequest del;
  del.set_name("ORDERS");
  EXPECT_TRUE(store_->DeleteStream(del).ok());
  EXPECT_EQ(ErrCode(store_->DeleteStream(del)), 10059);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/streams/ORDERS"));
  EXPECT_TRUE(store_->CreateStream(Create("OTHER", {"orders.new"})).ok());
}

TEST_F(StoreTest, SubjectsOverlapOnlyWithinAnAccount) {
  auto a = Create("A~ORDERS", {"orders.>"});
  a.mutable_config()->set_account("A");
  ASSERT_TRUE(store_->CreateStream(a).ok());
  auto b = Create("B~ORDERS", {"orders.>"});
  b.mutable_config()->set_account("B");
  ASSERT_TRUE(store_->CreateStream(b).ok());
  EXPECT_TRUE(store_->CreateStream(Create("ORDERS", {"orders.>"})).ok());
  auto a2 = Create("A~OTHER", {"orders.new"});
  a2.mutable_config()->set_account("A");
  EXPECT_EQ(ErrCode(store_->CreateStream(a2).status()), 10065);
  v1::UpdateStreamRequest move;
  *move.mutable_config() = a.config();
  move.mutable_config()->set_account("B");
  EXPECT_EQ(ErrCode(store_->UpdateStream(move).status()), 10052);
}

TEST_F(StoreTest, DataDirectoryIsLocked) {
  StoreOptions opts;
  opts.data_dir = dir_;
  auto second = Store::Open(opts);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  store_.reset();
  EXPECT_TRUE(Store::Open(opts).ok());
}

TEST_F(StoreTest, AppendResultsInOrderAndUnknownStream) {
  ASSERT_TRUE(store_->CreateStream(Create("A", {"a.>"})).ok());
  ASSERT_TRUE(store_->CreateStream(Create("B", {"b"}, v1::STORAGE_MEMORY)).ok());
  v1::AppendBatch batch;
  *batch.add_requests() = Msg("A", "a.1", "x", 10);
  *batch.add_requests() = Msg("B", "b", "y", 11);
  *batch.add_requests() = Msg("NOPE", "n", "z", 12);
  *batch.add_requests() = Msg("A", "a.2", "w", 13);
  *batch.add_requests() = Msg("", "a.3", "by subject", 14);
  *batch.add_requests() = Msg("", "zzz", "no stream", 15);
  v1::AppendResultBatch res = AppendSync(store_.get(), batch);
  ASSERT_EQ(res.results_size(), 6);
  EXPECT_EQ(res.results(4).stream(), "A");
  EXPECT_EQ(res.results(4).seq(), 3u);
  EXPECT_EQ(res.results(5).error().err_code(), 10059);
  EXPECT_EQ(res.results(0).id(), 10u);
  EXPECT_EQ(res.results(0).seq(), 1u);
  EXPECT_EQ(res.results(1).seq(), 1u);
  EXPECT_EQ(res.results(2).error().err_code(), 10059);
  EXPECT_EQ(res.results(3).seq(), 2u);
  v1::GetMessageRequest get;
  get.set_stream("A");
  get.set_seq(2);
  EXPECT_EQ(store_->GetMessage(get)->data(), "w");
}

TEST_F(StoreTest, RestartRecoversStreamsAndMessages) {
  ASSERT_TRUE(store_->CreateStream(Create("F", {"f.*"})).ok());
  ASSERT_TRUE(store_->CreateStream(Create("M", {"m"}, v1::STORAGE_MEMORY)).ok());
  for (int i = 0; i < 200; ++i) {
    v1::AppendBatch b;
    *b.add_requests() = Msg("F", "f.x", std::string(500, 'a' + i % 26));
    *b.add_requests() = Msg("M", "m", "mem");
    AppendSync(store_.get(), b);
  }
  v1::DeleteMessageRequest del;
  del.set_stream("F");
  del.set_seq(7);
  ASSERT_TRUE(store_->DeleteMessage(del).ok());
  Open(SyncPolicy::kInterval);
  v1::StreamInfoRequest req;
  req.set_name("F");
  auto f = store_->GetStreamInfo(req);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->state().messages(), 199u);
  EXPECT_EQ(f->state().last_seq(), 200u);
  EXPECT_EQ(f->state().num_deleted(), 1);
  req.set_name("M");
  EXPECT_EQ(ErrCode(store_->GetStreamInfo(req).status()), 10059)
      << "a memory stream is gone after a restart, as in a single nats-server";
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/streams/M"));
  EXPECT_TRUE(store_->CreateStream(Create("M", {"m", "m2"}, v1::STORAGE_MEMORY)).ok())
      << "its name is free for a new stream";
  v1::GetMessageRequest get;
  get.set_stream("F");
  get.set_seq(200);
  EXPECT_EQ(store_->GetMessage(get)->data(), std::string(500, 'a' + 199 % 26));
  v1::AppendBatch b;
  *b.add_requests() = Msg("F", "f.y", "after");
  EXPECT_EQ(AppendSync(store_.get(), b).results(0).seq(), 201u);
}

TEST_F(StoreTest, ConsumerFiltersDecideWhatAnInterestStreamKeepsAndSurviveARestart) {
  v1::CreateStreamRequest create = Create("I", {"i.*"});
  create.mutable_config()->set_retention(v1::RETENTION_INTEREST);
  ASSERT_TRUE(store_->CreateStream(create).ok());
  v1::SetConsumerFiltersRequest set;
  set.set_stream("I");
  set.add_filters("i.b");
  set.add_filters("i.a");
  auto range = store_->SetConsumerFilters(set);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->first_seq(), 1u);
  EXPECT_EQ(range->last_seq(), 0u);
  set.set_stream("nope");
  EXPECT_EQ(ErrCode(store_->SetConsumerFilters(set).status()), 10059);

  Open(SyncPolicy::kInterval);
  v1::AppendBatch b;
  for (const char* subject : {"i.a", "i.c", "i.b"}) *b.add_requests() = Msg("I", subject, "x");
  v1::AppendResultBatch results = AppendSync(store_.get(), b);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(results.results(i).seq(), static_cast<uint64_t>(i + 1));
  v1::StreamInfoRequest req;
  req.set_name("I");
  auto info = store_->GetStreamInfo(req);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state().messages(), 2u) << "i.c matches no consumer";
  EXPECT_EQ(
      std::vector<std::string>(info->consumer_filters().begin(), info->consumer_filters().end()),
      (std::vector<std::string>{"i.a", "i.b"}));
}

TEST_F(StoreTest, RemoveMessagesInOneCall) {
  v1::CreateStreamRequest create = Create("W", {"w.*"});
  create.mutable_config()->set_retention(v1::RETENTION_WORK_QUEUE);
  ASSERT_TRUE(store_->CreateStream(create).ok());
  v1::AppendBatch b;
  for (int i = 0; i < 5; ++i) *b.add_requests() = Msg("W", i % 2 ? "w.odd" : "w.even", "x");
  AppendSync(store_.get(), b);
  v1::RemoveMessagesRequest remove;
  remove.set_stream("W");
  v1::Removal* r = remove.add_removals();
  r->set_first_seq(1);
  r->set_last_seq(4);
  r->add_keep_subjects("w.odd");
  r = remove.add_removals();
  r->set_first_seq(5);
  r->set_last_seq(5);
  absl::StatusOr<v1::RemoveMessagesResponse> got;
  store_->RemoveMessages(remove, [&](absl::StatusOr<v1::RemoveMessagesResponse> response) {
    got = std::move(response);
  });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->removed(), 3u);
  Open(SyncPolicy::kInterval);
  v1::StreamInfoRequest req;
  req.set_name("W");
  req.set_deleted_details(true);
  auto info = store_->GetStreamInfo(req);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state().messages(), 2u);
  EXPECT_EQ(info->state().first_seq(), 2u);
  remove.set_stream("nope");
  store_->RemoveMessages(remove, [&](absl::StatusOr<v1::RemoveMessagesResponse> response) {
    got = std::move(response);
  });
  EXPECT_EQ(ErrCode(got.status()), 10059);
}

TEST_F(StoreTest, ListAndNamesPage) {
  for (const char* n : {"E", "A", "C", "B", "D"}) {
    ASSERT_TRUE(store_->CreateStream(Create(n, {std::string("s.") + n})).ok());
  }
  v1::ListStreamsRequest req;
  req.set_offset(1);
  req.set_limit(2);
  auto names = store_->StreamNames(req);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->total(), 5);
  ASSERT_EQ(names->names_size(), 2);
  EXPECT_EQ(names->names(0), "B");
  EXPECT_EQ(names->names(1), "C");
  v1::ListStreamsRequest filtered;
  filtered.set_subject("s.D");
  auto list = store_->ListStreams(filtered);
  ASSERT_EQ(list->streams_size(), 1);
  EXPECT_EQ(list->streams(0).config().name(), "D");
  EXPECT_EQ(list->limit(), common::kListLimit);
  EXPECT_EQ(store_->StreamNames(v1::ListStreamsRequest())->limit(), common::kNamesLimit);
}

TEST_F(StoreTest, ConcurrentPipelinedAppendersAllAcked) {
  ASSERT_TRUE(store_->CreateStream(Create("P", {"p.*"})).ok());
  constexpr int kThreads = 4;
  constexpr int kBatches = 50;
  constexpr int kPerBatch = 8;
  absl::Mutex mu;
  int acked = 0;
  std::vector<uint64_t> seqs;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        v1::AppendBatch batch;
        for (int i = 0; i < kPerBatch; ++i) *batch.add_requests() = Msg("P", "p.t", "x", t);
        store_->Append(batch, [&](v1::AppendResultBatch r) {
          absl::MutexLock lock(&mu);
          for (const auto& res : r.results()) {
            EXPECT_FALSE(res.has_error());
            seqs.push_back(res.seq());
          }
          ++acked;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(+[](int* n) { return *n == kThreads * kBatches; }, &acked));
  std::sort(seqs.begin(), seqs.end());
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kThreads * kBatches * kPerBatch));
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

TEST_F(StoreTest, ReadRangeFilterAndTail) {
  ASSERT_TRUE(store_->CreateStream(Create("R", {"r.*"})).ok());
  v1::AppendBatch b;
  for (int i = 0; i < 10; ++i) *b.add_requests() = Msg("R", i % 2 ? "r.odd" : "r.even", "x");
  AppendSync(store_.get(), b);

  v1::ReadRequest range;
  range.set_stream("R");
  range.set_filter_subject("r.odd");
  range.set_max_batch(2);
  std::vector<uint64_t> got;
  absl::Notification done;
  absl::Status done_status;
  auto sub = store_->Read(
      range,
      [&](const v1::MessageBatch& batch) {
        EXPECT_LE(batch.messages_size(), 2);
        EXPECT_EQ(batch.stream_last_seq(), 10u);
        for (const auto& m : batch.messages()) got.push_back(m.seq());
        return true;
      },
      [&](absl::Status st) {
        done_status = st;
        done.Notify();
      });
  done.WaitForNotification();
  EXPECT_TRUE(done_status.ok());
  EXPECT_EQ(got, (std::vector<uint64_t>{2, 4, 6, 8, 10}));

  v1::ReadRequest tail;
  tail.set_stream("R");
  tail.set_start_seq(9);
  tail.set_tail(true);
  absl::Mutex mu;
  std::vector<uint64_t> tailed;
  absl::Notification tail_done;
  auto tsub = store_->Read(
      tail,
      [&](const v1::MessageBatch& batch) {
        absl::MutexLock lock(&mu);
        for (const auto& m : batch.messages()) tailed.push_back(m.seq());
        return true;
      },
      [&](absl::Status) { tail_done.Notify(); });
  v1::AppendBatch more;
  *more.add_requests() = Msg("R", "r.new", "y");
  *more.add_requests() = Msg("R", "r.new", "z");
  AppendSync(store_.get(), more);
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(+[](std::vector<uint64_t>* v) { return v->size() == 4; }, &tailed));
    EXPECT_EQ(tailed, (std::vector<uint64_t>{9, 10, 11, 12}));
  }
  tsub->Cancel();
  EXPECT_FALSE(tail_done.HasBeenNotified());

  v1::ReadRequest missing;
  missing.set_stream("NOPE");
  absl::Status missing_status;
  store_->Read(missing, [](const v1::MessageBatch&) { return true; },
               [&](absl::Status st) { missing_status = st; });
  EXPECT_EQ(ErrCode(missing_status), 10059);
}

v1::FilteredStateRequest Filtered(const std::string& stream, std::vector<std::string> filters,
                                  uint64_t start_seq = 0, bool last_per_subject = false) {
  v1::FilteredStateRequest req;
  req.set_stream(stream);
  for (std::string& f : filters) req.add_filter_subjects(std::move(f));
  req.set_start_seq(start_seq);
  req.set_last_per_subject(last_per_subject);
  return req;
}

// A FilteredStateResponse, printed.
std::string Str(const absl::StatusOr<v1::FilteredStateResponse>& r) {
  if (!r.ok()) return r.status().ToString();
  return absl::StrCat("msgs=", r->messages(), " first=", r->first_seq(), " last=", r->last_seq(),
                      " stream=", r->stream_first_seq(), "..", r->stream_last_seq(),
                      " start=", r->start_seq(), " lps=[",
                      absl::StrJoin(r->last_per_subject(), ","), "]");
}

TEST_F(StoreTest, FilteredStateOnFileAndMemoryStreams) {
  for (v1::StorageType storage : {v1::STORAGE_FILE, v1::STORAGE_MEMORY}) {
    const std::string name = storage == v1::STORAGE_FILE ? "F" : "M";
    const std::string p = storage == v1::STORAGE_FILE ? "f." : "m.";
    SCOPED_TRACE(name);
    ASSERT_TRUE(store_->CreateStream(Create(name, {p + ">"}, storage)).ok());
    auto fs = [&](std::vector<std::string> filters, uint64_t start = 0, bool lps = false) {
      for (std::string& f : filters) f = p + f;
      return Str(store_->FilteredState(Filtered(name, std::move(filters), start, lps)));
    };
    EXPECT_EQ(fs({}), "msgs=0 first=0 last=0 stream=1..0 start=1 lps=[]") << "empty";
    v1::AppendBatch batch;
    for (const char* s : {"orders.new", "orders.paid", "users.new", "orders.new", "orders.paid",
                          "users.old", "orders.new", "users.new"}) {
      *batch.add_requests() = Msg(name, p + s, "x");
    }
    AppendSync(store_.get(), batch);
    EXPECT_EQ(fs({"orders.new"}), "msgs=3 first=1 last=7 stream=1..8 start=1 lps=[]");
    EXPECT_EQ(fs({"orders.new"}, 2), "msgs=2 first=4 last=7 stream=1..8 start=2 lps=[]");
    EXPECT_EQ(fs({"orders.*"}, 3), "msgs=3 first=4 last=7 stream=1..8 start=3 lps=[]");
    EXPECT_EQ(fs({"orders.paid", "users.*"}, 4),
              "msgs=3 first=5 last=8 stream=1..8 start=4 lps=[]");
    EXPECT_EQ(fs({"*.new"}, 0, true), "msgs=5 first=1 last=8 stream=1..8 start=1 lps=[7,8]");

    v1::DeleteMessageRequest del;
    del.set_stream(name);
    del.set_seq(1);
    ASSERT_TRUE(store_->DeleteMessage(del).ok());
    v1::PurgeStreamRequest purge;
    purge.set_name(name);
    purge.set_filter(p + "users.new");
    ASSERT_EQ(store_->PurgeStream(purge)->purged(), 2u);
    EXPECT_EQ(fs({"orders.new"}), "msgs=2 first=4 last=7 stream=2..8 start=2 lps=[]");
    EXPECT_EQ(fs({}, 0, true), "msgs=5 first=2 last=7 stream=2..8 start=2 lps=[5,6,7]");
    EXPECT_EQ(fs({"users.new"}, 0, true), "msgs=0 first=0 last=0 stream=2..8 start=2 lps=[]");

    // Times from the store's clock: the start is the first message stored
    // at or after message 5's time.
    v1::GetMessageRequest get;
    get.set_stream(name);
    get.set_seq(5);
    const int64_t t5 = store_->GetMessage(get)->time_ns();
    uint64_t want_start = 5;
    for (uint64_t seq = 2; seq < 5; ++seq) {
      get.set_seq(seq);
      auto m = store_->GetMessage(get);
      if (m.ok() && m->time_ns() >= t5) {
        want_start = seq;
        break;
      }
    }
    v1::FilteredStateRequest by_time = Filtered(name, {p + "orders.paid"}, 1);
    by_time.set_start_time_ns(t5);
    auto from_time = store_->FilteredState(by_time);
    ASSERT_TRUE(from_time.ok()) << from_time.status();
    EXPECT_EQ(from_time->start_seq(), want_start);
    EXPECT_EQ(from_time->first_seq(), want_start <= 2 ? 2u : 5u);
  }
  EXPECT_EQ(ErrCode(store_->FilteredState(Filtered("NOPE", {})).status()), 10059);
}

TEST_F(StoreTest, ReadWithSeveralFiltersAndBySequences) {
  auto read = [this](const v1::ReadRequest& request) {
    auto seqs = testing::util::ReadSeqs(store_.get(), request);
    EXPECT_TRUE(seqs.ok()) << seqs.status();
    return seqs.value_or(std::vector<uint64_t>{});
  };
  for (v1::StorageType storage : {v1::STORAGE_FILE, v1::STORAGE_MEMORY}) {
    const std::string name = storage == v1::STORAGE_FILE ? "F" : "M";
    const std::string p = storage == v1::STORAGE_FILE ? "f." : "m.";
    SCOPED_TRACE(name);
    ASSERT_TRUE(store_->CreateStream(Create(name, {p + ">"}, storage)).ok());
    v1::AppendBatch batch;
    for (const char* s : {"a", "b", "c.1", "a", "c.2", "b", "d"}) {
      *batch.add_requests() = Msg(name, p + s, "x");
    }
    AppendSync(store_.get(), batch);

    v1::ReadRequest several;
    several.set_stream(name);
    several.set_filter_subject(p + "a");
    several.add_filter_subjects(p + "c.*");
    several.add_filter_subjects(p + "a");
    several.set_max_batch(2);
    EXPECT_EQ(read(several), (std::vector<uint64_t>{1, 3, 4, 5}));
    several.clear_filter_subject();
    several.add_filter_subjects(p + "d");
    several.set_start_seq(4);
    EXPECT_EQ(read(several), (std::vector<uint64_t>{4, 5, 7}));

    v1::ReadRequest by_seq;
    by_seq.set_stream(name);
    for (uint64_t seq : {6, 2, 99, 2, 1}) by_seq.add_seqs(seq);
    by_seq.set_start_seq(5);  // Ignored with seqs,
    by_seq.set_tail(true);    // as is tail: the read ends.
    by_seq.set_max_batch(1);
    EXPECT_EQ(read(by_seq), (std::vector<uint64_t>{6, 2, 2, 1}));
    by_seq.add_filter_subjects(p + "a");
    EXPECT_EQ(read(by_seq), (std::vector<uint64_t>{1}));
    by_seq.clear_filter_subjects();
    by_seq.set_max_messages(2);
    EXPECT_EQ(read(by_seq), (std::vector<uint64_t>{6, 2}));
  }
}

TEST_F(StoreTest, WatchSendsSnapshotThenEvents) {
  ASSERT_TRUE(store_->CreateStream(Create("OLD", {"old"})).ok());
  absl::Mutex mu;
  std::vector<std::pair<v1::StreamEvent::Kind, std::string>> events;
  auto sub = store_->WatchStreams([&](const v1::StreamEvent& e) {
    absl::MutexLock lock(&mu);
    events.emplace_back(e.kind(), e.name());
  });
  auto info = store_->CreateStream(Create("NEW", {"new"}));
  v1::UpdateStreamRequest upd;
  *upd.mutable_config() = info->config();
  upd.mutable_config()->set_max_msgs(3);
  ASSERT_TRUE(store_->UpdateStream(upd).ok());
  v1::PurgeStreamRequest purge;
  purge.set_name("NEW");
  ASSERT_TRUE(store_->PurgeStream(purge).ok());
  v1::DeleteStreamRequest del;
  del.set_name("NEW");
  ASSERT_TRUE(store_->DeleteStream(del).ok());
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](decltype(events)* v) { return v->size() == 6; }, &events));
  using E = v1::StreamEvent;
  decltype(events) want = {{E::SNAPSHOT, "OLD"}, {E::SNAPSHOT_DONE, ""}, {E::CREATED, "NEW"},
                           {E::UPDATED, "NEW"}, {E::PURGED, "NEW"},   {E::DELETED, "NEW"}};
  EXPECT_EQ(events, want);
}

// A gateway binds a stream's subjects in its watch callback; a client that
// publishes right after its create returns must find them bound.
TEST_F(StoreTest, ChangesReturnAfterEveryWatcherHandledTheirEvent) {
  absl::Mutex mu;
  int returned = 0;
  std::vector<std::pair<v1::StreamEvent::Kind, int>> seen;
  auto sub = store_->WatchStreams([&](const v1::StreamEvent& e) {
    absl::MutexLock lock(&mu);
    seen.emplace_back(e.kind(), returned);
  });
  auto count_return = [&] {
    absl::MutexLock lock(&mu);
    ++returned;
  };
  auto info = store_->CreateStream(Create("NEW", {"new"}));
  ASSERT_TRUE(info.ok()) << info.status();
  count_return();
  v1::UpdateStreamRequest upd;
  *upd.mutable_config() = info->config();
  upd.mutable_config()->set_max_msgs(3);
  ASSERT_TRUE(store_->UpdateStream(upd).ok());
  count_return();
  v1::PurgeStreamRequest purge;
  purge.set_name("NEW");
  ASSERT_TRUE(store_->PurgeStream(purge).ok());
  count_return();
  v1::DeleteStreamRequest del;
  del.set_name("NEW");
  ASSERT_TRUE(store_->DeleteStream(del).ok());
  absl::MutexLock lock(&mu);
  using E = v1::StreamEvent;
  // Each event was handled while the changes before its own had returned.
  decltype(seen) want = {
      {E::SNAPSHOT_DONE, 0}, {E::CREATED, 0}, {E::UPDATED, 1}, {E::PURGED, 2}, {E::DELETED, 3}};
  EXPECT_EQ(seen, want);
}

TEST_F(StoreTest, AWatcherMayChangeStreamsFromItsCallback) {
  absl::Notification created;
  auto sub = store_->WatchStreams([&](const v1::StreamEvent& e) {
    if (e.kind() != v1::StreamEvent::CREATED || e.name() != "FIRST") return;
    EXPECT_TRUE(store_->CreateStream(Create("SECOND", {"second"})).ok());
    created.Notify();
  });
  ASSERT_TRUE(store_->CreateStream(Create("FIRST", {"first"})).ok());
  EXPECT_TRUE(created.HasBeenNotified());
}

// Every regular file below `dir`, by path relative to it, with its bytes.
std::map<std::string, std::string> FilesUnder(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    files[std::filesystem::relative(e.path(), dir).string()] = bytes.str();
  }
  return files;
}

// Tests of a stream directory whose meta files are damaged while the store
// is closed: one damaged copy costs nothing; with both damaged, the segments
// must survive a CreateStream of the same name.
class DamagedMetaTest : public StoreTest {
 protected:
  std::string StreamDir() const { return dir_ + "/streams/KV"; }
  std::string MetaPath() const { return StreamDir() + "/meta.pb"; }
  std::string BackupPath() const { return StreamDir() + "/meta.pb.bak"; }

  // Creates file stream KV with messages in several segments, closes the
  // store and returns the segment count.
  int FillAndClose() {
    EXPECT_TRUE(store_->CreateStream(Create("KV", {"kv.>"})).ok());
    for (int b = 0; b < 10; ++b) {
      v1::AppendBatch batch;
      for (int i = 0; i < 30; ++i) *batch.add_requests() = Msg("KV", "kv.k", std::string(500, 'v'));
      AppendSync(store_.get(), batch);
    }
    store_.reset();
    int segments = 0;
    for (const auto& [path, bytes] : FilesUnder(StreamDir())) {
      if (absl::EndsWith(path, ".seg")) ++segments;
    }
    return segments;
  }

  // The directories under <data_dir>/quarantine, sorted.
  std::vector<std::string> Quarantined() const {
    std::vector<std::string> dirs;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/quarantine", ec)) {
      dirs.push_back(e.path().string());
    }
    std::sort(dirs.begin(), dirs.end());
    return dirs;
  }

  // Damages both meta files with `damage`, reopens the store and checks
  // that the old directory was moved to quarantine byte for byte, and that a
  // create of the same name gives a new empty stream that works and survives
  // a restart.
  void ExpectQuarantinedAfter(const std::function<void(const std::string&)>& damage) {
    ASSERT_GE(FillAndClose(), 3);
    damage(MetaPath());
    damage(BackupPath());
    const std::map<std::string, std::string> before = FilesUnder(StreamDir());
    Open(SyncPolicy::kAlways);
    EXPECT_FALSE(std::filesystem::exists(StreamDir()));
    v1::StreamInfoRequest info;
    info.set_name("KV");
    EXPECT_EQ(ErrCode(store_->GetStreamInfo(info).status()), 10059);
    auto created = store_->CreateStream(Create("KV", {"kv.>"}));
    ASSERT_TRUE(created.ok()) << created.status();
    EXPECT_EQ(created->state().messages(), 0u);
    v1::AppendBatch batch;
    *batch.add_requests() = Msg("KV", "kv.k", "fresh");
    EXPECT_EQ(AppendSync(store_.get(), batch).results(0).seq(), 1u);
    Open(SyncPolicy::kAlways);
    auto reopened = store_->GetStreamInfo(info);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    EXPECT_EQ(reopened->state().messages(), 1u);
    const std::vector<std::string> quarantined = Quarantined();
    ASSERT_EQ(quarantined.size(), 1u);
    EXPECT_TRUE(absl::StartsWith(std::filesystem::path(quarantined[0]).filename().string(), "KV."))
        << quarantined[0];
    EXPECT_EQ(FilesUnder(quarantined[0]), before);
  }
};

void FlipMiddleBit(const std::string& path) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  const auto size = std::filesystem::file_size(path);
  f.seekg(size / 2);
  const char c = static_cast<char>(f.get() ^ 0x01);
  f.seekp(size / 2);
  f.put(c);
}

void Truncate(const std::string& path) {
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
}

void Remove(const std::string& path) { ASSERT_TRUE(std::filesystem::remove(path)); }

TEST_F(DamagedMetaTest, FlippedBitsQuarantineTheStream) { ExpectQuarantinedAfter(FlipMiddleBit); }

TEST_F(DamagedMetaTest, TruncatedMetaFilesQuarantineTheStream) { ExpectQuarantinedAfter(Truncate); }

TEST_F(DamagedMetaTest, MissingMetaFilesQuarantineTheStream) { ExpectQuarantinedAfter(Remove); }

TEST_F(DamagedMetaTest, OneDamagedCopyCostsNoMessageAndIsRewritten) {
  ASSERT_GE(FillAndClose(), 3);
  const std::string good = FilesUnder(StreamDir()).at("meta.pb");
  int round = 0;
  for (const auto& damage : {FlipMiddleBit, Truncate, Remove}) {
    for (const std::string& path : {MetaPath(), BackupPath()}) {
      SCOPED_TRACE(absl::StrCat("round ", round++, ": ", path));
      damage(path);
      Open(SyncPolicy::kAlways);
      v1::StreamInfoRequest info;
      info.set_name("KV");
      auto recovered = store_->GetStreamInfo(info);
      ASSERT_TRUE(recovered.ok()) << recovered.status();
      EXPECT_EQ(recovered->state().messages(), 300u);
      EXPECT_EQ(recovered->config().subjects(0), "kv.>");
      store_.reset();
      const std::map<std::string, std::string> files = FilesUnder(StreamDir());
      EXPECT_EQ(files.at("meta.pb"), good);
      EXPECT_EQ(files.at("meta.pb.bak"), good);
    }
  }
  EXPECT_TRUE(Quarantined().empty());
}

TEST_F(DamagedMetaTest, QuarantineKeepsEveryEarlierCopy) {
  ASSERT_NO_FATAL_FAILURE(ExpectQuarantinedAfter(Remove));
  const std::map<std::string, std::string> first = FilesUnder(Quarantined()[0]);
  store_.reset();
  std::filesystem::remove(MetaPath());
  std::filesystem::remove(BackupPath());
  const std::map<std::string, std::string> second = FilesUnder(StreamDir());
  Open(SyncPolicy::kAlways);
  const std::vector<std::string> quarantined = Quarantined();
  ASSERT_EQ(quarantined.size(), 2u);
  std::vector<std::map<std::string, std::string>> kept;
  for (const std::string& q : quarantined) kept.push_back(FilesUnder(q));
  EXPECT_TRUE(kept[0] == first || kept[1] == first);
  EXPECT_TRUE(kept[0] == second || kept[1] == second);
}

TEST_F(DamagedMetaTest, QuarantinesAStreamOfTheLongestName) {
  const std::string name(common::kMaxNameLen, 'N');
  ASSERT_TRUE(store_->CreateStream(Create(name)).ok());
  store_.reset();
  ASSERT_TRUE(std::filesystem::remove(dir_ + "/streams/" + name + "/meta.pb"));
  ASSERT_TRUE(std::filesystem::remove(dir_ + "/streams/" + name + "/meta.pb.bak"));
  Open(SyncPolicy::kAlways);
  EXPECT_EQ(Quarantined().size(), 1u);
  EXPECT_TRUE(store_->CreateStream(Create(name)).ok());
}

TEST_F(DamagedMetaTest, ReadsUnframedMetaOfEarlierVersions) {
  ASSERT_GE(FillAndClose(), 3);
  Open(SyncPolicy::kAlways);
  v1::StreamInfoRequest req;
  req.set_name("KV");
  auto info = store_->GetStreamInfo(req);
  ASSERT_TRUE(info.ok()) << info.status();
  store_.reset();
  v1::StreamInfo meta;
  *meta.mutable_config() = info->config();
  meta.set_created_ns(info->created_ns());
  {
    std::ofstream out(MetaPath(), std::ios::binary | std::ios::trunc);
    out << meta.SerializeAsString();
  }
  std::filesystem::remove(BackupPath());
  Open(SyncPolicy::kAlways);
  auto recovered = store_->GetStreamInfo(req);
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->state().messages(), 300u);
  EXPECT_EQ(recovered->created_ns(), info->created_ns());
  EXPECT_TRUE(Quarantined().empty());
}

TEST_F(DamagedMetaTest, MissingSegmentIsReportedInStreamInfoAndItsSequencesNotReused) {
  ASSERT_GE(FillAndClose(), 3);
  std::vector<std::string> segments;
  for (const auto& [path, bytes] : FilesUnder(StreamDir())) {
    if (absl::EndsWith(path, ".seg")) segments.push_back(StreamDir() + "/" + path);
  }
  ASSERT_TRUE(std::filesystem::remove(segments.back()));
  Open(SyncPolicy::kAlways);
  v1::StreamInfoRequest req;
  req.set_name("KV");
  auto info = store_->GetStreamInfo(req);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_TRUE(info->state().has_lost());
  const auto& lost = info->state().lost();
  ASSERT_GT(lost.msgs_size(), 0);
  EXPECT_EQ(lost.msgs(lost.msgs_size() - 1), 300u);
  EXPECT_GT(lost.bytes(), 0u);
  EXPECT_EQ(info->state().messages(), 300u - lost.msgs_size());
  EXPECT_EQ(info->state().last_seq(), 300u);
  v1::AppendBatch batch;
  *batch.add_requests() = Msg("KV", "kv.k", "after");
  EXPECT_EQ(AppendSync(store_.get(), batch).results(0).seq(), 301u);
}

TEST_F(StoreTest, CreateLeavesAnUnrecoveredDirectoryAlone) {
  const std::string dir = dir_ + "/streams/STRAY";
  std::filesystem::create_directories(dir + "/msgs");
  { std::ofstream(dir + "/msgs/0000000001.seg") << "somebody's data"; }
  EXPECT_FALSE(store_->CreateStream(Create("STRAY", {"stray"})).ok());
  EXPECT_EQ(FilesUnder(dir).at("msgs/0000000001.seg"), "somebody's data");
}

// A store with nats-server's server-wide limits (max_memory_store,
// max_file_store).
std::unique_ptr<Store> OpenLimited(const std::string& dir, int64_t max_memory,
                                   int64_t max_storage) {
  StoreOptions opts;
  opts.data_dir = dir;
  opts.max_memory = max_memory;
  opts.max_storage = max_storage;
  auto s = Store::Open(opts);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(s).value() : nullptr;
}

v1::StreamInfoRequest InfoRequest(const std::string& name) {
  v1::StreamInfoRequest request;
  request.set_name(name);
  return request;
}

v1::CreateStreamRequest WithMaxBytes(v1::CreateStreamRequest req, int64_t max_bytes) {
  req.mutable_config()->set_max_bytes(max_bytes);
  return req;
}

TEST(StoreLimitsTest, StreamsReserveMaxBytesAgainstTheServerLimits) {
  auto store = OpenLimited(testing::util::MakeTempDir("store-limits-"), 1000, 2000);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(
      ErrCode(store->CreateStream(WithMaxBytes(Create("M1", {"m1"}, v1::STORAGE_MEMORY), 1001))
                  .status()),
      10028);
  EXPECT_EQ(ErrCode(store->CreateStream(WithMaxBytes(Create("F1", {"f1"}), 2001)).status()), 10047);
  ASSERT_TRUE(
      store->CreateStream(WithMaxBytes(Create("M1", {"m1"}, v1::STORAGE_MEMORY), 600)).ok());
  EXPECT_EQ(ErrCode(store->CreateStream(WithMaxBytes(Create("M2", {"m2"}, v1::STORAGE_MEMORY), 401))
                        .status()),
            10028);
  // As nats-server: a create of the same stream counts its reservation again.
  EXPECT_EQ(ErrCode(store->CreateStream(WithMaxBytes(Create("M1", {"m1"}, v1::STORAGE_MEMORY), 600))
                        .status()),
            10028);
  ASSERT_TRUE(
      store->CreateStream(WithMaxBytes(Create("M2", {"m2"}, v1::STORAGE_MEMORY), 400)).ok());
  // Full: a stream without max_bytes needs one byte.
  EXPECT_EQ(ErrCode(store->CreateStream(Create("M3", {"m3"}, v1::STORAGE_MEMORY)).status()), 10028);
  EXPECT_TRUE(store->CreateStream(Create("F2", {"f2"})).ok()) << "file storage is apart";

  v1::UpdateStreamRequest update;
  *update.mutable_config() = WithMaxBytes(Create("M1", {"m1"}, v1::STORAGE_MEMORY), 601).config();
  EXPECT_EQ(ErrCode(store->UpdateStream(update).status()), 10028);
  update.mutable_config()->set_max_bytes(500);
  ASSERT_TRUE(store->UpdateStream(update).ok());
  EXPECT_TRUE(store->CreateStream(Create("M3", {"m3"}, v1::STORAGE_MEMORY)).ok());

  v1::DeleteStreamRequest del;
  del.set_name("M2");
  ASSERT_TRUE(store->DeleteStream(del).ok());
  EXPECT_TRUE(
      store->CreateStream(WithMaxBytes(Create("M4", {"m4"}, v1::STORAGE_MEMORY), 500)).ok());
}

TEST(StoreLimitsTest, PublishesFailOnceTheStorageHoldsMoreThanItsLimit) {
  auto store = OpenLimited(testing::util::MakeTempDir("store-limits-"), 1000, 0);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ErrCode(store->CreateStream(Create("F", {"f"})).status()), 10047);
  ASSERT_TRUE(store->CreateStream(Create("M", {"m"}, v1::STORAGE_MEMORY)).ok());
  ASSERT_TRUE(store->CreateStream(Create("N", {"n"}, v1::STORAGE_MEMORY)).ok());
  const std::string data(300, 'x');
  v1::AppendBatch batch;
  for (int i = 0; i < 5; ++i) *batch.add_requests() = Msg("M", "m", data, i);
  v1::AppendResultBatch res = AppendSync(store.get(), batch);
  ASSERT_EQ(res.results_size(), 5);
  // Each message counts 317 bytes: the fourth crosses 1000 and is stored.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(res.results(i).seq(), i + 1u) << i;
  EXPECT_EQ(res.results(4).error().err_code(), 10023);
  EXPECT_EQ(res.results(4).error().code(), 503);
  EXPECT_EQ(res.results(4).stream(), "M");
  EXPECT_EQ(res.results(4).id(), 4u);

  v1::AppendBatch other;
  *other.add_requests() = Msg("N", "n", "y");
  EXPECT_EQ(AppendSync(store.get(), other).results(0).error().err_code(), 10023)
      << "the limit is the server's, not the stream's";

  v1::PurgeStreamRequest purge;
  purge.set_name("M");
  ASSERT_TRUE(store->PurgeStream(purge).ok());
  EXPECT_EQ(AppendSync(store.get(), other).results(0).seq(), 1u);
}

TEST(StoreLimitsTest, RecoveredStreamsCountAgainstTheLimits) {
  const std::string dir = testing::util::MakeTempDir("store-limits-");
  {
    auto store = OpenLimited(dir, -1, -1);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateStream(Create("F", {"f"})).ok());
    v1::AppendBatch batch;
    for (int i = 0; i < 4; ++i) *batch.add_requests() = Msg("F", "f", std::string(300, 'x'));
    AppendSync(store.get(), batch);
  }
  // Without max_bytes it reserves nothing: loaded, and what it holds counts.
  auto store = OpenLimited(dir, -1, 600);
  ASSERT_NE(store, nullptr);
  v1::AppendBatch batch;
  *batch.add_requests() = Msg("F", "f", "y");
  EXPECT_EQ(AppendSync(store.get(), batch).results(0).error().err_code(), 10023);
}

// As nats-server's restore: a stream whose max_bytes no longer fits beside
// those loaded before it (in name order) is not loaded; its files stay.
TEST(StoreLimitsTest, StreamsWhoseReservationNoLongerFitsAreNotLoaded) {
  const std::string dir = testing::util::MakeTempDir("store-limits-");
  {
    auto store = OpenLimited(dir, -1, -1);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateStream(WithMaxBytes(Create("A", {"a"}), 400)).ok());
    ASSERT_TRUE(store->CreateStream(WithMaxBytes(Create("B", {"b"}), 400)).ok());
    v1::AppendBatch batch;
    *batch.add_requests() = Msg("B", "b", "kept");
    AppendSync(store.get(), batch);
  }
  {
    auto store = OpenLimited(dir, -1, 600);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->GetStreamInfo(InfoRequest("A")).ok());
    EXPECT_EQ(ErrCode(store->GetStreamInfo(InfoRequest("B")).status()), 10059);
  }
  auto store = OpenLimited(dir, -1, -1);
  ASSERT_NE(store, nullptr);
  absl::StatusOr<v1::StreamInfo> info = store->GetStreamInfo(InfoRequest("B"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->state().messages(), 1u);
}

}  // namespace
}  // namespace jsengine::storesvc
