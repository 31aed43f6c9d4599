#include "consumersvc/state_store.h"

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/checksummed_record.h"
#include "common/durable_file.h"
#include "consumersvc/journal_record.h"
#include "consumersvc/state_encoding.h"
#include "consumersvc/state_format.h"
#include "consumersvc/state_store_test_util.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::consumersvc {
namespace {

namespace fs = std::filesystem;
using common::SyncPolicy;

// Collects log lines, to check that recovery reports what it cut.
class LogCapture : public google::LogSink {
 public:
  LogCapture() { google::AddLogSink(this); }
  ~LogCapture() override { google::RemoveLogSink(this); }

  void send(google::LogSeverity severity, const char*, const char*, int,
            const google::LogMessageTime&, const char* message, size_t length) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(severity, std::string(message, length));
  }

  // Whether a line of `severity` holds every one of `parts`.
  bool Has(google::LogSeverity severity, const std::vector<std::string>& parts) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [s, line] : lines_) {
      bool all = s == severity;
      for (const std::string& part : parts) all = all && absl::StrContains(line, part);
      if (all) return true;
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<google::LogSeverity, std::string>> lines_;
};

JournalRecord Deliver(uint64_t dseq, uint64_t sseq, uint64_t dc = 1) {
  JournalRecord r;
  r.type = state_format::kDelivered;
  r.consumer_seq = dseq;
  r.stream_seq = sseq;
  r.delivery_count = dc;
  r.delivered_ns = static_cast<int64_t>(1000 * dseq);
  return r;
}

JournalRecord Ack(uint64_t sseq, SequencePair floor) {
  JournalRecord r;
  r.type = state_format::kAck;
  r.stream_seq = sseq;
  r.ack_floor = floor;
  return r;
}

JournalRecord SetState(const ConsumerState& state) {
  JournalRecord r;
  r.type = state_format::kState;
  r.state = state;
  return r;
}

void Do(ConsumerStateWriter* writer, const JournalRecord& op) {
  switch (op.type) {
    case state_format::kDelivered:
      writer->RecordDelivered(op.consumer_seq, op.stream_seq, op.delivery_count, op.delivered_ns);
      return;
    case state_format::kAck:
      writer->RecordAck(op.stream_seq, op.ack_floor);
      return;
    case state_format::kState:
      writer->RecordState(op.state);
      return;
    case state_format::kJournalHeader:
      return;
  }
}

ConsumerState Pending(ConsumerState s, std::map<uint64_t, uint64_t> pending_dseq,
                      std::map<uint64_t, uint64_t> redelivered = {}) {
  for (const auto& [sseq, dseq] : pending_dseq) {
    s.pending[sseq] = {dseq, static_cast<int64_t>(1000 * dseq)};
  }
  for (const auto& [sseq, count] : redelivered) s.redelivered[sseq] = count;
  return s;
}

ConsumerState Pairs(SequencePair delivered, SequencePair ack_floor) {
  ConsumerState s;
  s.delivered = delivered;
  s.ack_floor = ack_floor;
  return s;
}

std::string Show(const ConsumerState& s) {
  std::string out =
      absl::StrCat("delivered ", s.delivered.consumer_seq, "/", s.delivered.stream_seq, " floor ",
                   s.ack_floor.consumer_seq, "/", s.ack_floor.stream_seq, " pending");
  for (const auto& [sseq, p] : s.pending) absl::StrAppend(&out, " ", sseq, ":", p.consumer_seq);
  absl::StrAppend(&out, " redelivered");
  for (const auto& [sseq, n] : s.redelivered) absl::StrAppend(&out, " ", sseq, ":", n);
  return out;
}

// Every file under `dir` with its size and modification time.
std::map<std::string, std::string> Tree(const std::string& dir) {
  std::map<std::string, std::string> tree;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string what = e.is_directory() ? "dir" : absl::StrCat(e.file_size());
    what += absl::StrCat(" ", fs::last_write_time(e.path()).time_since_epoch().count());
    tree[e.path().string()] = what;
  }
  return tree;
}

