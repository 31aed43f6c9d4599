// RemoteConsumerSession: a ConsumerSession over the Session stream of a
// consumersvc, kept going across the service's restarts.
//
// Batches go up on the current RemoteSessionStream (merged while a write is
// in flight); DeliveryBatches come down to the callback on the pump thread.
// When the stream ends (the service restarted, the connection broke) a new
// one opens after kReopenPause, and again until the session is destroyed.
// Every new session starts with a batch naming all the service's consumers
// (session_start), from which the gateway serves their acks and watches
// their deliver subjects afresh, reporting each one's interest now, and
// drops the others (ConsumerDataPlane). Batches sent while no
// stream is open are kept, up to kMaxPendingEvents events, and go first on
// the next one; what a broken stream had not yet written is lost, like
// messages in flight: clients retry pulls, and messages not acknowledged are
// delivered again.
//
// Thread-safety: thread-safe. The destructor ends the stream and waits out a
// callback running on another thread: no callback runs after it returns.
// The pump's destruction ends the session (Send then drops batches).
#ifndef JSENGINE_CONSUMERSVC_CLIENT_REMOTE_CONSUMER_SESSION_H_
#define JSENGINE_CONSUMERSVC_CLIENT_REMOTE_CONSUMER_SESSION_H_

#include <memory>

#include "absl/time/time.h"
#include "common/grpc/completion_pump.h"
#include "consumersvc/client/consumer_client.h"
#include "proto/consumer.grpc.pb.h"

namespace jsengine::consumersvc::client {

class RemoteConsumerSession final : public ConsumerSession {
 public:
  static constexpr absl::Duration kReopenPause = absl::Milliseconds(250);
  static constexpr int kMaxPendingEvents = 64 * 1024;

  // `stub` and `pump` must outlive the pump's activities.
  RemoteConsumerSession(v1::ConsumerService::Stub* stub, common::grpc::CompletionPump* pump,
                        ConsumerClient::DeliveryCallback on_deliveries);
  ~RemoteConsumerSession() override;

  RemoteConsumerSession(const RemoteConsumerSession&) = delete;
  RemoteConsumerSession& operator=(const RemoteConsumerSession&) = delete;

  void Send(v1::GatewayBatch batch) override;

 private:
  class State;

  std::shared_ptr<State> state_;
};

}  // namespace jsengine::consumersvc::client

#endif  // JSENGINE_CONSUMERSVC_CLIENT_REMOTE_CONSUMER_SESSION_H_
