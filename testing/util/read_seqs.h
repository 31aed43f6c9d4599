// Runs one read of any StoreClient to its end, for tests that only care
// which messages it delivered.
//
//   absl::StatusOr<std::vector<uint64_t>> seqs = util::ReadSeqs(store, request);
//
// Blocks until the read's DoneCallback runs; a tail never ends by itself.
// Thread-safe.
#ifndef JSENGINE_TESTING_UTIL_READ_SEQS_H_
#define JSENGINE_TESTING_UTIL_READ_SEQS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::testing::util {

// The sequences of the messages delivered, in order, or the read's error.
absl::StatusOr<std::vector<uint64_t>> ReadSeqs(storesvc::client::StoreClient* store,
                                               const v1::ReadRequest& request);

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_READ_SEQS_H_