std::vector<std::string> Journals(const std::string& stream_dir) {
  std::vector<std::string> journals;
  for (const auto& e : fs::directory_iterator(stream_dir)) {
    if (e.path().extension() == state_format::kJournalSuffix) journals.push_back(e.path().string());
  }
  return journals;
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

class StateStoreTest : public ::testing::Test {
 protected:
  ConsumerStateStoreOptions Options() const {
    ConsumerStateStoreOptions o;
    o.data_dir = dir_;
    o.sync = SyncPolicy::kAlways;
    return o;
  }

  void Open(const ConsumerStateStoreOptions& options) {
    writers_.clear();
    store_.reset();
    auto store = ConsumerStateStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void Open() { Open(Options()); }

  void Close() {
    writers_.clear();
    store_.reset();
  }

  ConsumerStateWriter* Create(const v1::ConsumerInfo& info, const ConsumerState& initial = {}) {
    auto writer = store_->Create(info, initial);
    EXPECT_TRUE(writer.ok()) << writer.status();
    if (!writer.ok()) return nullptr;
    ConsumerStateWriter* w = writer->get();
    writers_[info.stream_name() + "/" + info.name()] = *std::move(writer);
    return w;
  }

  // Loads `stream`; the writers stay here, the states are returned by name.
  std::map<std::string, ConsumerState> Load(const std::string& stream) {
    std::map<std::string, ConsumerState> states;
    for (LoadedConsumer& c : store_->Load(stream)) {
      EXPECT_EQ(c.info.stream_name(), stream);
      states[c.info.name()] = c.state;
      writers_[stream + "/" + c.info.name()] = std::move(c.writer);
    }
    return states;
  }

  ConsumerStateWriter* Writer(const std::string& stream, const std::string& name) {
    return writers_.at(stream + "/" + name).get();
  }

  std::string StreamDir(const std::string& stream) const {
    return absl::StrCat(dir_, "/consumers/", stream);
  }

  const std::string dir_ = testing::util::MakeTempDir("cstate-");
  std::unique_ptr<ConsumerStateStore> store_;
  std::map<std::string, std::unique_ptr<ConsumerStateWriter>> writers_;
};

TEST_F(StateStoreTest, CreatesRecordsAndRecoversConsumers) {
  Open();
  v1::ConsumerInfo info = TestConsumerInfo("ORDERS", "worker");
  info.mutable_config()->set_filter_subject("orders.new");
  ConsumerStateWriter* w = Create(info);
  Create(TestConsumerInfo("ORDERS", "audit", v1::ACK_NONE));
  Create(TestConsumerInfo("KV", "watch"));
  EXPECT_FALSE(w->in_memory());
  w->RecordDelivered(1, 10, 1, 1000);
  w->RecordDelivered(2, 11, 1, 2000);
  w->RecordAck(10, {1, 10});
  ASSERT_TRUE(FlushAndWait(w).ok());
  Close();

  Open();
  EXPECT_EQ(store_->Streams(), (std::vector<std::string>{"KV", "ORDERS"}));
  EXPECT_EQ(store_->Consumers("ORDERS"), (std::vector<std::string>{"audit", "worker"}));
  std::vector<LoadedConsumer> loaded = store_->Load("ORDERS");
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[1].info.SerializeAsString(), info.SerializeAsString());
  EXPECT_EQ(loaded[1].state, Pending(Pairs({2, 11}, {1, 10}), {{11, 2}})) << Show(loaded[1].state);
  EXPECT_EQ(loaded[0].state, ConsumerState());
  EXPECT_TRUE(store_->Load("ORDERS").empty());
  EXPECT_EQ(store_->Load("KV").size(), 1u);
}

struct RestartCase {
  const char* name;
  v1::AckPolicy policy;
  ConsumerState initial;
  // Operations; a default JournalRecord of type kJournalHeader is a restart.
  std::vector<JournalRecord> steps;
  ConsumerState expected;
};

JournalRecord Restart() {
  JournalRecord r;
  r.type = state_format::kJournalHeader;
  return r;
}

std::vector<RestartCase> RestartCases() {
  return {
      {"redelivery and acks across restarts",
       v1::ACK_EXPLICIT,
       {},
       {Deliver(1, 10), Deliver(2, 11), Deliver(3, 12), Restart(), Ack(11, {0, 0}), Restart(),
        Deliver(4, 10, 2)},
       Pending(Pairs({4, 12}, {0, 0}), {{10, 4}, {12, 3}}, {{10, 1}})},
      {"the ack floor moves",
       v1::ACK_EXPLICIT,
       {},
       {Deliver(1, 10), Deliver(2, 11), Ack(10, {1, 10}), Restart(), Ack(11, {2, 11}),
        Deliver(3, 13)},
       Pending(Pairs({3, 13}, {2, 11}), {{13, 3}})},
      {"ack all",
       v1::ACK_ALL,
       {},
       {Deliver(1, 10), Deliver(2, 11, 1), Deliver(3, 12), Deliver(4, 13, 1), Deliver(5, 11, 2),
        Restart(), Ack(12, {3, 12})},
       Pending(Pairs({5, 13}, {3, 12}), {{13, 4}})},
      {"ack none",
       v1::ACK_NONE,
       {},
       {Deliver(1, 10), Deliver(2, 12), Restart(), Deliver(3, 13)},
       Pairs({3, 13}, {3, 13})},
      {"a purge replaces the state",
       v1::ACK_EXPLICIT,
       {},
       {Deliver(1, 10), Deliver(2, 11), Restart(), SetState(Pairs({2, 20}, {2, 20})),
        Deliver(3, 21)},
       Pending(Pairs({3, 21}, {2, 20}), {{21, 3}})},
      {"a consumer starting mid-stream",
       v1::ACK_EXPLICIT,
       Pairs({0, 99}, {0, 99}),
       {Restart(), Deliver(1, 100), Restart()},
       Pending(Pairs({1, 100}, {0, 99}), {{100, 1}})},
  };
}

// Each case three ways: flushing after every step, never flushing (the
// close writes everything), and folding the journal after every write.
TEST_F(StateStoreTest, RestartsRecoverExactlyTheState) {
  for (const RestartCase& c : RestartCases()) {
    for (const char* mode : {"flush", "close", "fold"}) {
      SCOPED_TRACE(absl::StrCat(c.name, ", ", mode));
      const std::string stream = absl::StrCat("S", mode);
      ConsumerStateStoreOptions options = Options();
      if (std::string(mode) == "fold") options.fold_bytes = 1;
      Open(options);
      ConsumerStateWriter* w = Create(TestConsumerInfo(stream, "c", c.policy), c.initial);
      for (const JournalRecord& step : c.steps) {
        if (step.type == state_format::kJournalHeader) {
          Open(options);
          Load(stream);
          w = Writer(stream, "c");
          continue;
        }
        Do(w, step);
        if (std::string(mode) != "close") {
          ASSERT_TRUE(FlushAndWait(w).ok());
        }
      }
      Open(options);
      const ConsumerState got = Load(stream)["c"];
      EXPECT_EQ(got, c.expected) << Show(got) << " != " << Show(c.expected);
      ASSERT_TRUE(store_->DeleteStream(stream).ok());
    }
  }
}

// The consumers of a stream share its journal; each gets back only its own
// records.
TEST_F(StateStoreTest, ConsumersOfAStreamShareOneJournal) {
  Open();
  ConsumerStateWriter* a = Create(TestConsumerInfo("S", "a"));
  ConsumerStateWriter* b = Create(TestConsumerInfo("S", "b"));
  ConsumerStateWriter* c = Create(TestConsumerInfo("T", "c"));
  for (uint64_t i = 1; i <= 50; ++i) {
    a->RecordDelivered(i, 2 * i, 1, 1);
    b->RecordDelivered(i, 2 * i + 1, 1, 1);
    c->RecordDelivered(i, i, 1, 1);
    if (i % 2 == 0) a->RecordAck(2 * i, {i, 2 * i});
  }
  ASSERT_TRUE(FlushAndWait(a).ok());
  ASSERT_TRUE(FlushAndWait(c).ok());
  EXPECT_EQ(Journals(StreamDir("S")).size(), 1u);
  EXPECT_EQ(Journals(StreamDir("T")).size(), 1u);
  Open();
  std::map<std::string, ConsumerState> s = Load("S");
  EXPECT_EQ(s["a"], Pairs({50, 100}, {50, 100}));
  EXPECT_EQ(s["b"].pending.size(), 50u);
  EXPECT_EQ(s["b"].delivered, (SequencePair{50, 101}));
  EXPECT_EQ(Load("T")["c"].pending.size(), 50u);
}

// Random operations on consumers of two streams, folding often, restarting
// now and then: what comes back is what was recorded, and the journals stay
// small.
TEST_F(StateStoreTest, FoldingKeepsTheStateAndBoundsTheJournals) {
  ConsumerStateStoreOptions options = Options();
  options.sync = SyncPolicy::kInterval;
  options.fold_bytes = 2048;
  Open(options);
  const std::vector<std::pair<std::string, std::string>> names = {
      {"S", "a"}, {"S", "b"}, {"T", "c"}};
  std::map<std::string, ConsumerState> model;
  for (const auto& [stream, name] : names) Create(TestConsumerInfo(stream, name));
  std::mt19937_64 rng(7);
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < 400; ++i) {
      const auto& [stream, name] = names[rng() % names.size()];
      ConsumerState& m = model[stream + "/" + name];
      JournalRecord op;
      if (m.pending.empty() || rng() % 3 == 0) {
        op = Deliver(m.delivered.consumer_seq + 1, m.delivered.stream_seq + 1 + rng() % 3);
      } else if (rng() % 4 == 0) {
        auto it = std::next(m.pending.begin(), rng() % m.pending.size());
        op = Deliver(m.delivered.consumer_seq + 1, it->first, 2 + rng() % 3);
      } else {
        auto it = std::next(m.pending.begin(), rng() % m.pending.size());
        const bool at_floor = it == m.pending.begin();
        op = Ack(it->first,
                 at_floor ? SequencePair{it->second.consumer_seq, it->first} : m.ack_floor);
      }
      op.consumer_id = 1;
      ApplyRecord(op, v1::ACK_EXPLICIT, &m);
      Do(Writer(stream, name), op);
      if (i % 50 == 0) {
        ASSERT_TRUE(FlushAndWait(Writer(stream, name)).ok());
      }
    }
    Open(options);
    std::map<std::string, ConsumerState> got = Load("S");
    for (auto& [name, state] : Load("T")) got[name] = state;
    for (const auto& [stream, name] : names) {
      EXPECT_EQ(got[name], model[stream + "/" + name])
          << "round " << round << " " << name << ": " << Show(got[name]);
    }
  }
  for (const auto& [stream, name] : names) ASSERT_TRUE(FlushAndWait(Writer(stream, name)).ok());
  for (const std::string stream : {"S", "T"}) {
    uint64_t bytes = 0;
    for (const std::string& journal : Journals(StreamDir(stream))) bytes += fs::file_size(journal);
    EXPECT_LT(bytes, 2 * options.fold_bytes) << stream;
  }
  auto snapshot = DecodeSnapshot(*common::ReadFile(StreamDir("S") + "/a/state.snap"));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_GT(snapshot->generation, 2u);
}

