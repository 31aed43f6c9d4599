// StoreServiceImpl: the StoreService gRPC API (proto/store.proto) over a
// Store. Unary admin calls map one to one; statuses cross with
// common::grpc::ToGrpcStatus(), so JetStream code/err_code reach the client.
//
// Append is a bidi stream served by the callback API (AppendReactor), so a
// batch is read, stored and answered on one gRPC thread. Read drives a
// ReadCursor on its handler's thread (its writes wait for the client's flow
// control); a caught-up tail waits on the stream's AppendNotifier. Read and
// WatchStreams are server streams that end when the client cancels.
//
// Thread-safety: thread-safe; `store` must outlive the service.
#ifndef JSENGINE_STORESVC_STORE_SERVICE_H_
#define JSENGINE_STORESVC_STORE_SERVICE_H_

#include "proto/store.grpc.pb.h"
#include "storesvc/store.h"

namespace jsengine::storesvc {

class StoreServiceImpl final
    : public v1::StoreService::WithCallbackMethod_Append<v1::StoreService::Service> {
 public:
  explicit StoreServiceImpl(Store* store) : store_(store) {}

  grpc::Status CreateStream(grpc::ServerContext* ctx, const v1::CreateStreamRequest* request,
                            v1::StreamInfo* response) override;
  grpc::Status UpdateStream(grpc::ServerContext* ctx, const v1::UpdateStreamRequest* request,
                            v1::StreamInfo* response) override;
  grpc::Status DeleteStream(grpc::ServerContext* ctx, const v1::DeleteStreamRequest* request,
                            v1::DeleteStreamResponse* response) override;
  grpc::Status GetStreamInfo(grpc::ServerContext* ctx, const v1::StreamInfoRequest* request,
                             v1::StreamInfo* response) override;
  grpc::Status ListStreams(grpc::ServerContext* ctx, const v1::ListStreamsRequest* request,
                           v1::ListStreamsResponse* response) override;
  grpc::Status StreamNames(grpc::ServerContext* ctx, const v1::ListStreamsRequest* request,
                           v1::StreamNamesResponse* response) override;
  grpc::Status PurgeStream(grpc::ServerContext* ctx, const v1::PurgeStreamRequest* request,
                           v1::PurgeStreamResponse* response) override;
  grpc::Status GetMessage(grpc::ServerContext* ctx, const v1::GetMessageRequest* request,
                          v1::StoredMessage* response) override;
  grpc::Status DeleteMessage(grpc::ServerContext* ctx, const v1::DeleteMessageRequest* request,
                             v1::DeleteMessageResponse* response) override;
  grpc::Status FilteredState(grpc::ServerContext* ctx, const v1::FilteredStateRequest* request,
                             v1::FilteredStateResponse* response) override;
  grpc::Status SetConsumerFilters(grpc::ServerContext* ctx,
                                  const v1::SetConsumerFiltersRequest* request,
                                  v1::SetConsumerFiltersResponse* response) override;
  grpc::Status RemoveMessages(grpc::ServerContext* ctx, const v1::RemoveMessagesRequest* request,
                              v1::RemoveMessagesResponse* response) override;

  grpc::ServerBidiReactor<v1::AppendBatch, v1::AppendResultBatch>* Append(
      grpc::CallbackServerContext* ctx) override;
  grpc::Status Read(grpc::ServerContext* ctx, const v1::ReadRequest* request,
                    grpc::ServerWriter<v1::MessageBatch>* writer) override;
  grpc::Status WatchStreams(grpc::ServerContext* ctx, const v1::WatchStreamsRequest* request,
                            grpc::ServerWriter<v1::StreamEvent>* writer) override;

 private:
  Store* const store_;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STORE_SERVICE_H_
