// How the gateway reaches the store service.
//
// Two implementations: EmbeddedStoreClient calls a storesvc::Store in the same
// process (no gRPC on the hot path), RemoteStoreClient speaks the StoreService
// gRPC API of proto/store.proto to a separate storesvc process. Everything
// above this interface (the JetStream API bridge, the publish path) works the
// same with either.
//
// Admin calls block the calling thread; call them off the event loops. The
// data plane is asynchronous and batched. Implementations are thread-safe.
#ifndef JSENGINE_GATEWAY_STORE_CLIENT_H_
#define JSENGINE_GATEWAY_STORE_CLIENT_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/common.pb.h"
#include "proto/store.pb.h"

namespace jsengine {

// A running server-side stream of results (a read, a tail or a watch). The
// callback that fed it is never called again once Cancel() returns or the
// object is destroyed.
class StoreSubscription {
 public:
  virtual ~StoreSubscription() = default;
  virtual void Cancel() = 0;
};

class StoreClient {
 public:
  using AppendCallback = std::function<void(v1::AppendResultBatch)>;
  // Returns false to stop the read. `done` runs once, after the last batch,
  // with OK when the range was read fully (never for a tail unless cancelled).
  using BatchCallback = std::function<bool(const v1::MessageBatch&)>;
  using DoneCallback = std::function<void(absl::Status)>;
  using EventCallback = std::function<void(const v1::StreamEvent&)>;

  virtual ~StoreClient() = default;

  virtual absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) = 0;
  virtual absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) = 0;
  virtual absl::Status DeleteStream(const v1::DeleteStreamRequest& request) = 0;
  virtual absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) = 0;
  virtual absl::StatusOr<v1::ListStreamsResponse> ListStreams(
      const v1::ListStreamsRequest& request) = 0;
  virtual absl::StatusOr<v1::StreamNamesResponse> StreamNames(
      const v1::ListStreamsRequest& request) = 0;
  virtual absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) = 0;
  virtual absl::StatusOr<v1::StoredMessage> GetMessage(const v1::GetMessageRequest& request) = 0;
  virtual absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) = 0;

  // Stores the batch; `done` gets one result per request, in order, once the
  // messages are as durable as the store's sync policy promises. `done` may
  // run on any thread and must not block.
  virtual void Append(v1::AppendBatch batch, AppendCallback done) = 0;

  // Streams stored messages (and, with request.tail(), new ones as they are
  // appended) to `on_batch` on a thread of the client's choosing.
  virtual std::unique_ptr<StoreSubscription> Read(const v1::ReadRequest& request,
                                                  BatchCallback on_batch,
                                                  DoneCallback done) = 0;

  // Sends a SNAPSHOT event per existing stream, SNAPSHOT_DONE, then every
  // lifecycle change. If the connection to the store breaks, the watch
  // resumes by itself and starts again with SNAPSHOT events.
  virtual std::unique_ptr<StoreSubscription> WatchStreams(EventCallback on_event) = 0;
};

}  // namespace jsengine

#endif  // JSENGINE_GATEWAY_STORE_CLIENT_H_
