// StoreClient: everything a caller can ask of the store service, as one C++
// interface.
//
// Three implementations:
//   - storesvc::Store itself (storesvc/store.h): the embedded deployment
//     calls the store in the same process, with no gRPC on the hot path;
//   - RemoteStoreClient (remote_store_client.h): the StoreService gRPC API of
//     proto/store.proto, to a storesvc running as its own process;
//   - ForwardingStoreClient (forwarding_store_client.h): a base for wrappers
//     that change a few calls and pass the rest on.
// Everything above this interface (the gateway's JetStream API and publish
// path, the consumer service) works the same with any of them.
//
// Admin calls block the calling thread; call them off event loops. The data
// plane is asynchronous and batched. Implementations are thread-safe.
#ifndef JSENGINE_STORESVC_CLIENT_STORE_CLIENT_H_
#define JSENGINE_STORESVC_CLIENT_STORE_CLIENT_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/common.pb.h"
#include "proto/store.pb.h"

namespace jsengine::storesvc::client {

// A running read, tail or watch. Its callbacks are never called again once
// Cancel() returns or the object is destroyed (also from inside a callback).
class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual void Cancel() = 0;
};

class StoreClient {
 public:
  // Gets one result per request of the batch, in order.
  using AppendCallback = std::function<void(v1::AppendResultBatch)>;
  // Returns false to stop the read. May take the batch's contents (move or
  // swap them out): the reader does not look at a batch once handed over.
  using BatchCallback = std::function<bool(v1::MessageBatch&)>;
  // Runs once, after the last batch: OK when the range was read fully or
  // BatchCallback returned false, the stream's error otherwise (e.g. stream
  // not found once the stream is deleted). Not after Subscription::Cancel():
  // a cancelled read ends silently.
  using DoneCallback = std::function<void(absl::Status)>;
  using EventCallback = std::function<void(const v1::StreamEvent&)>;
  using RemoveCallback = std::function<void(absl::StatusOr<v1::RemoveMessagesResponse>)>;

  virtual ~StoreClient() = default;

  // Admin calls; their errors are JetStream errors (common/status.h), so
  // callers see nats-server's code and err_code.
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
  // How many messages match some subject filters from a start, and where
  // they are, counted from the store's index (the numbers a consumer's
  // start and pending count need); reads no message.
  virtual absl::StatusOr<v1::FilteredStateResponse> FilteredState(
      const v1::FilteredStateRequest& request) = 0;
  // Interest retention: the consumer service says which subjects the
  // stream's consumers take (v1::StreamInfo::consumer_filters); a message
  // published on another subject is not kept. Durable before it returns.
  virtual absl::StatusOr<v1::SetConsumerFiltersResponse> SetConsumerFilters(
      const v1::SetConsumerFiltersRequest& request) = 0;

  // Stores the batch; `done` gets one result per request, in order, once the
  // messages are as durable as the store's sync policy promises. A request
  // with an empty `stream` goes to the stream whose subjects match its
  // subject. `done` may run on any thread and must not block.
  virtual void Append(v1::AppendBatch batch, AppendCallback done) = 0;

  // Interest and work-queue retention: removes the messages the stream's
  // consumers no longer need, a batch of them per call; `done` runs once
  // they are gone (as durable as a delete), on any thread, and must not
  // block.
  virtual void RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) = 0;

  // Streams stored messages (and, with request.tail(), new ones as they are
  // appended) to `on_batch`, then calls `done`, on threads of the client's
  // choosing. Callbacks must not block.
  virtual std::unique_ptr<Subscription> Read(const v1::ReadRequest& request, BatchCallback on_batch,
                                             DoneCallback done) = 0;

  // Sends a SNAPSHOT event per existing stream, SNAPSHOT_DONE, then every
  // lifecycle change. A remote client whose connection breaks resumes the
  // watch by itself and starts again with SNAPSHOT events.
  virtual std::unique_ptr<Subscription> WatchStreams(EventCallback on_event) = 0;
};

}  // namespace jsengine::storesvc::client

#endif  // JSENGINE_STORESVC_CLIENT_STORE_CLIENT_H_
