// RemoteStreamReader: a Subscription fed by a server-streaming call of
// the StoreService (Read, WatchStreams), driven by a common::grpc::CompletionPump.
//
// Messages go to `on_message` on the pump thread until it returns false, the
// stream ends, or the subscription is cancelled. With `resume`, a stream that
// breaks (e.g. the store restarted) is opened again after a pause, until
// cancelled, and `done` is never called; otherwise `done` runs once at the
// end: OK when on_message stopped the stream or the server ended it, the
// call's error otherwise. Nothing runs after cancellation.
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_STORESVC_CLIENT_REMOTE_STREAM_READER_H_
#define JSENGINE_STORESVC_CLIENT_REMOTE_STREAM_READER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/grpc/completion_pump.h"
#include "common/grpc/grpc_status.h"
#include "glog/logging.h"
#include "grpcpp/alarm.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/async_stream.h"
#include "storesvc/client/store_client.h"

namespace jsengine::storesvc::client {

template <typename Message>
class RemoteStreamReader final : public Subscription {
 public:
  // Starts the call: `open` prepares it (PrepareAsyncX on the pump's queue).
  using Open = std::function<std::unique_ptr<grpc::ClientAsyncReader<Message>>(
      grpc::ClientContext*, grpc::CompletionQueue*)>;

  RemoteStreamReader(common::grpc::CompletionPump* pump, Open open,
                     std::function<bool(Message&)> on_message,
                     std::function<void(absl::Status)> done, bool resume)
      : state_(std::make_shared<State>(pump, std::move(open), std::move(on_message),
                                       std::move(done), resume)) {
    State::Start(state_);
  }

  ~RemoteStreamReader() override { Cancel(); }

  void Cancel() override { state_->Cancel(); }

 private:
  static constexpr absl::Duration kResumePause = absl::Milliseconds(500);

  // Outlives the subscription while gRPC operations are in flight.
  class State {
   public:
    State(common::grpc::CompletionPump* pump, Open open, std::function<bool(Message&)> on_message,
          std::function<void(absl::Status)> done, bool resume)
        : pump_(pump),
          pump_thread_(pump->thread_id()),
          open_(std::move(open)),
          on_message_(std::move(on_message)),
          done_(std::move(done)),
          resume_(resume),
          start_tag_([this](bool ok) { OnStarted(ok); }),
          read_tag_([this](bool ok) { OnRead(ok); }),
          finish_tag_([this](bool) { OnFinished(); }),
          alarm_tag_([this](bool ok) { OnAlarm(ok); }) {}

    static void Start(const std::shared_ptr<State>& state) {
      std::weak_ptr<State> weak = state;
      state->activity_ = state->pump_->BeginActivity([weak] {
        if (auto s = weak.lock()) s->Cancel();
      });
      if (state->activity_ == 0) return;
      {
        absl::MutexLock lock(&state->mu_);
        state->self_ = state;
      }
      state->Connect();
    }

    void Cancel() {
      {
        absl::MutexLock lock(&mu_);
        cancelled_ = true;
        if (context_ != nullptr) context_->TryCancel();
        if (alarm_set_) alarm_.Cancel();
      }
      // Waits out a callback running on the pump thread (unless this is it).
      // The pump itself may be gone by now.
      if (std::this_thread::get_id() != pump_thread_) {
        std::lock_guard<std::mutex> wait(callback_mu_);
      }
    }

   private:
    void Connect() {
      auto context = std::make_unique<grpc::ClientContext>();
      {
        absl::MutexLock lock(&mu_);
        if (cancelled_) context->TryCancel();
        context_ = context.get();
      }
      reader_.reset();  // Lives in the old call's arena: goes before its context.
      owned_context_ = std::move(context);
      reader_ = open_(owned_context_.get(), pump_->cq());
      reader_->StartCall(&start_tag_);
    }

    void OnStarted(bool ok) {
      if (ok) {
        reader_->Read(&message_, &read_tag_);
      } else {
        reader_->Finish(&status_, &finish_tag_);
      }
    }

    void OnRead(bool ok) {
      if (ok) {
        std::lock_guard<std::mutex> callback(callback_mu_);
        bool cancelled;
        {
          absl::MutexLock lock(&mu_);
          cancelled = cancelled_;
        }
        if (!cancelled && on_message_(message_)) {
          reader_->Read(&message_, &read_tag_);
          return;
        }
        if (!cancelled) stopped_ = true;
        owned_context_->TryCancel();
      }
      reader_->Finish(&status_, &finish_tag_);
    }

    void OnFinished() {
      bool cancelled;
      {
        absl::MutexLock lock(&mu_);
        context_ = nullptr;
        cancelled = cancelled_;
        if (!cancelled && resume_ && !stopped_) {
          LOG(WARNING) << "store stream ended (" << status_.error_message() << "); reopening";
          alarm_set_ = true;
          alarm_.Set(pump_->cq(), absl::ToChronoTime(absl::Now() + kResumePause), &alarm_tag_);
          return;
        }
      }
      if (!cancelled && done_) {
        std::lock_guard<std::mutex> callback(callback_mu_);
        done_(stopped_ ? absl::OkStatus() : common::grpc::FromGrpcStatus(status_));
      }
      End();
    }

    void OnAlarm(bool ok) {
      bool cancelled;
      {
        absl::MutexLock lock(&mu_);
        alarm_set_ = false;
        cancelled = cancelled_;
      }
      if (!ok || cancelled) {
        End();
        return;
      }
      status_ = grpc::Status();
      Connect();
    }

    void End() {
      std::shared_ptr<State> keep;
      absl::MutexLock lock(&mu_);
      keep = std::move(self_);
      pump_->EndActivity(activity_);
    }

    common::grpc::CompletionPump* const pump_;
    const std::thread::id pump_thread_;
    const Open open_;
    const std::function<bool(Message&)> on_message_;
    const std::function<void(absl::Status)> done_;
    const bool resume_;
    uint64_t activity_ = 0;
    common::grpc::CompletionPump::Tag start_tag_;
    common::grpc::CompletionPump::Tag read_tag_;
    common::grpc::CompletionPump::Tag finish_tag_;
    common::grpc::CompletionPump::Tag alarm_tag_;

    // Pump thread only, apart from construction.
    std::unique_ptr<grpc::ClientContext> owned_context_;
    std::unique_ptr<grpc::ClientAsyncReader<Message>> reader_;
    Message message_;
    grpc::Status status_;
    bool stopped_ = false;  // on_message_ returned false.

    // Held while a callback runs, so Cancel() can wait it out.
    std::mutex callback_mu_;

    absl::Mutex mu_;
    std::shared_ptr<State> self_ ABSL_GUARDED_BY(mu_);
    grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;  // Of the call in flight.
    bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
    grpc::Alarm alarm_ ABSL_GUARDED_BY(mu_);
    bool alarm_set_ ABSL_GUARDED_BY(mu_) = false;
  };

  std::shared_ptr<State> state_;
};

}  // namespace jsengine::storesvc::client

#endif  // JSENGINE_STORESVC_CLIENT_REMOTE_STREAM_READER_H_