// Records of generations a snapshot includes are not applied again, even
// when their journal survived (a crash between a fold's snapshots and the
// deletion of its journals); later generations are.
TEST_F(StateStoreTest, RecordsASnapshotIncludesAreNotReplayed) {
  Open();
  Create(TestConsumerInfo("S", "c"));
  Close();
  const std::string snap = StreamDir("S") + "/c/state.snap";
  const uint64_t id = DecodeSnapshot(*common::ReadFile(snap))->consumer_id;
  ASSERT_TRUE(common::WriteFileAtomically(snap, EncodeSnapshot({id, 1, ConsumerState()})).ok());
  for (uint64_t generation : {1, 2}) {
    std::string journal;
    AppendJournalHeader(&journal, generation);
    AppendDeliveredRecord(&journal, id, generation, 10 * generation, 1, 1000 * generation);
    ASSERT_TRUE(common::WriteFileAtomically(
                    absl::StrCat(StreamDir("S"), "/000000000", generation, ".journal"), journal)
                    .ok());
  }
  Open();
  EXPECT_EQ(Load("S")["c"], Pending(Pairs({2, 20}, {0, 0}), {{20, 2}}));
  EXPECT_EQ(Journals(StreamDir("S")),
            std::vector<std::string>{StreamDir("S") + "/0000000002.journal"});
}

