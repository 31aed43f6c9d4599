// FileStore under injected file-system faults (testing/util/faulty_file_io.h):
// a failed or short write leaves the store as if the unwritten appends never
// happened, and a crash that loses unsynced writes and tears a page loses no
// synced message.
#include <cerrno>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storesvc/file_store.h"
#include "storesvc/store_error.h"
#include "testing/util/faulty_file_io.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

using testing::util::FaultyFileIo;

class FileStoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = testing::util::MakeTempDir("file-store-fault-");
    options_.io = &io_;
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto opened = FileStore::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
  }

  uint64_t Append(int i) {
    auto seq = store_->Append("s", "", absl::StrCat("m", i), i);
    EXPECT_TRUE(seq.ok()) << seq.status();
    return seq.ok() ? *seq : 0;
  }

  // Appends and makes durable messages 1..n.
  void AppendSynced(int n) {
    for (int i = 1; i <= n; ++i) EXPECT_EQ(Append(i), static_cast<uint64_t>(i));
    ASSERT_TRUE(store_->Flush().ok());
    ASSERT_TRUE(store_->Sync().ok());
  }

  // Messages 1..n hold what AppendSynced and Append stored, and nothing else.
  void ExpectExactly(uint64_t n) {
    StoreState s = store_->State();
    EXPECT_EQ(s.msgs, n);
    EXPECT_EQ(s.last_seq, n);
    EXPECT_EQ(s.num_deleted, 0u);
    for (uint64_t seq = 1; seq <= n; ++seq) {
      auto m = store_->Load(seq);
      ASSERT_TRUE(m.ok()) << seq << ": " << m.status();
      EXPECT_EQ(m->data(), absl::StrCat("m", seq));
    }
  }

  FaultyFileIo io_;
  FileStoreOptions options_;
  std::unique_ptr<FileStore> store_;
};

TEST_F(FileStoreFaultTest, UnreadableIndexFilesAreReadFromTheirSegments) {
  options_.segment_bytes = 1024;
  Reopen();
  AppendSynced(500);
  ASSERT_GT(store_->paged_segments(), 10u);
  io_.Inject({.op = FaultyFileIo::Op::kPread, .path_contains = ".idx", .times = -1});
  ExpectExactly(500);
  EXPECT_GT(io_.failures(), 0);
  EXPECT_EQ(store_->SeqForTime(250), 250u);
  EXPECT_EQ(store_->Filtered(SubjectFilters("s"), 100, false).msgs, 401u);
  // Opened again, the index files cannot be read at all: the segments are.
  Reopen();
  ExpectExactly(500);
  io_.ClearFaults();
  Reopen();
  ExpectExactly(500);
  EXPECT_GT(store_->paged_segments(), 10u);
}

TEST_F(FileStoreFaultTest, FullDiskForgetsTheUnwrittenAppendsAndTheirSequencesAreReused) {
  AppendSynced(3);
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .times = -1, .err = ENOSPC});
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_EQ(Append(4), 4u);
    EXPECT_EQ(Append(5), 5u);
    absl::Status st = store_->Flush();
    EXPECT_EQ(StoreErrorOf(st), StoreErrc::kNoSpace) << st;
    ExpectExactly(3);
    EXPECT_FALSE(store_->Load(4).ok());
  }
  io_.ClearFaults();
  EXPECT_EQ(Append(4), 4u);
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->Sync().ok());
  ExpectExactly(4);
  Reopen();
  ExpectExactly(4);
  EXPECT_EQ(store_->truncated_records(), 0u);
}

TEST_F(FileStoreFaultTest, ShortWriteLeavesNoPartialRecord) {
  AppendSynced(2);
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .err = EIO, .short_bytes = 7});
  for (int i = 3; i <= 6; ++i) Append(i);
  absl::Status st = store_->Flush();
  EXPECT_EQ(StoreErrorOf(st), StoreErrc::kIo) << st;
  ExpectExactly(2);
  io_.ClearFaults();
  EXPECT_EQ(Append(3), 3u);
  ASSERT_TRUE(store_->Flush().ok());
  Reopen();
  ExpectExactly(3);
  EXPECT_EQ(store_->truncated_records(), 0u);
}

