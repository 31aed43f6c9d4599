#include "consumersvc/client/remote_consumer_session.h"

#include <mutex>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "consumersvc/client/remote_session_stream.h"
#include "glog/logging.h"
#include "grpcpp/alarm.h"

namespace jsengine::consumersvc::client {
namespace {

// How often a service that stays away is reported.
constexpr absl::Duration kLogEvery = absl::Seconds(10);

}  // namespace

// The session's streams, one after another. Outlives the session while a
// stream or the pause before the next is in progress, as a pump activity.
class RemoteConsumerSession::State final : public RemoteSessionStream::Listener {
 public:
  State(v1::ConsumerService::Stub* stub, common::grpc::CompletionPump* pump,
        ConsumerClient::DeliveryCallback on_deliveries)
      : stub_(stub),
        pump_(pump),
        pump_thread_(pump->thread_id()),
        on_deliveries_(std::move(on_deliveries)),
        reopen_tag_([this](bool ok) { OnReopen(ok); }) {}

  static void Start(const std::shared_ptr<State>& state) {
    std::weak_ptr<State> weak = state;
    state->activity_ = state->pump_->BeginActivity([weak] {
      if (auto s = weak.lock()) s->Close();
    });
    if (state->activity_ == 0) return;
    bool opened;
    {
      absl::MutexLock lock(&state->mu_);
      state->self_ = state;
      opened = state->OpenLocked();
    }
    if (!opened) state->End();
  }

  void Send(v1::GatewayBatch& batch) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    if (stream_ != nullptr && pending_.events().empty() && stream_->Write(batch)) return;
    for (v1::GatewayEvent& event : *batch.mutable_events()) {
      if (pending_.events_size() >= kMaxPendingEvents) {
        ++dropped_;
        continue;
      }
      *pending_.add_events() = std::move(event);
    }
  }

  void Close() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
      if (stream_ != nullptr) stream_->Cancel();
      if (reopen_set_) reopen_alarm_.Cancel();
    }
    if (std::this_thread::get_id() != pump_thread_) {
      std::lock_guard<std::mutex> wait(callback_mu_);
    }
  }

 private:
  // RemoteSessionStream::Listener
  void OnDeliveries(v1::DeliveryBatch& batch) override ABSL_LOCKS_EXCLUDED(mu_) {
    std::lock_guard<std::mutex> callback(callback_mu_);
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return;
    }
    on_deliveries_(std::move(batch));
  }

  void OnStreamEnd(const grpc::Status& status) override ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      stream_ = nullptr;
      if (!closed_) {
        const absl::Time now = absl::Now();
        if (now >= next_log_) {
          LOG(WARNING) << "consumersvc session ended (" << status.error_message()
                       << "); reopening every " << kReopenPause;
          next_log_ = now + kLogEvery;
        }
        reopen_set_ = true;
        reopen_alarm_.Set(pump_->cq(), absl::ToChronoTime(now + kReopenPause), &reopen_tag_);
        return;
      }
    }
    End();
  }

  void OnReopen(bool ok) ABSL_LOCKS_EXCLUDED(mu_) {
    bool opened = false;
    {
      absl::MutexLock lock(&mu_);
      reopen_set_ = false;
      if (ok && !closed_) opened = OpenLocked();
    }
    if (!opened) End();
  }

  // Opens the next stream and writes what waited for it; false when the
  // pump is shutting down.
  bool OpenLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    stream_ = RemoteSessionStream::Open(stub_, pump_, this);
    if (stream_ == nullptr) return false;
    if (dropped_ > 0) {
      LOG(WARNING) << "consumersvc session: " << dropped_
                   << " events dropped while the service was away";
      dropped_ = 0;
    }
    if (!pending_.events().empty() && stream_->Write(pending_)) pending_.Clear();
    return true;
  }

  // The last stream ended: releases the state.
  void End() ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<State> keep;
    absl::MutexLock lock(&mu_);
    keep = std::move(self_);
    pump_->EndActivity(activity_);
  }

  v1::ConsumerService::Stub* const stub_;
  common::grpc::CompletionPump* const pump_;
  const std::thread::id pump_thread_;
  const ConsumerClient::DeliveryCallback on_deliveries_;
  uint64_t activity_ = 0;
  common::grpc::CompletionPump::Tag reopen_tag_;

  // Held while the callback runs, so Close() can wait it out.
  std::mutex callback_mu_;

  absl::Mutex mu_;
  std::shared_ptr<State> self_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<RemoteSessionStream> stream_ ABSL_GUARDED_BY(mu_);
  v1::GatewayBatch pending_ ABSL_GUARDED_BY(mu_);  // Sent while no stream took it.
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Alarm reopen_alarm_ ABSL_GUARDED_BY(mu_);
  bool reopen_set_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time next_log_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

RemoteConsumerSession::RemoteConsumerSession(v1::ConsumerService::Stub* stub,
                                             common::grpc::CompletionPump* pump,
                                             ConsumerClient::DeliveryCallback on_deliveries)
    : state_(std::make_shared<State>(stub, pump, std::move(on_deliveries))) {
  State::Start(state_);
}

RemoteConsumerSession::~RemoteConsumerSession() { state_->Close(); }

void RemoteConsumerSession::Send(v1::GatewayBatch batch) { state_->Send(batch); }

}  // namespace jsengine::consumersvc::client
