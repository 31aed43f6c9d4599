// BatchingBidiStream: one client bidi stream that carries batches up and
// messages down, shared by every thread that writes to it and driven by a
// CompletionPump. The machinery of a batched session; the owner adds what its
// messages mean.
//
// Write() starts the stream write on the calling thread when none is in
// flight (a batch leaves at once, without a thread hand-off); batches written
// while one is in flight are merged, in order, into one queued batch, written
// when the write in flight completes. Each incoming message goes to the owner
// on the pump thread, in the order received. The stream ends when the server
// ends the call, an operation fails or Cancel() is called: Write() then
// refuses batches, queued ones are dropped, and the owner is told the call's
// status once. The stream registers as an activity of the pump (so the pump's
// destruction cancels it) and keeps itself alive until its last gRPC
// operation completed.
//
// The owner derives from it, naming itself as `Derived`, and provides, where
// this class can call them (public, or private with this class a friend):
//
//   // Pump thread, one message at a time; may move from `message`.
//   void OnMessage(In& message);
//   // Pump thread, once, after every OnMessage; the last call into Derived.
//   void OnEnd(const ::grpc::Status& status);
//
// `Merge` says how a later batch joins the queued one:
//
//   struct MergeAppendBatches {
//     static void Merge(v1::AppendBatch& later, v1::AppendBatch* queued) {
//       MoveRepeated(later.mutable_requests(), queued->mutable_requests());
//     }
//   };
//
// Whether replies are due (CompletionPump::AwaitReplies) is the owner's to
// say: it knows what it awaits.
//
// Thread-safety: thread-safe. Ownership: held by shared_ptr; from Start() on
// it also holds itself until OnEnd returned.
#ifndef JSENGINE_COMMON_GRPC_BATCHING_BIDI_STREAM_H_
#define JSENGINE_COMMON_GRPC_BATCHING_BIDI_STREAM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/completion_pump.h"
#include "google/protobuf/repeated_field.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/async_stream.h"
#include "grpcpp/support/status.h"

namespace jsengine::common::grpc {

// Moves every item of `from` to the end of `to`, in order: a Merge for a
// batch that is one repeated field.
template <typename Item>
void MoveRepeated(google::protobuf::RepeatedPtrField<Item>* from,
                  google::protobuf::RepeatedPtrField<Item>* to) {
  to->Reserve(to->size() + from->size());
  for (Item& item : *from) *to->Add() = std::move(item);
}

template <typename Derived, typename Out, typename In, typename Merge>
class BatchingBidiStream : public std::enable_shared_from_this<Derived> {
 public:
  using Call = ::grpc::ClientAsyncReaderWriter<Out, In>;

  BatchingBidiStream(const BatchingBidiStream&) = delete;
  BatchingBidiStream& operator=(const BatchingBidiStream&) = delete;

  // Takes `batch` for writing and returns true, or returns false, leaving
  // `batch` untouched, once the stream ended. `on_taken` runs first, only if
  // the batch is taken, under the lock that orders the writes: the owner's
  // record of the batch is then in wire order. It must not call the stream.
  template <typename OnTaken>
  bool Write(Out& batch, OnTaken&& on_taken) ABSL_LOCKS_EXCLUDED(mu_);
  bool Write(Out& batch) ABSL_LOCKS_EXCLUDED(mu_) {
    return Write(batch, [] {});
  }

  // Whether the stream ended or is ending: Write() refuses batches.
  bool broken() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return broken_;
  }

  // Ends the stream promptly.
  void Cancel() { context_.TryCancel(); }

 protected:
  explicit BatchingBidiStream(CompletionPump* pump) : pump_(pump) {}
  ~BatchingBidiStream() = default;

  // Starts the call, which `prepare(::grpc::ClientContext*,
  // ::grpc::CompletionQueue*)` prepares (a stub's PrepareAsyncX) and returns
  // as std::unique_ptr<Call>. Returns false, having started nothing (OnEnd
  // will not run), when the pump is shutting down. Once, on a stream already
  // held by a shared_ptr; the pump and what `prepare` uses must outlive the
  // stream's activity.
  template <typename Prepare>
  bool Start(Prepare&& prepare) ABSL_LOCKS_EXCLUDED(mu_);

  CompletionPump* pump() const { return pump_; }

 private:
  Derived* derived() { return static_cast<Derived*>(this); }

