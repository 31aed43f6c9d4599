#include "consumersvc/session_reactor.h"

#include <utility>

#include "glog/logging.h"
#include "grpcpp/server_context.h"

namespace jsengine::consumersvc {
namespace {

// Batches are merged up to this size, far below what gRPC lets the gateway
// receive.
constexpr size_t kMaxMergedBytes = size_t{4} << 20;

// The gateway acts on a batch's deliveries first and on its watches and
// consumers after, so a later batch joins a queued one only when that one
// holds deliveries alone (and does not start the session): the merged batch
// then reads exactly as the two in turn would. Settled ids may come later
// than they would have: they only release stream infos waiting for acks.
bool MergesWithLater(const v1::DeliveryBatch& batch) {
  return !batch.session_start() && batch.watch_interest_size() == 0 &&
         batch.unwatch_interest_size() == 0 && batch.watch_replies_size() == 0 &&
         batch.unwatch_replies_size() == 0 && batch.consumers_added_size() == 0 &&
         batch.consumers_removed_size() == 0;
}

void Merge(v1::DeliveryBatch& later, v1::DeliveryBatch& last) {
  last.mutable_packed_deliveries()->append(later.packed_deliveries());
  last.mutable_settled()->Add(later.settled().begin(), later.settled().end());
  last.mutable_watch_interest()->Swap(later.mutable_watch_interest());
  last.mutable_unwatch_interest()->Swap(later.mutable_unwatch_interest());
  last.mutable_watch_replies()->Swap(later.mutable_watch_replies());
  last.mutable_unwatch_replies()->Swap(later.mutable_unwatch_replies());
  last.mutable_consumers_added()->Swap(later.mutable_consumers_added());
  last.mutable_consumers_removed()->Swap(later.mutable_consumers_removed());
}

}  // namespace

SessionReactor::SessionReactor(grpc::CallbackServerContext* context,
                               client::ConsumerClient* consumers, size_t max_queued_bytes)
    : context_(context), max_queued_bytes_(max_queued_bytes) {
  session_ =
      consumers->OpenSession([this](v1::DeliveryBatch batch) { OnDeliveries(std::move(batch)); });
  StartRead(&in_);
}

void SessionReactor::OnReadDone(bool ok) {
  if (ok) {
    session_->Send(std::move(in_));
    in_.Clear();
    StartRead(&in_);
    return;
  }
  session_.reset();
  Next next;
  {
    absl::MutexLock lock(&mu_);
    reads_done_ = true;
    next = AdvanceLocked();
  }
  Run(next);
}

void SessionReactor::OnDeliveries(v1::DeliveryBatch batch) {
  const size_t bytes = batch.ByteSizeLong();
  Next next;
  bool overflow = false;
  {
    absl::MutexLock lock(&mu_);
    if (broken_ || reads_done_) return;
    if (!queued_.empty() && MergesWithLater(queued_.back().batch) &&
        queued_.back().bytes + bytes <= kMaxMergedBytes) {
      Merge(batch, queued_.back().batch);
      queued_.back().bytes += bytes;
    } else {
      queued_.push_back({std::move(batch), bytes});
    }
    queued_bytes_ += bytes;
    if (queued_bytes_ > max_queued_bytes_) {
      overflow = true;
      broken_ = true;
      queued_.clear();
      queued_bytes_ = 0;
    }
    next = AdvanceLocked();
  }
  if (overflow) {
    LOG(WARNING) << "consumer session " << context_->peer() << ": more than " << max_queued_bytes_
                 << " bytes of deliveries unread; ending it";
    context_->TryCancel();
  }
  Run(next);
}

void SessionReactor::OnWriteDone(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) {
      broken_ = true;
      queued_.clear();
      queued_bytes_ = 0;
    }
    next = AdvanceLocked();
  }
  Run(next);
}

void SessionReactor::OnDone() { delete this; }

SessionReactor::Next SessionReactor::AdvanceLocked() {
  Next next;
  if (!write_in_flight_ && !broken_ && !queued_.empty()) {
    queued_bytes_ -= queued_.front().bytes;
    writing_ = std::move(queued_.front().batch);
    queued_.pop_front();
    write_in_flight_ = true;
    next.write = true;
  }
  if (reads_done_ && !write_in_flight_ && !finished_) {
    finished_ = true;
    next.finish = true;
    next.failed = broken_;
  }
  return next;
}

void SessionReactor::Run(const Next& next) {
  // writing_ is only touched again after this write completes, so it is
  // safe to hand over without the lock.
  if (next.write) StartWrite(&writing_);
  if (next.finish) {
    Finish(next.failed ? grpc::Status(grpc::StatusCode::CANCELLED, "session cancelled")
                       : grpc::Status::OK);
  }
}

}  // namespace jsengine::consumersvc