// A journal written one acknowledged record at a time, with the state after
// each record and the journal's size then.
class DamagedJournalTest : public StateStoreTest {
 protected:
  void SetUp() override {
    ConsumerStateStoreOptions options = Options();
    options.sync = SyncPolicy::kInterval;
    Open(options);
    ConsumerStateWriter* w = Create(TestConsumerInfo("S", "c"), Pairs({0, 9}, {0, 9}));
    ConsumerStateWriter* other = Create(TestConsumerInfo("S", "other"));
    const std::vector<JournalRecord> ops = {Deliver(1, 10),  Deliver(2, 11),    Deliver(3, 12),
                                            Ack(11, {0, 9}), Deliver(4, 10, 2), Ack(10, {4, 11})};
    ConsumerState state = Pairs({0, 9}, {0, 9});
    states_.push_back(state);
    for (JournalRecord op : ops) {
      Do(w, op);
      ASSERT_TRUE(FlushAndWait(w).ok());
      if (ends_.empty()) ends_.push_back(state_format::kJournalHeaderSize);
      ends_.push_back(fs::file_size(Journals(StreamDir("S")).at(0)));
      ApplyRecord(op, v1::ACK_EXPLICIT, &state);
      states_.push_back(state);
    }
    other->RecordDelivered(1, 1, 1, 1);
    Close();
    journal_name_ = fs::path(Journals(StreamDir("S")).at(0)).filename().string();
    pristine_ = testing::util::MakeTempDir("cstate-pristine-");
    CopyTree(dir_, pristine_ + "/data");
  }

