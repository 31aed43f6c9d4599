#include "storesvc/client/remote_store_client.h"

#include <chrono>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc/grpc_status.h"
#include "common/grpc/unary.h"
#include "common/status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "storesvc/client/remote_stream_reader.h"

namespace jsengine::storesvc::client {

using common::grpc::CallUnary;

RemoteStoreClient::RemoteStoreClient(const std::string& address,
                                     std::chrono::milliseconds unary_deadline,
                                     const common::grpc::GrpcCredentials& credentials)
    : unary_deadline_(unary_deadline),
      channel_(grpc::CreateChannel(address, credentials.ForChannel())),
      stub_(v1::StoreService::NewStub(channel_)) {}

RemoteStoreClient::~RemoteStoreClient() = default;

absl::StatusOr<v1::StreamInfo> RemoteStoreClient::CreateStream(
    const v1::CreateStreamRequest& request) {
  return CallUnary<v1::StreamInfo>(unary_deadline_, [&](grpc::ClientContext* c, v1::StreamInfo* r) {
    return stub_->CreateStream(c, request, r);
  });
}

absl::StatusOr<v1::StreamInfo> RemoteStoreClient::UpdateStream(
    const v1::UpdateStreamRequest& request) {
  return CallUnary<v1::StreamInfo>(unary_deadline_, [&](grpc::ClientContext* c, v1::StreamInfo* r) {
    return stub_->UpdateStream(c, request, r);
  });
}

absl::Status RemoteStoreClient::DeleteStream(const v1::DeleteStreamRequest& request) {
  return CallUnary<v1::DeleteStreamResponse>(
             unary_deadline_,
             [&](grpc::ClientContext* c, v1::DeleteStreamResponse* r) {
               return stub_->DeleteStream(c, request, r);
             })
      .status();
}

absl::StatusOr<v1::StreamInfo> RemoteStoreClient::GetStreamInfo(
    const v1::StreamInfoRequest& request) {
  return CallUnary<v1::StreamInfo>(unary_deadline_, [&](grpc::ClientContext* c, v1::StreamInfo* r) {
    return stub_->GetStreamInfo(c, request, r);
  });
}

absl::StatusOr<v1::ListStreamsResponse> RemoteStoreClient::ListStreams(
    const v1::ListStreamsRequest& request) {
  return CallUnary<v1::ListStreamsResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::ListStreamsResponse* r) {
        return stub_->ListStreams(c, request, r);
      });
}

absl::StatusOr<v1::StreamNamesResponse> RemoteStoreClient::StreamNames(
    const v1::ListStreamsRequest& request) {
  return CallUnary<v1::StreamNamesResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::StreamNamesResponse* r) {
        return stub_->StreamNames(c, request, r);
      });
}

absl::StatusOr<v1::PurgeStreamResponse> RemoteStoreClient::PurgeStream(
    const v1::PurgeStreamRequest& request) {
  return CallUnary<v1::PurgeStreamResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::PurgeStreamResponse* r) {
        return stub_->PurgeStream(c, request, r);
      });
}

absl::StatusOr<v1::StoredMessage> RemoteStoreClient::GetMessage(
    const v1::GetMessageRequest& request) {
  return CallUnary<v1::StoredMessage>(unary_deadline_,
                                      [&](grpc::ClientContext* c, v1::StoredMessage* r) {
                                        return stub_->GetMessage(c, request, r);
                                      });
}

absl::Status RemoteStoreClient::DeleteMessage(const v1::DeleteMessageRequest& request) {
  return CallUnary<v1::DeleteMessageResponse>(
             unary_deadline_,
             [&](grpc::ClientContext* c, v1::DeleteMessageResponse* r) {
               return stub_->DeleteMessage(c, request, r);
             })
      .status();
}

absl::StatusOr<v1::FilteredStateResponse> RemoteStoreClient::FilteredState(
    const v1::FilteredStateRequest& request) {
  return CallUnary<v1::FilteredStateResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::FilteredStateResponse* r) {
        return stub_->FilteredState(c, request, r);
      });
}

absl::StatusOr<v1::SetConsumerFiltersResponse> RemoteStoreClient::SetConsumerFilters(
    const v1::SetConsumerFiltersRequest& request) {
  return CallUnary<v1::SetConsumerFiltersResponse>(
      unary_deadline_, [&](grpc::ClientContext* c, v1::SetConsumerFiltersResponse* r) {
        return stub_->SetConsumerFilters(c, request, r);
      });
}

void RemoteStoreClient::RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) {
  struct Call {
    grpc::ClientContext context;
    v1::RemoveMessagesRequest request;
    v1::RemoveMessagesResponse response;
    RemoveCallback done;
  };
  auto* call = new Call;
  call->request = std::move(request);
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() + unary_deadline_);
  stub_->async()->RemoveMessages(&call->context, &call->request, &call->response,
                                 [call](grpc::Status status) {
                                   RemoveCallback done = std::move(call->done);
                                   v1::RemoveMessagesResponse response = std::move(call->response);
                                   delete call;
                                   if (status.ok()) {
                                     done(std::move(response));
                                   } else {
                                     done(common::grpc::FromGrpcStatus(status));
                                   }
                                 });
}

void RemoteStoreClient::Append(v1::AppendBatch batch, AppendCallback done) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::shared_ptr<RemoteAppendStream> stream;
    {
      absl::MutexLock lock(&mu_);
      if (append_stream_ == nullptr || append_stream_->broken()) {
        append_stream_ = RemoteAppendStream::Open(stub_.get(), &pump_);
      }
      stream = append_stream_;
    }
    if (stream != nullptr && stream->Append(batch, done)) return;
  }
  v1::AppendResultBatch failed;
  v1::ErrorDetail error = common::ToErrorDetail(absl::UnavailableError("store unavailable"));
  for (int i = 0; i < batch.requests_size(); ++i) *failed.add_results()->mutable_error() = error;
  done(std::move(failed));
}

std::unique_ptr<Subscription> RemoteStoreClient::Read(const v1::ReadRequest& request,
                                                      BatchCallback on_batch, DoneCallback done) {
  return std::make_unique<RemoteStreamReader<v1::MessageBatch>>(
      &pump_,
      [this, request](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub_->PrepareAsyncRead(context, request, cq);
      },
      std::move(on_batch), std::move(done), /*resume=*/false);
}

std::unique_ptr<Subscription> RemoteStoreClient::WatchStreams(EventCallback on_event) {
  return std::make_unique<RemoteStreamReader<v1::StreamEvent>>(
      &pump_,
      [this](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub_->PrepareAsyncWatchStreams(context, v1::WatchStreamsRequest(), cq);
      },
      [on_event = std::move(on_event)](const v1::StreamEvent& event) {
        on_event(event);
        return true;
      },
      nullptr, /*resume=*/true);
}

}  // namespace jsengine::storesvc::client
