// StoreClient over gRPC, for a gateway whose store service runs as its own
// process (proto/store.proto).
//
// Appends from any number of threads share one bidirectional Append stream,
// written through a CombiningWriter (common/combining_writer.h). When no
// append is awaiting results, the calling thread writes its batch to the
// stream itself (no thread wake-up: this is the synchronous publish case);
// otherwise the batch is queued for the writer's background thread, and
// batches queued during a write are merged into the next one. A reader
// thread hands results back to the callers in order. If the stream breaks,
// pending appends fail with UNAVAILABLE and the next append opens a new
// stream.
//
// Trade-off: Append() may block inside a gRPC write while the stream is
// flow-controlled, so the calling thread (e.g. a publishing connection's
// event loop) then waits for the store.
//
// Thread-safe.
#ifndef JSENGINE_GATEWAY_REMOTE_STORE_CLIENT_H_
#define JSENGINE_GATEWAY_REMOTE_STORE_CLIENT_H_

#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gateway/store_client.h"
#include "grpcpp/channel.h"
#include "proto/store.grpc.pb.h"

namespace jsengine {

class RemoteStoreClient final : public StoreClient {
 public:
  // `address` is "host:port" of a storesvc.
  explicit RemoteStoreClient(const std::string& address);
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

  void Append(v1::AppendBatch batch, AppendCallback done) override;
  std::unique_ptr<StoreSubscription> Read(const v1::ReadRequest& request,
                                          BatchCallback on_batch, DoneCallback done) override;
  std::unique_ptr<StoreSubscription> WatchStreams(EventCallback on_event) override;

 private:
  class AppendStream;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::StoreService::Stub> stub_;

  absl::Mutex mu_;
  std::shared_ptr<AppendStream> append_stream_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine

#endif  // JSENGINE_GATEWAY_REMOTE_STORE_CLIENT_H_
