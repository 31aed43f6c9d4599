#include "testing/util/read_seqs.h"

#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace jsengine::testing::util {

absl::StatusOr<std::vector<uint64_t>> ReadSeqs(storesvc::client::StoreClient* store,
                                               const v1::ReadRequest& request) {
  absl::Mutex mu;
  std::vector<uint64_t> seqs;
  absl::Status status;
  absl::Notification done;
  auto subscription = store->Read(
      request,
      [&](const v1::MessageBatch& batch) {
        absl::MutexLock lock(&mu);
        for (const v1::StoredMessage& m : batch.messages()) seqs.push_back(m.seq());
        return true;
      },
      [&](absl::Status st) {
        status = std::move(st);
        done.Notify();
      });
  done.WaitForNotification();
  absl::MutexLock lock(&mu);
  if (!status.ok()) return status;
  return seqs;
}

}  // namespace jsengine::testing::util
