// Runs one append batch through any StoreClient and waits for its results,
// for tests that publish synchronously.
//
//   v1::AppendResultBatch results = util::AppendSync(store, std::move(batch));
//
// Blocks until the batch's AppendCallback runs. Thread-safe.
#ifndef JSENGINE_TESTING_UTIL_APPEND_SYNC_H_
#define JSENGINE_TESTING_UTIL_APPEND_SYNC_H_

#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::testing::util {

v1::AppendResultBatch AppendSync(storesvc::client::StoreClient* store, v1::AppendBatch batch);

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_APPEND_SYNC_H_
