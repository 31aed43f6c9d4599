#include "consumersvc/client/remote_session_stream.h"

namespace jsengine::consumersvc::client {

std::shared_ptr<RemoteSessionStream> RemoteSessionStream::Open(v1::ConsumerService::Stub* stub,
                                                               common::grpc::CompletionPump* pump,
                                                               Listener* listener) {
  std::shared_ptr<RemoteSessionStream> stream(new RemoteSessionStream(pump, listener));
  if (!stream->Start([stub](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncSession(context, cq);
      })) {
    return nullptr;
  }
  return stream;
}

}  // namespace jsengine::consumersvc::client
