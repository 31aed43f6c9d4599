// StoreClient over gRPC, for a gateway whose store service runs as its own
// process (proto/store.proto).
//
// Appends from any number of threads share one bidirectional Append stream
// (RemoteAppendStream): the thread that finds no write in flight writes its
// batch itself, later ones are merged into the next write. Results, watch
// events and reads all arrive on one common::grpc::CompletionPump thread, the client's only
// thread waiting inside gRPC, which runs their callbacks: a result costs one
// thread wake-up. If the Append stream breaks, pending appends fail with
// UNAVAILABLE and the next append opens a new stream. Admin calls are
// synchronous unary calls on the calling thread; RemoveMessages is an
// asynchronous unary call.
//
// Destruction cancels every stream and subscription still running.
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_STORESVC_CLIENT_REMOTE_STORE_CLIENT_H_
#define JSENGINE_STORESVC_CLIENT_REMOTE_STORE_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/completion_pump.h"
#include "common/grpc/tls_credentials.h"
#include "common/grpc/unary.h"
#include "grpcpp/channel.h"
#include "proto/store.grpc.pb.h"
#include "storesvc/client/remote_append_stream.h"
#include "storesvc/client/store_client.h"

namespace jsengine::storesvc::client {

class RemoteStoreClient final : public StoreClient {
 public:
  // `address` is "host:port" of a storesvc, reached over `credentials`
  // (plaintext or TLS); each unary call fails with DEADLINE_EXCEEDED when
  // not answered within `unary_deadline`.
  explicit RemoteStoreClient(
      const std::string& address,
      std::chrono::milliseconds unary_deadline = common::grpc::kUnaryDeadline,
      const common::grpc::GrpcCredentials& credentials = common::grpc::GrpcCredentials());
  ~RemoteStoreClient() override;

  absl::StatusOr<v1::StreamInfo> CreateStream(const v1::CreateStreamRequest& request) override;
  absl::StatusOr<v1::StreamInfo> UpdateStream(const v1::UpdateStreamRequest& request) override;
  absl::Status DeleteStream(const v1::DeleteStreamRequest& request) override;
  absl::StatusOr<v1::StreamInfo> GetStreamInfo(const v1::StreamInfoRequest& request) override;
  absl::StatusOr<v1::ListStreamsResponse> ListStreams(
      const v1::ListStreamsRequest& request) override;
  absl::StatusOr<v1::StreamNamesResponse> StreamNames(
      const v1::ListStreamsRequest& request) override;
  absl::StatusOr<v1::PurgeStreamResponse> PurgeStream(
      const v1::PurgeStreamRequest& request) override;
  absl::StatusOr<v1::StoredMessage> GetMessage(const v1::GetMessageRequest& request) override;
  absl::Status DeleteMessage(const v1::DeleteMessageRequest& request) override;
  absl::StatusOr<v1::FilteredStateResponse> FilteredState(
      const v1::FilteredStateRequest& request) override;
  absl::StatusOr<v1::SetConsumerFiltersResponse> SetConsumerFilters(
      const v1::SetConsumerFiltersRequest& request) override;
  // One unary call by gRPC's callback API: the caller never waits, and
  // `done` runs on a gRPC thread (after this client is gone, too).
  void RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) override;

  void Append(v1::AppendBatch batch, AppendCallback done) override;
  std::unique_ptr<Subscription> Read(const v1::ReadRequest& request, BatchCallback on_batch,
                                     DoneCallback done) override;
  std::unique_ptr<Subscription> WatchStreams(EventCallback on_event) override;

 private:
  const std::chrono::milliseconds unary_deadline_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::StoreService::Stub> stub_;

  absl::Mutex mu_;
  std::shared_ptr<RemoteAppendStream> append_stream_ ABSL_GUARDED_BY(mu_);

  // Destroyed first: cancels and waits out every call using the above.
  common::grpc::CompletionPump pump_;
};

}  // namespace jsengine::storesvc::client

#endif  // JSENGINE_STORESVC_CLIENT_REMOTE_STORE_CLIENT_H_
