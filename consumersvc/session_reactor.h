// SessionReactor: the consumer service's side of one gateway's Session
// stream (gRPC callback API), over a session of a ConsumerClient.
//
// Every GatewayBatch read goes to ConsumerSession::Send on the gRPC thread
// that read it, and the next read starts right after. The DeliveryBatches
// the session's callback gets are queued and written from here, one stream
// write at a time, those that arrive during a write merged into the next as
// far as the gateway's reading of the merged batch stays the same (see
// Merge): the callback (a consumer strand) never waits for gRPC flow
// control. A
// gateway that leaves more than max_queued_bytes unread loses the call
// (cancelled; it opens a new session, and what it missed is redelivered).
//
// The call ends when the gateway closes its side (OK) or goes away
// (CANCELLED). The session is closed first, so its callback has stopped
// when the reactor deletes itself in OnDone().
//
// Thread-safety: reactions and session callbacks may run on any threads.
#ifndef JSENGINE_CONSUMERSVC_SESSION_REACTOR_H_
#define JSENGINE_CONSUMERSVC_SESSION_REACTOR_H_

#include <cstddef>
#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "consumersvc/client/consumer_client.h"
#include "grpcpp/support/server_callback.h"
#include "proto/consumer.pb.h"

namespace jsengine::consumersvc {

class SessionReactor final : public grpc::ServerBidiReactor<v1::GatewayBatch, v1::DeliveryBatch> {
 public:
  static constexpr size_t kMaxQueuedBytes = size_t{256} << 20;

  // Opens a session of `consumers`, which must outlive the reactor.
  SessionReactor(grpc::CallbackServerContext* context, client::ConsumerClient* consumers,
                 size_t max_queued_bytes = kMaxQueuedBytes);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  // Batches in write order, each with its size.
  struct Queued {
    v1::DeliveryBatch batch;
    size_t bytes = 0;
  };

  // What to do after the lock is released.
  struct Next {
    bool write = false;
    bool finish = false;
    bool failed = false;
  };

  void OnDeliveries(v1::DeliveryBatch batch) ABSL_LOCKS_EXCLUDED(mu_);
  // Starts the queued write if none is in flight, and finishes once reads
  // ended and nothing is left to write.
  Next AdvanceLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(const Next& next);

  grpc::CallbackServerContext* const context_;
  const size_t max_queued_bytes_;
  v1::GatewayBatch in_;  // Owned by the read in flight.

  absl::Mutex mu_;
  // Owned by the write in flight; filled under mu_ when none is.
  v1::DeliveryBatch writing_;
  std::deque<Queued> queued_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // A write failed or the gateway fell too far behind: nothing more is written.
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;

  // Used by the read reactions (one at a time) after the constructor.
  std::unique_ptr<client::ConsumerSession> session_;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_SESSION_REACTOR_H_
