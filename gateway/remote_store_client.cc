#include "gateway/remote_store_client.h"

#include <atomic>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/combining_writer.h"
#include "common/grpc_status.h"
#include "common/status.h"
#include "glog/logging.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace jsengine {
namespace {

constexpr auto kAdminDeadline = std::chrono::seconds(30);

std::unique_ptr<grpc::ClientContext> AdminContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kAdminDeadline);
  return context;
}

template <typename Response, typename Call>
absl::StatusOr<Response> Unary(Call call) {
  auto context = AdminContext();
  Response response;
  grpc::Status status = call(context.get(), &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

// A server stream (Read or WatchStreams) drained by its own thread. With
// `resume`, a stream that breaks (the store restarted) is opened again after
// a pause, until cancelled, and `done` is never called.
template <typename Message>
class StreamReaderSubscription final : public StoreSubscription {
 public:
  using Open = std::function<std::unique_ptr<grpc::ClientReader<Message>>(grpc::ClientContext*)>;

  StreamReaderSubscription(Open open, std::function<bool(const Message&)> on_message,
                           std::function<void(absl::Status)> done, bool resume) {
    thread_ = std::thread([this, open = std::move(open), on_message = std::move(on_message),
                           done = std::move(done), resume] {
      while (true) {
        auto context = std::make_shared<grpc::ClientContext>();
        {
          absl::MutexLock lock(&mu_);
          if (cancelled_) return;
          context_ = context;
        }
        std::unique_ptr<grpc::ClientReader<Message>> reader = open(context.get());
        Message message;
        bool stopped = false;
        while (reader->Read(&message)) {
          if (!on_message(message)) {
            stopped = true;
            context->TryCancel();
            break;
          }
        }
        grpc::Status status = reader->Finish();
        {
          absl::MutexLock lock(&mu_);
          context_.reset();
          if (cancelled_) return;
        }
        if (!resume || stopped) {
          if (done) done(stopped ? absl::OkStatus() : FromGrpcStatus(status));
          return;
        }
        LOG(WARNING) << "store stream ended (" << status.error_message() << "); reopening";
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&cancelled_), kResumePause);
      }
    });
  }

  ~StreamReaderSubscription() override { Cancel(); }

  void Cancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

 private:
  static constexpr absl::Duration kResumePause = absl::Milliseconds(500);

  absl::Mutex mu_;
  std::shared_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

// One Append bidi stream: appending threads write to it through a
// CombiningWriter, and a reader thread hands results back in order. The
// results are matched to callers by position: `waiting_` grows under the
// writer's lock, in the order the batches are written.
class RemoteStoreClient::AppendStream {
 public:
  explicit AppendStream(v1::StoreService::Stub* stub)
      : stream_(stub->Append(&context_)),
        writer_([this](const v1::AppendBatch& batch) { return WriteBatch(batch); },
                [](v1::AppendBatch& into, v1::AppendBatch&& from) {
                  for (v1::AppendRequest& request : *from.mutable_requests()) {
                    *into.add_requests() = std::move(request);
                  }
                }) {
    reader_ = std::thread([this] { ReadLoop(); });
  }

  ~AppendStream() {
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    context_.TryCancel();
    reader_.join();
  }

  // False (leaving `done` untouched) when the stream is broken; the caller
  // opens a new one. Otherwise `done` is called once with the results.
  //
  // With no append awaiting its results (e.g. a synchronous publisher), the
  // calling thread writes the batch itself, saving a thread wake-up. While
  // appends are in flight, the batch is handed to the writer's background
  // thread instead, so a pipelining caller goes on producing while the
  // batches it produces meanwhile are merged into one stream write.
  bool Append(v1::AppendBatch& batch, AppendCallback& done) {
    int count = batch.requests_size();
    auto admit = [&] {
      absl::MutexLock lock(&mu_);
      if (broken_ || closing_) return false;
      waiting_.push_back({count, std::move(done)});
      return true;
    };
    if (InFlight()) return writer_.Post(std::move(batch), admit);
    return writer_.Write(std::move(batch), admit);
  }

  bool broken() {
    absl::MutexLock lock(&mu_);
    return broken_;
  }

 private:
  struct Waiter {
    int count;
    AppendCallback done;
  };

  bool InFlight() {
    absl::MutexLock lock(&mu_);
    return !waiting_.empty();
  }

  bool WriteBatch(const v1::AppendBatch& batch) {
    if (stream_->Write(batch)) return true;
    MarkBroken();
    return false;
  }

  void ReadLoop() {
    std::vector<v1::AppendResult> ready;
    v1::AppendResultBatch results;
    while (stream_->Read(&results)) {
      for (v1::AppendResult& result : *results.mutable_results()) {
        ready.push_back(std::move(result));
      }
      std::vector<std::pair<AppendCallback, v1::AppendResultBatch>> calls;
      {
        absl::MutexLock lock(&mu_);
        size_t used = 0;
        while (!waiting_.empty() &&
               ready.size() - used >= static_cast<size_t>(waiting_.front().count)) {
          v1::AppendResultBatch batch;
          for (int i = 0; i < waiting_.front().count; ++i) {
            *batch.add_results() = std::move(ready[used++]);
          }
          calls.emplace_back(std::move(waiting_.front().done), std::move(batch));
          waiting_.pop_front();
        }
        ready.erase(ready.begin(), ready.begin() + used);
      }
      for (auto& [done, batch] : calls) done(std::move(batch));
    }
    grpc::Status status = stream_->Finish();
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      LOG(WARNING) << "store Append stream ended: " << status.error_message();
    }
    MarkBroken();
    FailWaiters(status.ok() ? absl::UnavailableError("store Append stream closed")
                            : FromGrpcStatus(status));
  }

  void MarkBroken() {
    absl::MutexLock lock(&mu_);
    broken_ = true;
  }

  void FailWaiters(const absl::Status& cause) {
    std::deque<Waiter> waiting;
    {
      absl::MutexLock lock(&mu_);
      waiting.swap(waiting_);
    }
    v1::ErrorDetail error = ToErrorDetail(absl::UnavailableError(
        absl::StrCat("store unavailable: ", cause.message())));
    for (Waiter& waiter : waiting) {
      v1::AppendResultBatch batch;
      for (int i = 0; i < waiter.count; ++i) *batch.add_results()->mutable_error() = error;
      waiter.done(std::move(batch));
    }
  }

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AppendBatch, v1::AppendResultBatch>> stream_;

  absl::Mutex mu_;
  std::deque<Waiter> waiting_ ABSL_GUARDED_BY(mu_);
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;

  // Destroyed before the members its writes use.
  CombiningWriter<v1::AppendBatch> writer_;

  std::thread reader_;
};

