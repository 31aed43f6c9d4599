// The store service's answers to a full disk, a failed write and a failed
// fsync, with faults injected through testing/util/faulty_file_io.h: no
// failed publish is acknowledged or kept, other streams keep working, and
// the failed stream takes publishes again without a restart.
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/append_sync.h"
#include "testing/util/faulty_file_io.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

using testing::util::FaultyFileIo;

class StoreFaultTest : public ::testing::Test {
 protected:
  void Open(SyncPolicy sync) {
    StoreOptions options;
    options.data_dir = data_dir_ = testing::util::MakeTempDir("store-fault-");
    options.sync = sync;
    options.expire_interval = absl::Milliseconds(20);
    options.io = &io_;
    auto opened = Store::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    for (const char* name : {"A", "B"}) {
      v1::CreateStreamRequest create;
      create.mutable_config()->set_name(name);
      ASSERT_TRUE(store_->CreateStream(create).ok());
    }
  }

  // Publishes `n` messages to `stream` in one batch; their results.
  v1::AppendResultBatch Publish(const std::string& stream, int n) {
    v1::AppendBatch batch;
    for (int i = 0; i < n; ++i) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_stream(stream);
      r->set_subject(stream);
      r->set_data("payload");
    }
    return testing::util::AppendSync(store_.get(), std::move(batch));
  }

  // Expects every result stored, with the sequences from `first` on.
  void ExpectStored(const v1::AppendResultBatch& results, uint64_t first) {
    for (const v1::AppendResult& r : results.results()) {
      EXPECT_FALSE(r.has_error()) << r.error().description();
      EXPECT_EQ(r.seq(), first++);
    }
  }

  void ExpectFailed(const v1::AppendResultBatch& results, int err_code) {
    for (const v1::AppendResult& r : results.results()) {
      EXPECT_EQ(r.error().err_code(), err_code) << r.error().description();
      EXPECT_EQ(r.seq(), 0u);
    }
  }

  v1::StreamInfo Info(const std::string& stream) {
    v1::StreamInfoRequest request;
    request.set_name(stream);
    auto info = store_->GetStreamInfo(request);
    EXPECT_TRUE(info.ok()) << info.status();
    return info.ok() ? *info : v1::StreamInfo();
  }

  // Closes the store and opens it again on the same directory.
  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.data_dir = data_dir_;
    options.io = &io_;
    auto opened = Store::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
  }

  FaultyFileIo io_;
  std::string data_dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreFaultTest, FullDiskAnswersInsufficientResourcesAndPassesOnceSpaceReturns) {
  Open(SyncPolicy::kAlways);
  ExpectStored(Publish("A", 3), 1);
  io_.Inject({.op = FaultyFileIo::Op::kPwrite, .path_contains = "/A/", .times = -1, .err = ENOSPC});
  for (int i = 0; i < 3; ++i) {
    v1::AppendResultBatch failed = Publish("A", 4);
    ExpectFailed(failed, 10023);
    EXPECT_EQ(failed.results(0).error().code(), 503);
    EXPECT_EQ(failed.results(0).error().description(), "insufficient resources");
  }
  ExpectStored(Publish("B", 2), 1);
  EXPECT_EQ(Info("A").state().last_seq(), 3u);
  io_.ClearFaults();
  ExpectStored(Publish("A", 2), 4);
  EXPECT_EQ(Info("A").state().messages(), 5u);
  EXPECT_EQ(Info("A").state().num_deleted(), 0);
}

TEST_F(StoreFaultTest, IoErrorFailsTheBatchWithStoreFailed) {
  Open(SyncPolicy::kInterval);
  ExpectStored(Publish("A", 2), 1);
  io_.Inject(
      {.op = FaultyFileIo::Op::kPwrite, .path_contains = "/A/", .err = EIO, .short_bytes = 10});
  ExpectFailed(Publish("A", 5), 10077);
  io_.ClearFaults();
  ExpectStored(Publish("A", 1), 3);
}

