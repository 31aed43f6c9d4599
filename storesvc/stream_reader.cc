#include "storesvc/stream_reader.h"

#include <utility>

namespace jsengine::storesvc {
namespace {

// Batches one step reads before it yields its thread to other readers.
constexpr int kBatchesPerStep = 4;

}  // namespace

class StreamReader::Handle final : public client::Subscription {
 public:
  explicit Handle(std::shared_ptr<StreamReader> reader) : reader_(std::move(reader)) {}
  ~Handle() override { Cancel(); }
  void Cancel() override { reader_->Cancel(); }

 private:
  const std::shared_ptr<StreamReader> reader_;
};

StreamReader::StreamReader(std::weak_ptr<common::ThreadPool> pool,
                           std::unique_ptr<ReadCursor> cursor,
                           client::StoreClient::BatchCallback on_batch,
                           client::StoreClient::DoneCallback done)
    : pool_(std::move(pool)),
      cursor_(std::move(cursor)),
      on_batch_(std::move(on_batch)),
      done_(std::move(done)) {}

std::unique_ptr<client::Subscription> StreamReader::Start(
    std::weak_ptr<common::ThreadPool> pool, std::unique_ptr<ReadCursor> cursor,
    client::StoreClient::BatchCallback on_batch, client::StoreClient::DoneCallback done) {
  std::shared_ptr<StreamReader> reader(
      new StreamReader(std::move(pool), std::move(cursor), std::move(on_batch), std::move(done)));
  reader->Schedule();
  return std::make_unique<Handle>(std::move(reader));
}

void StreamReader::Schedule() {
  {
    absl::MutexLock lock(&mu_);
    if (ended_) return;
    if (scheduled_) {
      again_ = true;
      return;
    }
    scheduled_ = true;
  }
  if (!Submit()) {
    absl::MutexLock lock(&mu_);
    scheduled_ = false;
  }
}

bool StreamReader::Submit() {
  std::shared_ptr<common::ThreadPool> pool = pool_.lock();
  return pool != nullptr && pool->Submit([self = shared_from_this()] { self->Step(); });
}

void StreamReader::Step() {
  {
    absl::MutexLock lock(&mu_);
    if (ended_) {
      scheduled_ = false;
      return;
    }
    again_ = false;
    stepping_ = std::this_thread::get_id();
  }
  bool more = false;
  for (int i = 0; i < kBatchesPerStep && Live(); ++i) {
    absl::StatusOr<v1::MessageBatch> batch = cursor_->Next();
    if (!batch.ok()) {
      Finish(batch.status());
      break;
    }
    if (batch->messages().empty()) {
      if (cursor_->done() || (cursor_->moved_only() && !on_batch_(*batch))) {
        Finish(absl::OkStatus());
        break;
      }
      std::weak_ptr<StreamReader> weak = weak_from_this();
      const uint64_t token = cursor_->stream().appends().WaitAsync(cursor_->next_seq(), [weak] {
        if (auto reader = weak.lock()) reader->Schedule();
      });
      bool ended;
      {
        absl::MutexLock lock(&mu_);
        ended = ended_;
        if (!ended) wait_token_ = token;
      }
      if (ended && token != 0) cursor_->stream().appends().Cancel(token);
      break;
    }
    if (!Live()) break;
    if (!on_batch_(*batch) || cursor_->done()) {
      Finish(absl::OkStatus());
      break;
    }
    more = i + 1 == kBatchesPerStep;
  }
  bool resubmit = false;
  {
    absl::MutexLock lock(&mu_);
    stepping_ = std::thread::id();
    resubmit = !ended_ && (again_ || more);
    again_ = false;
    scheduled_ = resubmit;
  }
  if (resubmit && !Submit()) {
    absl::MutexLock lock(&mu_);
    scheduled_ = false;
  }
}

bool StreamReader::Live() {
  absl::MutexLock lock(&mu_);
  return !ended_;
}

void StreamReader::Finish(absl::Status status) {
  {
    absl::MutexLock lock(&mu_);
    if (ended_) return;
    ended_ = true;
  }
  if (done_) done_(std::move(status));
}

void StreamReader::Cancel() {
  uint64_t token = 0;
  {
    absl::MutexLock lock(&mu_);
    ended_ = true;
    if (stepping_ != std::thread::id() && stepping_ != std::this_thread::get_id()) {
      auto idle = [this]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stepping_ == std::thread::id(); };
      mu_.Await(absl::Condition(&idle));
    }
    std::swap(token, wait_token_);
  }
  if (token != 0) cursor_->stream().appends().Cancel(token);
}

}  // namespace jsengine::storesvc