RemoteStoreClient::RemoteStoreClient(const std::string& address)
    : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
      stub_(v1::StoreService::NewStub(channel_)) {}

RemoteStoreClient::~RemoteStoreClient() {
  std::shared_ptr<AppendStream> stream;
  {
    absl::MutexLock lock(&mu_);
    stream = std::move(append_stream_);
  }
}

absl::StatusOr<v1::StreamInfo> RemoteStoreClient::CreateStream(
    const v1::CreateStreamRequest& request) {
  return Unary<v1::StreamInfo>([&](grpc::ClientContext* c, v1::StreamInfo* r) {
    return stub_->CreateStream(c, request, r);
  });
}

absl::StatusOr<v1::StreamInfo> RemoteStoreClient::UpdateStream(
    const v1::UpdateStreamRequest& request) {
  return Unary<v1::StreamInfo>([&](grpc::ClientContext* c, v1::StreamInfo* r) {
    return stub_->UpdateStream(c, request, r);
  });
}

absl::Status RemoteStoreClient::DeleteStream(const v1::DeleteStreamRequest& request) {
  return Unary<v1::DeleteStreamResponse>(
             [&](grpc::ClientContext* c, v1::DeleteStreamResponse* r) {
               return stub_->DeleteStream(c, request, r);
             })
      .status();
}