TEST_F(StoreFaultTest, FailedFsyncIsNeverAcknowledgedAndTheStreamRecoversFromDisk) {
  Open(SyncPolicy::kAlways);
  ExpectStored(Publish("A", 3), 1);
  io_.Inject({.op = FaultyFileIo::Op::kFdatasync,
              .path_contains = "/A/",
              .err = EIO,
              .drop_unsynced = true});
  ExpectFailed(Publish("A", 2), 10077);
  // Failed until housekeeping has read it again from disk.
  v1::StreamInfo info = Info("A");
  EXPECT_NE(info.failed().find("fsync failed"), std::string::npos) << info.failed();
  ExpectStored(Publish("B", 1), 1);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!Info("A").failed().empty() && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(20));
  info = Info("A");
  EXPECT_EQ(info.failed(), "");
  EXPECT_EQ(info.state().messages(), 3u);
  // The two unacknowledged messages were written (seq.mark says so) but the
  // disk dropped them: reported lost, and their sequences not given out
  // again (under --sync=<interval> they may have been acknowledged).
  EXPECT_EQ(info.state().last_seq(), 5u);
  EXPECT_EQ(
      std::vector<uint64_t>(info.state().lost().msgs().begin(), info.state().lost().msgs().end()),
      (std::vector<uint64_t>{4, 5}));
  ExpectStored(Publish("A", 2), 6);
}

// A crash while a stream update writes its configuration (meta.pb, then
// meta.pb.bak, each tmp + fsync + rename) at each step: the update fails,
// and after the crash the stream comes back with the old configuration or
// the new one, never lost, with every message.
TEST_F(StoreFaultTest, CrashWhileWritingTheConfigurationKeepsTheStream) {
  struct Case {
    const char* what;
    FaultyFileIo::Fault fault;
    bool updated;  // meta.pb was replaced before the fault.
  };
  const std::vector<Case> cases = {
      {"meta.pb write cut short",
       {.op = FaultyFileIo::Op::kPwrite, .path_contains = "meta.pb.tmp", .short_bytes = 9},
       false},
      {"meta.pb fsync fails",
       {.op = FaultyFileIo::Op::kFsync, .path_contains = "meta.pb.tmp"},
       false},
      {"meta.pb rename fails",
       {.op = FaultyFileIo::Op::kRename, .path_contains = "meta.pb.tmp"},
       false},
      {"meta.pb.bak write fails",
       {.op = FaultyFileIo::Op::kPwrite, .path_contains = "meta.pb.bak.tmp", .err = ENOSPC},
       true},
      {"meta.pb.bak rename fails",
       {.op = FaultyFileIo::Op::kRename, .path_contains = "meta.pb.bak.tmp"},
       true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Open(SyncPolicy::kAlways);
    ExpectStored(Publish("A", 10), 1);
    v1::UpdateStreamRequest update;
    update.mutable_config()->set_name("A");
    update.mutable_config()->set_description("second");
    io_.Inject(c.fault);
    EXPECT_FALSE(store_->UpdateStream(update).ok());
    io_.Crash(/*tear=*/true);
    store_.reset();
    io_.Restart();
    Reopen();
    const v1::StreamInfo info = Info("A");
    EXPECT_EQ(info.config().description(), c.updated ? "second" : "");
    EXPECT_EQ(info.state().messages(), 10u);
    ExpectStored(Publish("A", 1), 11);
    // Both copies agree again: each alone brings the stream back.
    store_.reset();
    for (const char* copy : {"/meta.pb", "/meta.pb.bak"}) {
      const std::string dir = data_dir_ + "/streams/A";
      const std::string path = dir + copy;
      const std::string aside = data_dir_ + "/aside";
      ASSERT_EQ(std::rename(path.c_str(), aside.c_str()), 0);
      Reopen();
      EXPECT_EQ(Info("A").config().description(), c.updated ? "second" : "");
      EXPECT_EQ(Info("A").state().messages(), 11u);
      store_.reset();
      std::remove(path.c_str());
      ASSERT_EQ(std::rename(aside.c_str(), path.c_str()), 0);
    }
    store_.reset();
  }
}

}  // namespace
}  // namespace jsengine::storesvc
