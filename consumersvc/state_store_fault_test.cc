// ConsumerStateStore under injected file-system faults
// (testing/util/faulty_file_io.h, through ConsumerStateStoreOptions::io): a
// confirmed acknowledgement survives a simulated power cut under kAlways; a
// full disk or an I/O error fails the Flush or the admin call, never
// confirming what was not stored; once the error clears the journal is
// stored again without a restart, and reopening recovers from what is on
// disk.
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

  // Opens a store with consumer "c" and ten confirmed operations pairs;
  // returns how many operations are confirmed.
  size_t StartConfirmed() {
    Open();
    Create();
    for (int i = 0; i < 10; ++i) DeliverAndAck();
    return Confirm();
  }

  // Ten more deliveries and acks, whose Flush fails with an error saying
  // `why`.
  void ExpectFailedFlush(const std::string& why) {
    for (int i = 0; i < 10; ++i) DeliverAndAck();
    absl::Status flushed = FlushAndWait(writer_.get());
    EXPECT_FALSE(flushed.ok());
    EXPECT_NE(flushed.message().find(why), std::string::npos) << flushed;
  }

  // After a successful Flush: every operation so far survives a power cut.
  void ExpectAllSurviveAPowerCut() {
    const size_t all = history_.size() - 1;
    io_.Crash(/*tear=*/true);
    Close();
    io_.Restart();
    EXPECT_EQ(Reopen(), history_[all]);
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

// A full disk fails the Flush; once space is freed the next Flush stores
// every record, those of the failed one included, without a restart.
TEST_F(StateStoreFaultTest, FullDiskFailsTheFlushAndStoresAgainOnceSpaceIsFreed) {
  const size_t confirmed = StartConfirmed();
  const FaultyFileIo::Fault full = {
      .op = FaultyFileIo::Op::kPwrite, .path_contains = ".journal", .times = -1, .err = ENOSPC};
  io_.Inject(full);
  ExpectFailedFlush("No space left on device");
  EXPECT_FALSE(writer_->failure().ok());
  DeliverAndAck();
  EXPECT_FALSE(FlushAndWait(writer_.get()).ok()) << "the disk is still full";
  EXPECT_EQ(Reopen(), history_[confirmed]);
  io_.ClearFaults();
  history_.resize(confirmed + 1);

  io_.Inject(full);
  ExpectFailedFlush("No space left on device");
  io_.ClearFaults();
  DeliverAndAck();
  EXPECT_TRUE(FlushAndWait(writer_.get()).ok()) << "stored again once space is freed";
  EXPECT_TRUE(writer_->failure().ok());
  ExpectAllSurviveAPowerCut();
}

// A short write leaves a partial record; the next Flush after the error
// clears cuts it and writes every record again.
TEST_F(StateStoreFaultTest, ShortWriteIsCutAndRewrittenByTheNextFlush) {
  StartConfirmed();
  io_.Inject(
      {.op = FaultyFileIo::Op::kPwrite, .path_contains = ".journal", .err = EIO, .short_bytes = 7});
  ExpectFailedFlush("Input/output error");
  io_.ClearFaults();
  DeliverAndAck();
  EXPECT_TRUE(FlushAndWait(writer_.get()).ok());
  ExpectAllSurviveAPowerCut();
}

// Left failed by a short write, the journal is cut at the torn record by
// recovery when the store is reopened before the error clears.
TEST_F(StateStoreFaultTest, ShortWriteLeavesATornRecordThatRecoveryCuts) {
  const size_t confirmed = StartConfirmed();
  io_.Inject({.op = FaultyFileIo::Op::kPwrite,
              .path_contains = ".journal",
              .skip = 1,
              .times = -1,
              .err = EIO});
  io_.Inject(
      {.op = FaultyFileIo::Op::kFtruncate, .path_contains = ".journal", .times = -1, .err = EIO});
  io_.Inject(
      {.op = FaultyFileIo::Op::kPwrite, .path_contains = ".journal", .err = EIO, .short_bytes = 7});
  ExpectFailedFlush("Input/output error");
  Close();
  io_.ClearFaults();
  EXPECT_EQ(Reopen(), history_[confirmed]);
}

// A failed fsync confirms nothing; once fsyncs work again, the next Flush
// writes what was written since the last good one again and syncs it.
TEST_F(StateStoreFaultTest, FailedFsyncConfirmsNothingAndTheNextFlushStoresEverything) {
  StartConfirmed();
  io_.Inject(
      {.op = FaultyFileIo::Op::kFdatasync, .path_contains = ".journal", .times = -1, .err = EIO});
  ExpectFailedFlush("fdatasync");
  EXPECT_NE(writer_->failure().message().find("fdatasync"), std::string::npos);
  io_.ClearFaults();
  EXPECT_TRUE(FlushAndWait(writer_.get()).ok());
  ExpectAllSurviveAPowerCut();
}

// A failed fsync that dropped the unsynced bytes (as a kernel may): they
// cannot be written again, so the journal stays failed, and reopening
// recovers at least every confirmed change.
TEST_F(StateStoreFaultTest, FsyncThatDroppedRecordsKeepsTheJournalFailedUntilReopened) {
  const size_t confirmed = StartConfirmed();
  io_.Inject({.op = FaultyFileIo::Op::kFdatasync,
              .path_contains = ".journal",
              .err = EIO,
              .drop_unsynced = true});
  ExpectFailedFlush("fdatasync");
  io_.ClearFaults();
  absl::Status again = FlushAndWait(writer_.get());
  EXPECT_FALSE(again.ok()) << "no later fsync is trusted";
  EXPECT_NE(again.message().find("lost"), std::string::npos) << again;
  ExpectAtLeast(Reopen(), confirmed);
  DeliverAndAck();
  EXPECT_TRUE(FlushAndWait(writer_.get()).ok()) << "stored again once reopened";
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