absl::StatusOr<v1::StreamInfo> RemoteStoreClient::GetStreamInfo(
    const v1::StreamInfoRequest& request) {
  return Unary<v1::StreamInfo>([&](grpc::ClientContext* c, v1::StreamInfo* r) {
    return stub_->GetStreamInfo(c, request, r);
  });
}

absl::StatusOr<v1::ListStreamsResponse> RemoteStoreClient::ListStreams(
    const v1::ListStreamsRequest& request) {
  return Unary<v1::ListStreamsResponse>(
      [&](grpc::ClientContext* c, v1::ListStreamsResponse* r) {
        return stub_->ListStreams(c, request, r);
      });
}

absl::StatusOr<v1::StreamNamesResponse> RemoteStoreClient::StreamNames(
    const v1::ListStreamsRequest& request) {
  return Unary<v1::StreamNamesResponse>(
      [&](grpc::ClientContext* c, v1::StreamNamesResponse* r) {
        return stub_->StreamNames(c, request, r);
      });
}

absl::StatusOr<v1::PurgeStreamResponse> RemoteStoreClient::PurgeStream(
    const v1::PurgeStreamRequest& request) {
  return Unary<v1::PurgeStreamResponse>(
      [&](grpc::ClientContext* c, v1::PurgeStreamResponse* r) {
        return stub_->PurgeStream(c, request, r);
      });
}

absl::StatusOr<v1::StoredMessage> RemoteStoreClient::GetMessage(
    const v1::GetMessageRequest& request) {
  return Unary<v1::StoredMessage>([&](grpc::ClientContext* c, v1::StoredMessage* r) {
    return stub_->GetMessage(c, request, r);
  });
}

absl::Status RemoteStoreClient::DeleteMessage(const v1::DeleteMessageRequest& request) {
  return Unary<v1::DeleteMessageResponse>(
             [&](grpc::ClientContext* c, v1::DeleteMessageResponse* r) {
               return stub_->DeleteMessage(c, request, r);
             })
      .status();
}

void RemoteStoreClient::Append(v1::AppendBatch batch, AppendCallback done) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::shared_ptr<AppendStream> stream;
    std::shared_ptr<AppendStream> stale;
    {
      absl::MutexLock lock(&mu_);
      if (append_stream_ == nullptr || append_stream_->broken()) {
        stale = std::move(append_stream_);
        append_stream_ = std::make_shared<AppendStream>(stub_.get());
      }
      stream = append_stream_;
    }
    if (stream->Append(batch, done)) return;
  }
  v1::AppendResultBatch failed;
  v1::ErrorDetail error = ToErrorDetail(absl::UnavailableError("store unavailable"));
  for (int i = 0; i < batch.requests_size(); ++i) *failed.add_results()->mutable_error() = error;
  done(std::move(failed));
}

std::unique_ptr<StoreSubscription> RemoteStoreClient::Read(const v1::ReadRequest& request,
                                                           BatchCallback on_batch,
                                                           DoneCallback done) {
  return std::make_unique<StreamReaderSubscription<v1::MessageBatch>>(
      [this, request](grpc::ClientContext* context) { return stub_->Read(context, request); },
      std::move(on_batch), std::move(done), /*resume=*/false);
}

std::unique_ptr<StoreSubscription> RemoteStoreClient::WatchStreams(EventCallback on_event) {
  return std::make_unique<StreamReaderSubscription<v1::StreamEvent>>(
      [this](grpc::ClientContext* context) {
        return stub_->WatchStreams(context, v1::WatchStreamsRequest());
      },
      [on_event = std::move(on_event)](const v1::StreamEvent& event) {
        on_event(event);
        return true;
      },
      nullptr, /*resume=*/true);
}

}  // namespace jsengine
