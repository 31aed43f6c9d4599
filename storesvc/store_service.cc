#include "storesvc/store_service.h"

#include <deque>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "common/grpc/grpc_status.h"
#include "common/grpc/unary.h"
#include "storesvc/append_reactor.h"
#include "storesvc/batch_split.h"

namespace jsengine::storesvc {
namespace {

using common::grpc::Reply;

constexpr absl::Duration kCancelPoll = absl::Milliseconds(100);

// A queue of outgoing messages drained by the handler's own thread, so store
// callbacks never block on gRPC flow control.
template <typename T>
class Outbox {
 public:
  void Push(T item) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    items_.push_back(std::move(item));
  }
  void Close() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  // Writes items until closed and empty, the context is cancelled or a write
  // fails. Returns false on cancellation or failure.
  template <typename Writer>
  bool Drain(grpc::ServerContext* ctx, Writer* writer) ABSL_LOCKS_EXCLUDED(mu_) {
    for (;;) {
      std::deque<T> batch;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return closed_ || !items_.empty();
        };
        while (!mu_.AwaitWithTimeout(absl::Condition(&ready), kCancelPoll)) {
          if (ctx->IsCancelled()) return false;
        }
        if (items_.empty()) return true;
        batch.swap(items_);
      }
      for (const T& item : batch) {
        if (!writer->Write(item)) return false;
      }
    }
  }

 private:
  absl::Mutex mu_;
  std::deque<T> items_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::Status StoreServiceImpl::CreateStream(grpc::ServerContext*,
                                            const v1::CreateStreamRequest* request,
                                            v1::StreamInfo* response) {
  return Reply(store_->CreateStream(*request), response);
}

grpc::Status StoreServiceImpl::UpdateStream(grpc::ServerContext*,
                                            const v1::UpdateStreamRequest* request,
                                            v1::StreamInfo* response) {
  return Reply(store_->UpdateStream(*request), response);
}

grpc::Status StoreServiceImpl::DeleteStream(grpc::ServerContext*,
                                            const v1::DeleteStreamRequest* request,
                                            v1::DeleteStreamResponse*) {
  return common::grpc::ToGrpcStatus(store_->DeleteStream(*request));
}

grpc::Status StoreServiceImpl::GetStreamInfo(grpc::ServerContext*,
                                             const v1::StreamInfoRequest* request,
                                             v1::StreamInfo* response) {
  return Reply(store_->GetStreamInfo(*request), response);
}

grpc::Status StoreServiceImpl::ListStreams(grpc::ServerContext*,
                                           const v1::ListStreamsRequest* request,
                                           v1::ListStreamsResponse* response) {
  return Reply(store_->ListStreams(*request), response);
}

grpc::Status StoreServiceImpl::StreamNames(grpc::ServerContext*,
                                           const v1::ListStreamsRequest* request,
                                           v1::StreamNamesResponse* response) {
  return Reply(store_->StreamNames(*request), response);
}

grpc::Status StoreServiceImpl::PurgeStream(grpc::ServerContext*,
                                           const v1::PurgeStreamRequest* request,
                                           v1::PurgeStreamResponse* response) {
  return Reply(store_->PurgeStream(*request), response);
}

grpc::Status StoreServiceImpl::GetMessage(grpc::ServerContext*,
                                          const v1::GetMessageRequest* request,
                                          v1::StoredMessage* response) {
  return Reply(store_->GetMessage(*request), response);
}

grpc::Status StoreServiceImpl::DeleteMessage(grpc::ServerContext*,
                                             const v1::DeleteMessageRequest* request,
                                             v1::DeleteMessageResponse*) {
  return common::grpc::ToGrpcStatus(store_->DeleteMessage(*request));
}

grpc::Status StoreServiceImpl::FilteredState(grpc::ServerContext*,
                                             const v1::FilteredStateRequest* request,
                                             v1::FilteredStateResponse* response) {
  return Reply(store_->FilteredState(*request), response);
}

grpc::Status StoreServiceImpl::SetConsumerFilters(grpc::ServerContext*,
                                                  const v1::SetConsumerFiltersRequest* request,
                                                  v1::SetConsumerFiltersResponse* response) {
  return Reply(store_->SetConsumerFilters(*request), response);
}

grpc::Status StoreServiceImpl::RemoveMessages(grpc::ServerContext*,
                                              const v1::RemoveMessagesRequest* request,
                                              v1::RemoveMessagesResponse* response) {
  absl::StatusOr<v1::RemoveMessagesResponse> result;
  store_->RemoveMessages(
      *request, [&result](absl::StatusOr<v1::RemoveMessagesResponse> r) { result = std::move(r); });
  return Reply(std::move(result), response);
}

grpc::ServerBidiReactor<v1::AppendBatch, v1::AppendResultBatch>* StoreServiceImpl::Append(
    grpc::CallbackServerContext*) {
  return new AppendReactor(store_);
}

grpc::Status StoreServiceImpl::Read(grpc::ServerContext* ctx, const v1::ReadRequest* request,
                                    grpc::ServerWriter<v1::MessageBatch>* writer) {
  absl::StatusOr<std::unique_ptr<ReadCursor>> cursor = store_->OpenCursor(*request);
  if (!cursor.ok()) return common::grpc::ToGrpcStatus(cursor.status());
  while (!(*cursor)->done()) {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "read cancelled");
    absl::StatusOr<v1::MessageBatch> batch = (*cursor)->Next();
    if (!batch.ok()) return common::grpc::ToGrpcStatus(batch.status());
    if (batch->messages().empty() && !(*cursor)->moved_only()) {
      if ((*cursor)->done()) break;
      (*cursor)->WaitForAppend(kCancelPoll);
      continue;
    }
    for (const v1::MessageBatch& piece : SplitBatch(*std::move(batch), kMaxBatchBytes)) {
      if (!writer->Write(piece)) return grpc::Status(grpc::StatusCode::CANCELLED, "read cancelled");
    }
  }
  return grpc::Status::OK;
}

grpc::Status StoreServiceImpl::WatchStreams(grpc::ServerContext* ctx,
                                            const v1::WatchStreamsRequest*,
                                            grpc::ServerWriter<v1::StreamEvent>* writer) {
  auto outbox = std::make_shared<Outbox<v1::StreamEvent>>();
  std::unique_ptr<client::Subscription> sub =
      store_->WatchStreams([outbox](const v1::StreamEvent& e) { outbox->Push(e); });
  outbox->Drain(ctx, writer);
  sub->Cancel();
  return grpc::Status(grpc::StatusCode::CANCELLED, "watch ended");
}

}  // namespace jsengine::storesvc