  // Opens a copy of the data directory after `damage` did its work on the
  // journal; returns consumer c's state.
  ConsumerState OpenDamaged(const std::function<void(const std::string& journal)>& damage) {
    Close();
    CopyTree(pristine_ + "/data", dir_);
    damage(absl::StrCat(StreamDir("S"), "/", journal_name_));
    Open();
    return Load("S")["c"];
  }

  std::vector<ConsumerState> states_;  // states_[k]: after k records.
  std::vector<uint64_t> ends_;         // ends_[k]: journal size after k records.
  std::string journal_name_;
  std::string pristine_;
};

TEST_F(DamagedJournalTest, EveryTruncationRecoversTheLongestValidPrefix) {
  const std::string journal = absl::StrCat(StreamDir("S"), "/", journal_name_);
  for (uint64_t n = 0; n <= ends_.back(); ++n) {
    SCOPED_TRACE(absl::StrCat("journal cut to ", n, " bytes"));
    LogCapture log;
    const ConsumerState got =
        OpenDamaged([n](const std::string& path) { fs::resize_file(path, n); });
    size_t k = 0;
    while (k + 1 < ends_.size() && ends_[k + 1] <= n) ++k;
    EXPECT_EQ(got, states_[k]) << Show(got) << " != " << Show(states_[k]);
    if (n < state_format::kJournalHeaderSize) {
      EXPECT_TRUE(log.Has(google::GLOG_WARNING, {journal, "no journal header"}));
    } else if (n != ends_[k]) {
      EXPECT_TRUE(log.Has(google::GLOG_WARNING, {journal, "torn record", "truncated"}));
      if (k > 0) {
        EXPECT_EQ(fs::file_size(journal), ends_[k]);
      }
    }
  }
}