TEST_F(FileStoreFaultTest, FailedWriteWhileRollingASegmentFailsTheAppend) {
  options_.segment_bytes = 256;
  Reopen();
  AppendSynced(2);
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .times = -1, .err = ENOSPC});
  absl::Status failed;
  for (int i = 3; i < 40 && failed.ok(); ++i) {
    failed = store_->Append("s", "", absl::StrCat("m", i), i).status();
  }
  EXPECT_EQ(StoreErrorOf(failed), StoreErrc::kNoSpace) << failed;
  ExpectExactly(2);
  io_.ClearFaults();
  for (int i = 3; i < 40; ++i) EXPECT_EQ(Append(i), static_cast<uint64_t>(i));
  ASSERT_TRUE(store_->Flush().ok());
  Reopen();
  ExpectExactly(39);
}

TEST_F(FileStoreFaultTest, FailedWriteOnCloseLeavesTheSyncedMessages) {
  AppendSynced(3);
  Append(4);
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .times = -1, .err = ENOSPC});
  EXPECT_FALSE(store_->Close().ok());
  io_.ClearFaults();
  Reopen();
  ExpectExactly(3);
}

TEST_F(FileStoreFaultTest, RemovalsNotWrittenAreUndoneToo) {
  AppendSynced(4);
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .times = -1, .err = EIO});
  ASSERT_TRUE(store_->Remove(2).ok());
  EXPECT_FALSE(store_->Flush().ok());
  ExpectExactly(4);
}

TEST_F(FileStoreFaultTest, ReloadReadsTheFilesAgain) {
  AppendSynced(3);
  Append(4);
  ASSERT_TRUE(store_->Reload().ok());  // Message 4 was never flushed.
  ExpectExactly(3);
  EXPECT_EQ(Append(4), 4u);
}

TEST_F(FileStoreFaultTest, CrashLosesNoSyncedMessage) {
  for (bool tear : {false, true}) {
    for (int unsynced : {1, 5, 200}) {
      SCOPED_TRACE(absl::StrCat("tear ", tear, ", unsynced ", unsynced));
      options_.dir = testing::util::MakeTempDir("file-store-crash-");
      options_.segment_bytes = 8 << 10;
      Reopen();
      AppendSynced(150);
      for (int i = 151; i < 151 + unsynced; ++i) Append(i);
      ASSERT_TRUE(store_->Flush().ok());
      io_.Crash(tear);
      store_.reset();  // Its writes on close fail: the machine is down.
      io_.Restart();
      Reopen();
      // Every synced message survives; an unsynced one survives whole or is
      // gone (a torn segment before a surviving one reports it lost).
      const StoreState s = store_->State();
      EXPECT_GE(s.last_seq, 150u);
      EXPECT_LE(s.last_seq, 150u + unsynced);
      EXPECT_EQ(s.first_seq, 1u);
      for (uint64_t seq = 1; seq <= s.last_seq; ++seq) {
        auto m = store_->Load(seq);
        if (seq <= 150) {
          ASSERT_TRUE(m.ok()) << seq << ": " << m.status();
        }
        if (m.ok()) {
          EXPECT_EQ(m->data(), absl::StrCat("m", seq));
        }
      }
      for (uint64_t seq : store_->Lost().msgs) EXPECT_GT(seq, 150u);
      EXPECT_EQ(Append(0), s.last_seq + 1);
      ASSERT_TRUE(store_->Flush().ok());
    }
  }
}

TEST_F(FileStoreFaultTest, CrashAfterAFailedWriteKeepsTheSyncedMessages) {
  AppendSynced(10);
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .err = ENOSPC, .short_bytes = 100});
  for (int i = 11; i <= 20; ++i) Append(i);
  EXPECT_FALSE(store_->Flush().ok());
  EXPECT_EQ(Append(11), 11u);
  ASSERT_TRUE(store_->Flush().ok());
  io_.Crash(true);
  store_.reset();
  io_.Restart();
  Reopen();
  const StoreState s = store_->State();
  EXPECT_GE(s.last_seq, 10u);
  ExpectExactly(s.last_seq);
}

}  // namespace
}  // namespace jsengine::storesvc
