// StoreServiceImpl: the StoreService gRPC API (proto/store.proto) over a
// Store. Unary admin calls map one to one; statuses cross with
// ToGrpcStatus(), so JetStream code/err_code reach the client.
//
// Append is a bidi stream: the handler keeps reading batches while earlier
// ones wait for their fsync, and results go out through a CombiningWriter in
// request order. With SyncPolicy::kInterval the store acknowledges right
// after write(2), on the handler's thread, which then writes the results to
// the stream itself (no thread wake-up); trade-off: while the client does not
// read (gRPC flow control), the handler stops reading too. With kAlways the
// acknowledgement comes from the store's sync thread, which only posts the
// results to the writer's background thread, so it never blocks on gRPC.
// Read and WatchStreams are server streams that end when the client cancels.
//
// Thread-safety: thread-safe; `store` must outlive the service.
#ifndef JSENGINE_STORESVC_STORE_SERVICE_H_
#define JSENGINE_STORESVC_STORE_SERVICE_H_

#include "proto/store.grpc.pb.h"
#include "storesvc/store.h"

namespace jsengine::storesvc {

class StoreServiceImpl final : public v1::StoreService::Service {
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

  grpc::Status Append(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<v1::AppendResultBatch, v1::AppendBatch>* stream) override;
  grpc::Status Read(grpc::ServerContext* ctx, const v1::ReadRequest* request,
                    grpc::ServerWriter<v1::MessageBatch>* writer) override;
  grpc::Status WatchStreams(grpc::ServerContext* ctx, const v1::WatchStreamsRequest* request,
                            grpc::ServerWriter<v1::StreamEvent>* writer) override;

 private:
  Store* const store_;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STORE_SERVICE_H_