TEST_F(DamagedJournalTest, AFlippedBitRecoversWhatCameBeforeTheDamagedRecord) {
  const std::string journal = absl::StrCat(StreamDir("S"), "/", journal_name_);
  for (uint64_t bit = 0; bit < ends_.back() * 8; ++bit) {
    SCOPED_TRACE(absl::StrCat("bit ", bit % 8, " of byte ", bit / 8));
    LogCapture log;
    const ConsumerState got = OpenDamaged([bit](const std::string& path) {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(bit / 8));
      char c = 0;
      f.read(&c, 1);
      c ^= static_cast<char>(1 << (bit % 8));
      f.seekp(static_cast<std::streamoff>(bit / 8));
      f.write(&c, 1);
    });
    const uint64_t byte = bit / 8;
    if (byte < state_format::kJournalHeaderSize) {
      // The whole journal is quarantined: only the snapshot is left.
      EXPECT_EQ(got, states_[0]) << Show(got);
      EXPECT_TRUE(log.Has(google::GLOG_ERROR, {journal, "quarantine"}));
      continue;
    }
    size_t k = 0;
    while (ends_[k + 1] <= byte) ++k;
    EXPECT_EQ(got, states_[k]) << Show(got) << " != " << Show(states_[k]);
    EXPECT_TRUE(log.Has(google::GLOG_WARNING, {journal, "truncated"}));
  }
}

class DamagedConsumerTest : public StateStoreTest {
 protected:
  // Two consumers with state; `damage` then works on consumer "bad"'s
  // directory; returns the quarantined copy's path (empty if none).
  std::string ReopenAfter(const std::function<void(const std::string& dir)>& damage) {
    Open();
    for (const std::string name : {"good", "bad"}) {
      ConsumerStateWriter* w = Create(TestConsumerInfo("S", name));
      w->RecordDelivered(1, 5, 1, 1000);
      EXPECT_TRUE(FlushAndWait(w).ok());
    }
    Close();
    damage(StreamDir("S") + "/bad");
    Open();
    const std::string quarantine = dir_ + "/quarantine/consumers/S";
    if (!fs::exists(quarantine)) return "";
    for (const auto& e : fs::directory_iterator(quarantine)) return e.path().string();
    return "";
  }

  void ExpectQuarantined(const std::string& quarantined, const std::string& file, LogCapture& log,
                         const std::string& why) {
    ASSERT_FALSE(quarantined.empty());
    EXPECT_TRUE(absl::StartsWith(fs::path(quarantined).filename().string(), "bad."));
    EXPECT_TRUE(fs::exists(quarantined + "/meta.pb") || file == "meta.pb");
    EXPECT_FALSE(fs::exists(StreamDir("S") + "/bad"));
    EXPECT_EQ(store_->Consumers("S"), std::vector<std::string>{"good"});
    EXPECT_EQ(Load("S")["good"], Pending(Pairs({1, 5}, {0, 0}), {{5, 1}}));
    EXPECT_TRUE(log.Has(google::GLOG_ERROR, {StreamDir("S") + "/bad/" + file, why, quarantined}))
        << file << ": " << why;
    // The name is free again, for a new empty consumer.
    ConsumerStateWriter* w = Create(TestConsumerInfo("S", "bad"));
    ASSERT_NE(w, nullptr);
    Open();
    EXPECT_EQ(Load("S")["bad"], ConsumerState());
  }
};

