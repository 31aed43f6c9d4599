// RemoteAppendStream: one Append bidi stream to a storesvc (proto/store.proto),
// shared by every appending thread of a RemoteStoreClient.
//
// A common::grpc::BatchingBidiStream: the thread that finds no write in
// flight writes its batch itself, later batches are merged into the next
// write. This class matches the results, read on the pump thread, to the
// callers by position (the store answers in request order) and runs their
// callbacks. If the stream breaks, appends awaiting results fail with
// UNAVAILABLE and Append() refuses new ones; the owner then opens a new
// stream. While appends await results, the stream counts as awaiting replies
// on the pump (common::grpc::CompletionPump::AwaitReplies).
//
// Thread-safety: thread-safe. Ownership: as BatchingBidiStream's.
#ifndef JSENGINE_STORESVC_CLIENT_REMOTE_APPEND_STREAM_H_
#define JSENGINE_STORESVC_CLIENT_REMOTE_APPEND_STREAM_H_

#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/batching_bidi_stream.h"
#include "common/grpc/completion_pump.h"
#include "grpcpp/support/status.h"
#include "proto/store.grpc.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::storesvc::client {

// Append batches queued behind a write in flight become one: their requests,
// in order.
struct MergeAppendBatches {
  static void Merge(v1::AppendBatch& later, v1::AppendBatch* queued) {
    common::grpc::MoveRepeated(later.mutable_requests(), queued->mutable_requests());
  }
};

class RemoteAppendStream final
    : public common::grpc::BatchingBidiStream<RemoteAppendStream, v1::AppendBatch,
                                              v1::AppendResultBatch, MergeAppendBatches> {
 public:
  // Opens a stream on `pump`; null when the pump is shutting down. `stub`
  // and `pump` must outlive the stream's activity.
  static std::shared_ptr<RemoteAppendStream> Open(v1::StoreService::Stub* stub,
                                                  common::grpc::CompletionPump* pump);

  // Accepts the batch, and calls `done` once with its results, or returns
  // false (leaving both untouched) when the stream is broken.
  bool Append(v1::AppendBatch& batch, StoreClient::AppendCallback& done) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  friend BatchingBidiStream;

  struct Waiter {
    int count;
    StoreClient::AppendCallback done;
  };

  explicit RemoteAppendStream(common::grpc::CompletionPump* pump) : BatchingBidiStream(pump) {}

  void OnMessage(v1::AppendResultBatch& results) ABSL_LOCKS_EXCLUDED(mu_);
  void OnEnd(const grpc::Status& status) ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::deque<Waiter> waiting_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::AppendResult> ready_ ABSL_GUARDED_BY(mu_);  // Results not yet matched.
};

}  // namespace jsengine::storesvc::client

#endif  // JSENGINE_STORESVC_CLIENT_REMOTE_APPEND_STREAM_H_