  void OnStarted(bool ok) ABSL_LOCKS_EXCLUDED(mu_);
  void OnWritten(bool ok) ABSL_LOCKS_EXCLUDED(mu_);
  void OnRead(bool ok) ABSL_LOCKS_EXCLUDED(mu_);
  void OnFinished() ABSL_LOCKS_EXCLUDED(mu_);
  // Moves the queued batch to writing_ if no write is in flight; returns
  // whether the caller is to start that write.
  bool TakeQueuedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether the caller is to call Finish: reads ended and no write is in
  // flight, so Finish is the call's last operation.
  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CompletionPump* const pump_;
  uint64_t activity_ = 0;
  ::grpc::ClientContext context_;
  std::unique_ptr<Call> call_;  // Lives in context_'s call: declared after it.
  CompletionPump::Tag start_tag_{[this](bool ok) { OnStarted(ok); }};
  CompletionPump::Tag write_tag_{[this](bool ok) { OnWritten(ok); }};
  CompletionPump::Tag read_tag_{[this](bool ok) { OnRead(ok); }};
  CompletionPump::Tag finish_tag_{[this](bool) { OnFinished(); }};
  In message_;             // Owned by the read in flight.
  Out writing_;            // Owned by the write in flight.
  ::grpc::Status status_;  // Set by Finish.

  absl::Mutex mu_;
  std::shared_ptr<Derived> self_ ABSL_GUARDED_BY(mu_);
  // A write, or the call's start, is in flight.
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = true;
  std::optional<Out> queued_ ABSL_GUARDED_BY(mu_);
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_ended_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
};

template <typename Derived, typename Out, typename In, typename Merge>
template <typename OnTaken>
bool BatchingBidiStream<Derived, Out, In, Merge>::Write(Out& batch, OnTaken&& on_taken) {
  bool write;
  {
    absl::MutexLock lock(&mu_);
    if (broken_) return false;
    on_taken();
    if (queued_.has_value()) {
      Merge::Merge(batch, &*queued_);
    } else {
      queued_.emplace(std::move(batch));
    }
    write = TakeQueuedLocked();
  }
  if (write) call_->Write(writing_, &write_tag_);
  return true;
}

template <typename Derived, typename Out, typename In, typename Merge>
template <typename Prepare>
bool BatchingBidiStream<Derived, Out, In, Merge>::Start(Prepare&& prepare) {
  activity_ = pump_->BeginActivity([weak = this->weak_from_this()] {
    if (auto stream = weak.lock()) stream->Cancel();
  });
  if (activity_ == 0) return false;
  {
    absl::MutexLock lock(&mu_);
    self_ = this->shared_from_this();
  }
  call_ = std::forward<Prepare>(prepare)(&context_, pump_->cq());
  call_->StartCall(&start_tag_);
  return true;
}

template <typename Derived, typename Out, typename In, typename Merge>
void BatchingBidiStream<Derived, Out, In, Merge>::OnStarted(bool ok) {
  bool write = false;
  bool finish = false;
  {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (ok) {
      write = TakeQueuedLocked();
    } else {
      broken_ = true;
      reads_ended_ = true;
      finish = ShouldFinishLocked();
    }
  }
  if (ok) call_->Read(&message_, &read_tag_);
  if (write) call_->Write(writing_, &write_tag_);
  if (finish) call_->Finish(&status_, &finish_tag_);
}

template <typename Derived, typename Out, typename In, typename Merge>
void BatchingBidiStream<Derived, Out, In, Merge>::OnWritten(bool ok) {
  bool write;
  bool finish;
  {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) broken_ = true;
    write = TakeQueuedLocked();
    finish = ShouldFinishLocked();
  }
  if (!ok) context_.TryCancel();
  if (write) call_->Write(writing_, &write_tag_);
  if (finish) call_->Finish(&status_, &finish_tag_);
}

template <typename Derived, typename Out, typename In, typename Merge>
void BatchingBidiStream<Derived, Out, In, Merge>::OnRead(bool ok) {
  if (ok) {
    // The owner first: starting the next read may send a flow-control update.
    derived()->OnMessage(message_);
    message_.Clear();
    call_->Read(&message_, &read_tag_);
    return;
  }
  bool finish;
  {
    absl::MutexLock lock(&mu_);
    broken_ = true;
    reads_ended_ = true;
    finish = ShouldFinishLocked();
  }
  if (finish) call_->Finish(&status_, &finish_tag_);
}

template <typename Derived, typename Out, typename In, typename Merge>
void BatchingBidiStream<Derived, Out, In, Merge>::OnFinished() {
  {
    absl::MutexLock lock(&mu_);
    queued_.reset();
  }
  derived()->OnEnd(status_);
  std::shared_ptr<Derived> keep;
  {
    absl::MutexLock lock(&mu_);
    keep = std::move(self_);
  }
  pump_->EndActivity(activity_);
}

template <typename Derived, typename Out, typename In, typename Merge>
bool BatchingBidiStream<Derived, Out, In, Merge>::TakeQueuedLocked() {
  if (write_in_flight_ || broken_ || !queued_.has_value()) return false;
  writing_ = std::move(*queued_);
  queued_.reset();
  write_in_flight_ = true;
  return true;
}

template <typename Derived, typename Out, typename In, typename Merge>
bool BatchingBidiStream<Derived, Out, In, Merge>::ShouldFinishLocked() {
  if (!reads_ended_ || write_in_flight_ || finishing_) return false;
  finishing_ = true;
  return true;
}

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_BATCHING_BIDI_STREAM_H_
