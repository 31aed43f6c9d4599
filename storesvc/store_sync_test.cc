// Checks the sync=always contract with fdatasync(2) interposed: an append is
// acknowledged only after an fdatasync that started after it was written,
// and appends arriving while an fdatasync is in flight share the next one.
// The test holds the first fdatasync open, so nothing here depends on timing.
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace {

absl::Mutex gate_mu;
bool gate_closed ABSL_GUARDED_BY(gate_mu) = false;
int in_sync ABSL_GUARDED_BY(gate_mu) = 0;
int completed_syncs ABSL_GUARDED_BY(gate_mu) = 0;

}  // namespace

// Replaces libc's fdatasync for this test binary.
extern "C" int fdatasync(int fd) {
  {
    absl::MutexLock lock(&gate_mu);
    ++in_sync;
    gate_mu.Await(absl::Condition(+[](bool* closed) { return !*closed; }, &gate_closed));
  }
  int rc = static_cast<int>(syscall(SYS_fdatasync, fd));
  absl::MutexLock lock(&gate_mu);
  --in_sync;
  ++completed_syncs;
  return rc;
}

namespace jsengine::storesvc {
namespace {

v1::AppendBatch Batch(int n) {
  v1::AppendBatch batch;
  for (int i = 0; i < n; ++i) {
    v1::AppendRequest* r = batch.add_requests();
    r->set_stream("S");
    r->set_subject("S");
    r->set_data("payload");
  }
  return batch;
}

TEST(StoreSyncTest, AcksWaitForFsyncAndShareIt) {
  StoreOptions opts;
  opts.data_dir = testing::util::MakeTempDir("sync-");
  opts.sync = SyncPolicy::kAlways;
  auto store = std::move(Store::Open(opts)).value();
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("S");
  ASSERT_TRUE(store->CreateStream(create).ok());

  int syncs_before = 0;
  {
    absl::MutexLock lock(&gate_mu);
    gate_closed = true;
    syncs_before = completed_syncs;
  }
  absl::Mutex mu;
  int acked = 0;
  auto on_ack = [&](v1::AppendResultBatch r) {
    for (const auto& res : r.results()) EXPECT_FALSE(res.has_error());
    absl::MutexLock lock(&mu);
    ++acked;
  };
  store->Append(Batch(3), on_ack);
  {
    // The first batch's fsync is now started and held open.
    absl::MutexLock lock(&gate_mu);
    gate_mu.Await(absl::Condition(+[](int* n) { return *n == 1; }, &in_sync));
  }
  for (int i = 0; i < 4; ++i) store->Append(Batch(2), on_ack);
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(acked, 0) << "acknowledged before its fsync completed";
  }
  {
    absl::MutexLock lock(&gate_mu);
    gate_closed = false;
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(+[](int* n) { return *n == 5; }, &acked));
  }
  absl::MutexLock lock(&gate_mu);
  EXPECT_EQ(completed_syncs - syncs_before, 2)
      << "the four appends made during the first fsync should share one";
}

}  // namespace
}  // namespace jsengine::storesvc
