#include "storesvc/append_reactor.h"

#include <utility>

namespace jsengine::storesvc {

AppendReactor::AppendReactor(Store* store, int max_queued_results)
    : store_(store), max_queued_results_(max_queued_results) {
  StartRead(&in_);
}

void AppendReactor::OnReadDone(bool ok) {
  bool append;
  Next next;
  {
    absl::MutexLock lock(&mu_);
    append = ok && !write_failed_;
    if (append) {
      ++outstanding_;
    } else {
      reads_done_ = true;
      next = AdvanceLocked();
    }
  }
  if (!append) {
    Run(next);
    return;
  }
  store_->Append(std::move(in_),
                 [this](v1::AppendResultBatch results) { OnResults(std::move(results)); });
  in_.Clear();
  {
    absl::MutexLock lock(&mu_);
    if (write_failed_) {
      reads_done_ = true;
    } else if (queued_.has_value() && queued_->results_size() > max_queued_results_) {
      read_paused_ = true;
    }
    next = AdvanceLocked();
    if (!reads_done_ && !read_paused_) next.read = true;
  }
  Run(next);
}

void AppendReactor::OnResults(v1::AppendResultBatch results) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    --outstanding_;
    if (!write_failed_) {
      if (queued_.has_value()) {
        for (v1::AppendResult& result : *results.mutable_results()) {
          *queued_->add_results() = std::move(result);
        }
      } else {
        queued_.emplace(std::move(results));
      }
    }
    next = AdvanceLocked();
  }
  Run(next);
}

void AppendReactor::OnWriteDone(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) {
      write_failed_ = true;
      queued_.reset();
      if (read_paused_) {
        read_paused_ = false;
        reads_done_ = true;
      }
    }
    next = AdvanceLocked();
  }
  Run(next);
}

void AppendReactor::OnDone() { delete this; }

AppendReactor::Next AppendReactor::AdvanceLocked() {
  Next next;
  if (!write_in_flight_ && queued_.has_value()) {
    writing_ = std::move(*queued_);
    queued_.reset();
    write_in_flight_ = true;
    next.write = true;
  }
  if (read_paused_ && !queued_.has_value()) {
    read_paused_ = false;
    next.read = true;
  }
  if (reads_done_ && outstanding_ == 0 && !write_in_flight_ && !finished_) {
    finished_ = true;
    next.finish = true;
    next.failed = write_failed_;
  }
  return next;
}

void AppendReactor::Run(const Next& next) {
  // writing_ is only touched again after this write completes, so it is
  // safe to hand over without the lock.
  if (next.write) StartWrite(&writing_);
  if (next.read) StartRead(&in_);
  if (next.finish) {
    Finish(next.failed ? grpc::Status(grpc::StatusCode::CANCELLED, "append cancelled")
                       : grpc::Status::OK);
  }
}

}  // namespace jsengine::storesvc
