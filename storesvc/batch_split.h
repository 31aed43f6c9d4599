// SplitBatch: cuts a batch of read messages into batches that each fit in
// one gRPC message. A read's batch holds up to max_batch messages of any
// size (256 object-store chunks are 32 MiB), while a gRPC receiver takes 4
// MiB by default; the Read adapter sends the pieces one after another.
//
//   for (v1::MessageBatch& piece : SplitBatch(std::move(batch), kMaxBatchBytes))
//     writer->Write(piece);
//
// Thread-safety: a pure function.
#ifndef JSENGINE_STORESVC_BATCH_SPLIT_H_
#define JSENGINE_STORESVC_BATCH_SPLIT_H_

#include <cstddef>
#include <vector>

#include "proto/store.pb.h"

namespace jsengine::storesvc {

// Bytes of messages per piece that keep a piece well under gRPC's default
// 4 MiB, whatever the message sizes up to the 1 MiB max payload.
inline constexpr size_t kMaxBatchBytes = 1 << 20;

// The messages of `batch` in order, in pieces of at most `max_bytes` of
// serialized messages each, except that a larger message is a piece on its
// own; every piece carries the batch's stream_first_seq and stream_last_seq,
// and a piece before the last a read_through_seq no further than its own
// last message. A batch without messages comes back as it is.
std::vector<v1::MessageBatch> SplitBatch(v1::MessageBatch batch, size_t max_bytes);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_BATCH_SPLIT_H_
