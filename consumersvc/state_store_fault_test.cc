// ConsumerStateStore under injected file-system faults
// (testing/util/faulty_file_io.h, through ConsumerStateStoreOptions::io): a
// confirmed acknowledgement survives a simulated power cut under kAlways; a
// full disk or an I/O error fails the Flush or the admin call, never
// confirming what was not stored; reopening recovers from what is on disk.
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "consumersvc/journal_record.h"
#include "consumersvc/state_store.h"
#include "consumersvc/state_store_test_util.h"
#include "gtest/gtest.h"
#include "testing/util/faulty_file_io.h"
#include "testing/util/temp_dir.h"

namespace jsengine::consumersvc {
namespace {

using common::SyncPolicy;
using testing::util::FaultyFileIo;

class StateStoreFaultTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<ConsumerStateStore>> TryOpen() {
    ConsumerStateStoreOptions options;
    options.data_dir = dir_;
    options.sync = SyncPolicy::kAlways;
    options.write_delay = absl::Milliseconds(1);
    options.io = &io_;
    return ConsumerStateStore::Open(options);
  }

  void Open() {
    auto store = TryOpen();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void Create() {
    auto writer = store_->Create(TestConsumerInfo("S", "c"));
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = *std::move(writer);
    history_.assign(1, ConsumerState());
  }

  void Close() {
    writer_.reset();
    store_.reset();
  }

  // Delivers the next message and acknowledges it (its own ack floor).
  void DeliverAndAck() {
    const uint64_t seq = history_.back().delivered.stream_seq + 1;
    JournalRecord delivered;
    delivered.type = state_format::kDelivered;
    delivered.consumer_seq = seq;
    delivered.stream_seq = seq;
    delivered.delivery_count = 1;
    delivered.delivered_ns = static_cast<int64_t>(seq);
    writer_->RecordDelivered(seq, seq, 1, static_cast<int64_t>(seq));
    Apply(delivered);
    JournalRecord ack;
    ack.type = state_format::kAck;
    ack.stream_seq = seq;
    ack.ack_floor = SequencePair{seq, seq};
    writer_->RecordAck(seq, ack.ack_floor);
    Apply(ack);
  }

  void Apply(const JournalRecord& op) {
    ConsumerState next = history_.back();
    ApplyRecord(op, v1::ACK_EXPLICIT, &next);
    history_.push_back(std::move(next));
  }

  // Operations confirmed by a successful Flush.
  size_t Confirm() {
    EXPECT_TRUE(FlushAndWait(writer_.get()).ok());
    return history_.size() - 1;
  }

  // Reopens the store and returns the recovered state of consumer "c".
  ConsumerState Reopen() {
    Close();
    Open();
    std::vector<LoadedConsumer> loaded = store_->Load("S");
    EXPECT_EQ(loaded.size(), 1u);
    if (loaded.empty()) return ConsumerState();
    writer_ = std::move(loaded[0].writer);
    return loaded[0].state;
  }

  // The recovered state is the state after `confirmed` or more operations.
  void ExpectAtLeast(const ConsumerState& got, size_t confirmed) {
    bool found = false;
    for (size_t k = confirmed; k < history_.size() && !found; ++k) found = history_[k] == got;
    EXPECT_TRUE(found) << "not the state after " << confirmed << " or more operations";
  }

  const std::string dir_ = testing::util::MakeTempDir("cstate_fault-");
  FaultyFileIo io_;
  std::unique_ptr<ConsumerStateStore> store_;
  std::unique_ptr<ConsumerStateWriter> writer_;
  std::vector<ConsumerState> history_;  // history_[k]: after k operations.
};

// Crash() cuts every file back to what was fsynced and tears the next page:
// records written since the last Flush may go, confirmed ones may not.
TEST_F(StateStoreFaultTest, PowerCutKeepsEveryConfirmedAckUnderSyncAlways) {
  Open();
  Create();
  size_t confirmed = 0;
  for (int i = 1; i <= 60; ++i) {
    DeliverAndAck();
    if (i % 6 == 0 && i <= 42) confirmed = Confirm();
  }
  absl::SleepFor(absl::Milliseconds(50));  // The rest is written, not synced.
  io_.Crash(/*tear=*/true);
  Close();
  io_.Restart();
  const ConsumerState got = Reopen();
  ExpectAtLeast(got, confirmed);
}

TEST_F(StateStoreFaultTest, FullDiskFailsTheFlushAndConfirmsNothing) {
  Open();
  Create();
  for (int i = 0; i < 10; ++i) DeliverAndAck();
  const size_t confirmed = Confirm();
  io_.Inject(
      {.op = FaultyFileIo::Op::kPwrite, .path_contains = ".journal", .times = -1, .err = ENOSPC});
  for (int i = 0; i < 10; ++i) DeliverAndAck();
  absl::Status flushed = FlushAndWait(writer_.get());
  EXPECT_FALSE(flushed.ok());
  EXPECT_NE(flushed.message().find("No space left on device"), std::string::npos) << flushed;
  io_.ClearFaults();
  DeliverAndAck();
  EXPECT_FALSE(FlushAndWait(writer_.get()).ok()) << "failed until reopened";
  EXPECT_EQ(Reopen(), history_[confirmed]);
  history_.resize(confirmed + 1);
  DeliverAndAck();
  EXPECT_TRUE(FlushAndWait(writer_.get()).ok()) << "stored again once reopened";
}

TEST_F(StateStoreFaultTest, ShortWriteLeavesATornRecordThatRecoveryCuts) {
  Open();
  Create();
  for (int i = 0; i < 10; ++i) DeliverAndAck();
  const size_t confirmed = Confirm();
  io_.Inject(
      {.op = FaultyFileIo::Op::kPwrite, .path_contains = ".journal", .err = EIO, .short_bytes = 7});
  for (int i = 0; i < 10; ++i) DeliverAndAck();
  absl::Status flushed = FlushAndWait(writer_.get());
  EXPECT_FALSE(flushed.ok());
  EXPECT_NE(flushed.message().find("Input/output error"), std::string::npos) << flushed;
  io_.ClearFaults();
  EXPECT_EQ(Reopen(), history_[confirmed]);
}

TEST_F(StateStoreFaultTest, FailedFsyncConfirmsNothing) {
  Open();
  Create();
  for (int i = 0; i < 10; ++i) DeliverAndAck();
  const size_t confirmed = Confirm();
  io_.Inject({.op = FaultyFileIo::Op::kFdatasync, .path_contains = ".journal", .err = EIO});
  for (int i = 0; i < 10; ++i) DeliverAndAck();
  absl::Status flushed = FlushAndWait(writer_.get());
  EXPECT_FALSE(flushed.ok());
  EXPECT_NE(flushed.message().find("fdatasync"), std::string::npos) << flushed;
  io_.ClearFaults();
  EXPECT_FALSE(FlushAndWait(writer_.get()).ok()) << "no later fsync is trusted";
  ExpectAtLeast(Reopen(), confirmed);
}

TEST_F(StateStoreFaultTest, FailedCreateAndUpdateLeaveTheOldConfiguration) {
  Open();
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .path_contains = "meta.pb", .err = ENOSPC});
  EXPECT_FALSE(store_->Create(TestConsumerInfo("S", "c")).ok());
  io_.ClearFaults();
  Close();
  Open();
  EXPECT_TRUE(store_->Consumers("S").empty());
  Create();
  v1::ConsumerInfo updated = TestConsumerInfo("S", "c");
  updated.mutable_config()->set_description("second");
  io_.Inject({.op = FaultyFileIo::Op::kRename, .path_contains = "meta.pb", .err = EIO});
  EXPECT_FALSE(store_->Update(updated).ok());
  io_.ClearFaults();
  Close();
  Open();
  std::vector<LoadedConsumer> loaded = store_->Load("S");
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].info.config().description(), "");
  writer_ = std::move(loaded[0].writer);
  EXPECT_TRUE(store_->Update(updated).ok());
}

// A read error is not damage: the open fails and quarantines nothing, and
// the next open recovers everything.
TEST_F(StateStoreFaultTest, ReadErrorFailsTheOpenAndLosesNothing) {
  Open();
  Create();
  for (int i = 0; i < 10; ++i) DeliverAndAck();
  const size_t confirmed = Confirm();
  Close();
  io_.Inject({.op = FaultyFileIo::Op::kPread, .path_contains = "state.snap", .err = EIO});
  auto failed = TryOpen();
  EXPECT_FALSE(failed.ok());
  io_.ClearFaults();
  EXPECT_EQ(Reopen(), history_[confirmed]);
}

}  // namespace
}  // namespace jsengine::consumersvc
