// RemoteAppendStream: one Append bidi stream to a storesvc (proto/store.proto),
// shared by every appending thread of a RemoteStoreClient.
//
// Append() starts the stream write on the calling thread when none is in
// flight (a synchronous publisher's batch leaves at once, without a thread
// hand-off); batches arriving while a write is in flight are merged and
// written, as one batch, when it completes. Results are read on the pump
// thread, which matches them to the callers by position (the store answers
// in request order) and runs their callbacks. If the stream breaks, appends
// awaiting results fail with UNAVAILABLE and Append() refuses new ones; the
// owner then opens a new stream. While appends await results, the stream
// counts as awaiting replies on the pump (common::grpc::CompletionPump::AwaitReplies).
//
// The stream keeps itself alive until its last gRPC operation completed.
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_STORESVC_CLIENT_REMOTE_APPEND_STREAM_H_
#define JSENGINE_STORESVC_CLIENT_REMOTE_APPEND_STREAM_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/completion_pump.h"
#include "grpcpp/client_context.h"
#include "proto/store.grpc.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::storesvc::client {

class RemoteAppendStream : public std::enable_shared_from_this<RemoteAppendStream> {
 public:
  // Opens a stream on `pump`; null when the pump is shutting down. `stub`
  // and `pump` must outlive the stream's activity.
  static std::shared_ptr<RemoteAppendStream> Open(v1::StoreService::Stub* stub,
                                                  common::grpc::CompletionPump* pump);

  RemoteAppendStream(const RemoteAppendStream&) = delete;
  RemoteAppendStream& operator=(const RemoteAppendStream&) = delete;

  // Accepts the batch, and calls `done` once with its results, or returns
  // false (leaving both untouched) when the stream is broken.
  bool Append(v1::AppendBatch& batch, StoreClient::AppendCallback& done) ABSL_LOCKS_EXCLUDED(mu_);
  bool broken() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the stream promptly; pending appends fail.
  void Cancel();

 private:
  struct Waiter {
    int count;
    StoreClient::AppendCallback done;
  };

  explicit RemoteAppendStream(common::grpc::CompletionPump* pump);
  void OnStarted(bool ok) ABSL_LOCKS_EXCLUDED(mu_);
  void OnWritten(bool ok) ABSL_LOCKS_EXCLUDED(mu_);
  void OnRead(bool ok) ABSL_LOCKS_EXCLUDED(mu_);
  void OnFinished(bool ok) ABSL_LOCKS_EXCLUDED(mu_);
  // Takes the queued batch into writing_ if no write is in flight; returns
  // whether the caller is to start that write.
  bool TakeQueuedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the caller is to call Finish: the read side ended and no write
  // is in flight.
  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StartWrite();
  void StartFinish();
  // Drops the self-reference once every operation completed.
  void MaybeReleaseLocked(std::shared_ptr<RemoteAppendStream>* keep)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  common::grpc::CompletionPump* const pump_;
  uint64_t activity_ = 0;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<v1::AppendBatch, v1::AppendResultBatch>> stream_;
  common::grpc::CompletionPump::Tag start_tag_;
  common::grpc::CompletionPump::Tag write_tag_;
  common::grpc::CompletionPump::Tag read_tag_;
  common::grpc::CompletionPump::Tag finish_tag_;
  v1::AppendResultBatch results_;  // Owned by the read in flight.
  v1::AppendBatch writing_;        // Owned by the write in flight.
  grpc::Status status_;            // Set by Finish.

  absl::Mutex mu_;
  std::shared_ptr<RemoteAppendStream> self_ ABSL_GUARDED_BY(mu_);
  int ops_ ABSL_GUARDED_BY(mu_) = 0;  // gRPC operations in flight.
  // A write, or the call's start, is in flight.
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = true;
  std::optional<v1::AppendBatch> queued_ ABSL_GUARDED_BY(mu_);
  std::deque<Waiter> waiting_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::AppendResult> ready_ ABSL_GUARDED_BY(mu_);  // Results not yet matched.
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_ended_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace jsengine::storesvc::client

#endif  // JSENGINE_STORESVC_CLIENT_REMOTE_APPEND_STREAM_H_
