#include "storesvc/client/remote_append_stream.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/callback_burst.h"
#include "common/grpc/grpc_status.h"
#include "common/status.h"
#include "glog/logging.h"

namespace jsengine::storesvc::client {

RemoteAppendStream::RemoteAppendStream(common::grpc::CompletionPump* pump)
    : pump_(pump),
      start_tag_([this](bool ok) { OnStarted(ok); }),
      write_tag_([this](bool ok) { OnWritten(ok); }),
      read_tag_([this](bool ok) { OnRead(ok); }),
      finish_tag_([this](bool ok) { OnFinished(ok); }) {}

std::shared_ptr<RemoteAppendStream> RemoteAppendStream::Open(v1::StoreService::Stub* stub,
                                                             common::grpc::CompletionPump* pump) {
  std::shared_ptr<RemoteAppendStream> stream(new RemoteAppendStream(pump));
  std::weak_ptr<RemoteAppendStream> weak = stream;
  stream->activity_ = pump->BeginActivity([weak] {
    if (auto s = weak.lock()) s->Cancel();
  });
  if (stream->activity_ == 0) return nullptr;
  {
    absl::MutexLock lock(&stream->mu_);
    stream->self_ = stream;
    stream->ops_ = 1;
  }
  stream->stream_ = stub->PrepareAsyncAppend(&stream->context_, pump->cq());
  stream->stream_->StartCall(&stream->start_tag_);
  return stream;
}

bool RemoteAppendStream::Append(v1::AppendBatch& batch, StoreClient::AppendCallback& done) {
  bool write;
  {
    absl::MutexLock lock(&mu_);
    if (broken_) return false;
    if (waiting_.empty()) pump_->AwaitReplies(1);
    waiting_.push_back({batch.requests_size(), std::move(done)});
    if (queued_.has_value()) {
      for (v1::AppendRequest& request : *batch.mutable_requests()) {
        *queued_->add_requests() = std::move(request);
      }
    } else {
      queued_.emplace(std::move(batch));
    }
    write = TakeQueuedLocked();
  }
  if (write) StartWrite();
  return true;
}

bool RemoteAppendStream::broken() {
  absl::MutexLock lock(&mu_);
  return broken_;
}

void RemoteAppendStream::Cancel() { context_.TryCancel(); }

void RemoteAppendStream::OnStarted(bool ok) {
  bool write = false;
  bool finish = false;
  {
    absl::MutexLock lock(&mu_);
    --ops_;
    write_in_flight_ = false;
    if (ok) {
      ++ops_;
      write = TakeQueuedLocked();
    } else {
      broken_ = true;
      reads_ended_ = true;
      finish = ShouldFinishLocked();
    }
  }
  if (ok) stream_->Read(&results_, &read_tag_);
  if (write) StartWrite();
  if (finish) StartFinish();
}

void RemoteAppendStream::OnWritten(bool ok) {
  bool write;
  bool finish;
  std::shared_ptr<RemoteAppendStream> keep;
  {
    absl::MutexLock lock(&mu_);
    --ops_;
    write_in_flight_ = false;
    if (!ok) broken_ = true;
    write = TakeQueuedLocked();
    finish = ShouldFinishLocked();
    MaybeReleaseLocked(&keep);
  }
  if (!ok) context_.TryCancel();
  if (write) StartWrite();
  if (finish) StartFinish();
}

void RemoteAppendStream::OnRead(bool ok) {
  std::vector<std::pair<StoreClient::AppendCallback, v1::AppendResultBatch>> calls;
  bool finish = false;
  bool more_expected = false;
  {
    absl::MutexLock lock(&mu_);
    --ops_;
    if (ok) {
      ++ops_;
      for (v1::AppendResult& result : *results_.mutable_results()) {
        ready_.push_back(std::move(result));
      }
      while (!waiting_.empty() && ready_.size() >= static_cast<size_t>(waiting_.front().count)) {
        v1::AppendResultBatch batch;
        for (int i = 0; i < waiting_.front().count; ++i) {
          *batch.add_results() = std::move(ready_.front());
          ready_.pop_front();
        }
        calls.emplace_back(std::move(waiting_.front().done), std::move(batch));
        waiting_.pop_front();
      }
      more_expected = !waiting_.empty();
      if (!calls.empty() && !more_expected) pump_->AwaitReplies(-1);
    } else {
      broken_ = true;
      reads_ended_ = true;
      finish = ShouldFinishLocked();
    }
  }
  if (finish) StartFinish();
  if (!ok) return;
  // Callbacks first: starting the next read may send a flow-control update.
  {
    common::CallbackBurst burst(more_expected);
    for (auto& [done, batch] : calls) done(std::move(batch));
  }
  results_.Clear();
  stream_->Read(&results_, &read_tag_);
}

void RemoteAppendStream::OnFinished(bool) {
  std::deque<Waiter> failed;
  std::shared_ptr<RemoteAppendStream> keep;
  {
    absl::MutexLock lock(&mu_);
    --ops_;
    finished_ = true;
    broken_ = true;
    queued_.reset();
    if (!waiting_.empty()) pump_->AwaitReplies(-1);
    failed.swap(waiting_);
    MaybeReleaseLocked(&keep);
  }
  if (!status_.ok() && status_.error_code() != grpc::StatusCode::CANCELLED) {
    LOG(WARNING) << "store Append stream ended: " << status_.error_message();
  }
  const absl::Status cause = status_.ok() ? absl::UnavailableError("store Append stream closed")
                                          : common::grpc::FromGrpcStatus(status_);
  const v1::ErrorDetail error = common::ToErrorDetail(
      absl::UnavailableError(absl::StrCat("store unavailable: ", cause.message())));
  for (Waiter& waiter : failed) {
    v1::AppendResultBatch batch;
    for (int i = 0; i < waiter.count; ++i) *batch.add_results()->mutable_error() = error;
    waiter.done(std::move(batch));
  }
}

bool RemoteAppendStream::TakeQueuedLocked() {
  if (write_in_flight_ || broken_ || !queued_.has_value()) return false;
  writing_ = std::move(*queued_);
  queued_.reset();
  write_in_flight_ = true;
  ++ops_;
  return true;
}

bool RemoteAppendStream::ShouldFinishLocked() {
  if (!reads_ended_ || write_in_flight_ || finishing_) return false;
  finishing_ = true;
  ++ops_;
  return true;
}

void RemoteAppendStream::StartWrite() { stream_->Write(writing_, &write_tag_); }

void RemoteAppendStream::StartFinish() { stream_->Finish(&status_, &finish_tag_); }

void RemoteAppendStream::MaybeReleaseLocked(std::shared_ptr<RemoteAppendStream>* keep) {
  if (ops_ > 0 || !finished_ || self_ == nullptr) return;
  *keep = std::move(self_);
  pump_->EndActivity(activity_);
}

}  // namespace jsengine::storesvc::client
