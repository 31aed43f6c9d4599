#include "testing/util/append_sync.h"

#include <utility>

#include "absl/synchronization/notification.h"

namespace jsengine::testing::util {

v1::AppendResultBatch AppendSync(storesvc::client::StoreClient* store, v1::AppendBatch batch) {
  absl::Notification done;
  v1::AppendResultBatch out;
  store->Append(std::move(batch), [&](v1::AppendResultBatch r) {
    out = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return out;
}

}  // namespace jsengine::testing::util