TEST_F(DamagedConsumerTest, ADamagedSnapshotIsQuarantined) {
  LogCapture log;
  const std::string q = ReopenAfter([](const std::string& dir) {
    std::fstream f(dir + "/state.snap", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x7f');
  });
  ExpectQuarantined(q, "state.snap", log, "checksum mismatch");
}

TEST_F(DamagedConsumerTest, AMissingSnapshotIsQuarantined) {
  LogCapture log;
  const std::string q =
      ReopenAfter([](const std::string& dir) { fs::remove(dir + "/state.snap"); });
  ExpectQuarantined(q, "state.snap", log, "is missing");
}

TEST_F(DamagedConsumerTest, ATruncatedConfigurationIsQuarantined) {
  LogCapture log;
  const std::string q =
      ReopenAfter([](const std::string& dir) { fs::resize_file(dir + "/meta.pb", 19); });
  ExpectQuarantined(q, "meta.pb", log, "truncated header");
}

TEST_F(DamagedConsumerTest, AConfigurationOfAnotherConsumerIsQuarantined) {
  LogCapture log;
  const std::string q = ReopenAfter([this](const std::string& dir) {
    fs::copy_file(StreamDir("S") + "/good/meta.pb", dir + "/meta.pb",
                  fs::copy_options::overwrite_existing);
  });
  ExpectQuarantined(q, "meta.pb", log, "names consumer \"good\"");
}

TEST_F(StateStoreTest, MemoryConsumersTouchNoFile) {
  Open();
  const std::map<std::string, std::string> before = Tree(dir_);
  ConsumerStateWriter* w = Create(TestConsumerInfo("S", "mem", v1::ACK_EXPLICIT, /*memory=*/true));
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->in_memory());
  for (uint64_t i = 1; i <= 1000; ++i) {
    w->RecordDelivered(i, i, 1, 1);
    w->RecordAck(i, {i, i});
  }
  w->RecordState(ConsumerState());
  EXPECT_TRUE(FlushAndWait(w).ok());
  ASSERT_TRUE(store_->Update(TestConsumerInfo("S", "mem", v1::ACK_EXPLICIT, true)).ok());
  writers_.clear();
  ASSERT_TRUE(store_->Delete("S", "mem").ok());
  ASSERT_TRUE(store_->DeleteStream("S").ok());
  EXPECT_TRUE(store_->Streams().empty());
  Close();
  EXPECT_EQ(Tree(dir_), before);
}

TEST_F(StateStoreTest, DeletesAreDurableAndForgetTheOldRecords) {
  Open();
  ConsumerStateWriter* w = Create(TestConsumerInfo("S", "c"));
  Create(TestConsumerInfo("S", "keep"));
  w->RecordDelivered(1, 10, 1, 1);
  ASSERT_TRUE(FlushAndWait(w).ok());
  writers_.erase("S/c");
  ASSERT_TRUE(store_->Delete("S", "c").ok());
  EXPECT_EQ(store_->Consumers("S"), std::vector<std::string>{"keep"});
  // A new consumer of the same name does not get the old one's records.
  w = Create(TestConsumerInfo("S", "c"));
  w->RecordDelivered(1, 20, 1, 1000);
  ASSERT_TRUE(FlushAndWait(w).ok());
  Open();
  EXPECT_EQ(Load("S")["c"], Pending(Pairs({1, 20}, {0, 0}), {{20, 1}}));

  ConsumerStateWriter* orphan = Writer("S", "keep");
  ASSERT_TRUE(store_->DeleteStream("S").ok());
  EXPECT_TRUE(absl::IsNotFound(FlushAndWait(orphan)));
  EXPECT_FALSE(fs::exists(StreamDir("S")));
  EXPECT_TRUE(store_->Streams().empty());
  ASSERT_TRUE(store_->Delete("S", "c").ok());
  ASSERT_TRUE(store_->DeleteStream("S").ok());
  Open();
  EXPECT_TRUE(store_->Streams().empty());
  EXPECT_TRUE(Load("S").empty());
}

TEST_F(StateStoreTest, UpdateReplacesTheConfiguration) {
  Open();
  Create(TestConsumerInfo("S", "c"));
  v1::ConsumerInfo info = TestConsumerInfo("S", "c");
  info.mutable_config()->set_description("updated");
  ASSERT_TRUE(store_->Update(info).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->Update(TestConsumerInfo("S", "none"))));
  EXPECT_TRUE(absl::IsNotFound(store_->Update(TestConsumerInfo("T", "none"))));
  Open();
  std::vector<LoadedConsumer> loaded = store_->Load("S");
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].info.config().description(), "updated");
}

