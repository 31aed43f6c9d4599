// JetStream on the wire: connects the core NATS server to the store service,
// and to the consumer service's data plane.
//
// - Publishes to a subject bound to a stream are appended (no gRPC call per
//   message: the store client batches) and, when the publish had a reply
//   subject, answered with the PubAck JSON or the JetStream error JSON. Core
//   subscribers on the subject still get the message.
// - Requests on $JS.API.> are answered by the JetStream API (api_router.h)
//   on a worker thread, in arrival order, off the event loops.
// - Pull requests ($JS.API.CONSUMER.MSG.NEXT.>) go to the DataPlane
//   (data_plane.h) at once, on the thread that received them, so they never
//   wait behind an admin request (nor for a thread hand-off: a client's
//   acks and its next pull request then reach the consumer service
//   together); without a DataPlane they get no reply. Acks are the DataPlane's own: it subscribes
//   each consumer's $JS.ACK subjects, as nats-server does, so an ack for no consumer gets
//   no-responders.
// - Streams with a republish config are republished (republisher.h).
// - Stream subjects follow the store's lifecycle events, so streams created
//   elsewhere (another gateway, the admin CLI) or recovered at start are bound,
//   and streams deleted while the store was out of reach are unbound when
//   the watch resumes (its snapshot no longer has them).
//
// A bridge serves one account (JsApiOptions::account): it subscribes and
// publishes in that account only; its store client shows that account's
// streams (AccountStoreClient).
//
// The server and store must outlive the bridge. Start/Stop are not
// thread-safe with each other; everything else is.
#ifndef JSENGINE_GATEWAY_JETSTREAM_BRIDGE_H_
#define JSENGINE_GATEWAY_JETSTREAM_BRIDGE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gateway/core/server.h"
#include "gateway/jetstream/api_router.h"
#include "gateway/jetstream/binding_store_client.h"
#include "gateway/jetstream/data_plane.h"
#include "gateway/jetstream/published_seqs.h"
#include "gateway/jetstream/republisher.h"
#include "gateway/jetstream/request_queue.h"
#include "gateway/jetstream/stream_bindings.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

class Bridge {
 public:
  // `data_plane` may be null (no consumers yet); it is not owned.
  Bridge(core::Server* server, storesvc::client::StoreClient* store, JsApiOptions options,
         DataPlane* data_plane);
  ~Bridge();

  // Binds every existing stream, then starts serving. Fails when the store
  // cannot be reached.
  absl::Status Start();
  // Stops serving the API (after the requests already queued) and the data
  // plane, and unbinds every stream. Idempotent.
  void Stop();

  // The API's request counts (monitoring). Thread-safe.
  JsApiStats api_stats() const { return api_.stats(); }

 private:
  void OnStreamPublish(const std::string& stream, const core::InboundMessage& message);
  void OnApiRequest(const core::InboundMessage& message);
  void ServeApi(const QueuedRequest& request);
  void OnStreamEvent(const v1::StreamEvent& event);

  core::Server* const server_;
  storesvc::client::StoreClient* const store_;
  const std::string account_;  // The account served; empty for the global one
  const std::string domain_;   // JetStream domain; empty for none
  StreamBindings bindings_;
  Republisher republisher_;
  BindingStoreClient binding_store_;
  JsApiRouter api_;
  DataPlane* const data_plane_;
  PublishedSeqs published_;
  RequestQueue api_queue_;

  uint64_t api_subscription_ = 0;
  // $JS.<domain>.API.>, answered as $JS.API.>; 0 without a domain.
  uint64_t domain_subscription_ = 0;
  std::unique_ptr<storesvc::client::Subscription> watch_;
  // Streams of the watch's current snapshot (its events run on one thread).
  absl::flat_hash_set<std::string> snapshot_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_BRIDGE_H_
