// RemoteSessionStream: one Session bidi stream to a consumersvc
// (proto/consumer.proto): a gateway's GatewayBatches up, DeliveryBatches down.
//
// A common::grpc::BatchingBidiStream: the thread that finds no write in
// flight writes its batch itself, later batches are merged (their events, in
// order) into the next write. Every DeliveryBatch read goes to the listener
// on the pump thread; when the call ends, the listener hears it once, last.
// A stream is one call: RemoteConsumerSession opens the next one.
//
// Thread-safety: thread-safe. Ownership: as BatchingBidiStream's.
#ifndef JSENGINE_CONSUMERSVC_CLIENT_REMOTE_SESSION_STREAM_H_
#define JSENGINE_CONSUMERSVC_CLIENT_REMOTE_SESSION_STREAM_H_

#include <memory>

#include "common/grpc/batching_bidi_stream.h"
#include "common/grpc/completion_pump.h"
#include "grpcpp/support/status.h"
#include "proto/consumer.grpc.pb.h"

namespace jsengine::consumersvc::client {

// Gateway batches queued behind a write in flight become one: their events,
// in order.
struct MergeGatewayBatches {
  static void Merge(v1::GatewayBatch& later, v1::GatewayBatch* queued) {
    common::grpc::MoveRepeated(later.mutable_events(), queued->mutable_events());
  }
};

class RemoteSessionStream final
    : public common::grpc::BatchingBidiStream<RemoteSessionStream, v1::GatewayBatch,
                                              v1::DeliveryBatch, MergeGatewayBatches> {
 public:
  // Hears the stream, on the pump thread.
  class Listener {
   public:
    // May move from `batch`.
    virtual void OnDeliveries(v1::DeliveryBatch& batch) = 0;
    // The call ended: the stream's last call.
    virtual void OnStreamEnd(const grpc::Status& status) = 0;

   protected:
    ~Listener() = default;
  };

  // Opens a stream on `pump`; null when the pump is shutting down. `stub`,
  // `pump` and `listener` must outlive the stream's activity (until
  // OnStreamEnd returned).
  static std::shared_ptr<RemoteSessionStream> Open(v1::ConsumerService::Stub* stub,
                                                   common::grpc::CompletionPump* pump,
                                                   Listener* listener);

 private:
  friend BatchingBidiStream;

  RemoteSessionStream(common::grpc::CompletionPump* pump, Listener* listener)
      : BatchingBidiStream(pump), listener_(listener) {}

  void OnMessage(v1::DeliveryBatch& batch) { listener_->OnDeliveries(batch); }
  void OnEnd(const grpc::Status& status) { listener_->OnStreamEnd(status); }

  Listener* const listener_;
};

}  // namespace jsengine::consumersvc::client

#endif  // JSENGINE_CONSUMERSVC_CLIENT_REMOTE_SESSION_STREAM_H_