TEST_F(StateStoreTest, Refusals) {
  Open();
  EXPECT_EQ(ConsumerStateStore::Open(Options()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  Create(TestConsumerInfo("S", "c"));
  EXPECT_EQ(store_->Create(TestConsumerInfo("S", "c")).status().code(),
            absl::StatusCode::kAlreadyExists);
  for (const auto& [stream, name] :
       std::vector<std::pair<std::string, std::string>>{{"S", "a.b"},
                                                        {"S", ""},
                                                        {"S", "a/b"},
                                                        {"S", std::string(256, 'x')},
                                                        {"a.b", "c"},
                                                        {"..", "c"},
                                                        {"S", ".."}}) {
    EXPECT_EQ(store_->Create(TestConsumerInfo(stream, name)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << stream << "/" << name;
  }
  EXPECT_EQ(store_->Create(TestConsumerInfo("S", std::string(255, 'x'))).status().code(),
            absl::StatusCode::kOk);
}

TEST_F(StateStoreTest, FlushRunsOnTheStoreThreadAfterTheWrite) {
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kInterval}) {
    ConsumerStateStoreOptions options = Options();
    options.sync = sync;
    options.write_delay = absl::Hours(1);
    Open(options);
    ConsumerStateWriter* w = Create(TestConsumerInfo("S", "c"));
    w->RecordDelivered(1, 10, 1, 1);
    const std::string journal_dir = StreamDir("S");
    EXPECT_TRUE(Journals(journal_dir).empty());
    absl::Notification done;
    std::thread::id ran_on;
    uint64_t size_then = 0;
    w->Flush([&](absl::Status status) {
      EXPECT_TRUE(status.ok()) << status;
      ran_on = std::this_thread::get_id();
      size_then = fs::file_size(Journals(journal_dir).at(0));
      done.Notify();
    });
    done.WaitForNotification();
    EXPECT_NE(ran_on, std::this_thread::get_id());
    EXPECT_EQ(size_then, state_format::kJournalHeaderSize + common::kRecordHeaderSize +
                             state_format::kDeliveredBodySize);
    ASSERT_TRUE(store_->DeleteStream("S").ok());
  }
}

// Records no Flush asks for are written after write_delay (here 1 ms; the
// sync interval, an hour, must not hold them back).
TEST_F(StateStoreTest, RecordsWithoutAFlushAreWrittenAfterTheWriteDelay) {
  ConsumerStateStoreOptions options = Options();
  options.sync = SyncPolicy::kInterval;
  options.write_delay = absl::Milliseconds(1);
  options.sync_interval = absl::Hours(1);
  Open(options);
  ConsumerStateWriter* w = Create(TestConsumerInfo("S", "c"));
  for (uint64_t i = 1; i <= 3; ++i) {
    w->RecordDelivered(i, i, 1, 1);
    const uint64_t size = state_format::kJournalHeaderSize +
                          i * (common::kRecordHeaderSize + state_format::kDeliveredBodySize);
    for (;;) {
      const std::vector<std::string> journals = Journals(StreamDir("S"));
      if (!journals.empty() && fs::file_size(journals[0]) == size) break;
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
}

TEST_F(StateStoreTest, OpenRemovesLeftoversAndLeavesStrangersAlone) {
  Open();
  Create(TestConsumerInfo("S", "c"));
  Close();
  fs::create_directories(StreamDir("S") + "/.new/half");
  fs::create_directories(StreamDir("S") + "/.trash/gone");
  fs::create_directories(dir_ + "/consumers/.trash/T/x");
  std::ofstream(StreamDir("S") + "/c/state.snap.tmp") << "half";
  std::ofstream(StreamDir("S") + "/README") << "mine";
  Open();
  EXPECT_FALSE(fs::exists(StreamDir("S") + "/.new"));
  EXPECT_FALSE(fs::exists(StreamDir("S") + "/.trash"));
  EXPECT_FALSE(fs::exists(dir_ + "/consumers/.trash"));
  EXPECT_FALSE(fs::exists(StreamDir("S") + "/c/state.snap.tmp"));
  EXPECT_TRUE(fs::exists(StreamDir("S") + "/README"));
  EXPECT_EQ(Load("S").size(), 1u);
}

}  // namespace
}  // namespace jsengine::consumersvc
