// Republisher: nats-server's stream `republish` for the gateway. For each
// stream whose config has one it tails the stream (StoreClient::Read with
// tail) and publishes every message stored from then on, mirrored and
// sourced ones included, on the core side to its transformed subject with
// the headers nats-server adds: Nats-Stream, Nats-Subject, Nats-Sequence,
// Nats-Time-Stamp, Nats-Last-Sequence (the previous sequence on the same
// subject), and with headers_only Nats-Msg-Size instead of the payload.
//
//   Republisher republisher(store, [&](auto subject, auto headers, auto payload) {
//     server->Publish(subject, "", headers, payload);
//   });
//   republisher.Apply(config, /*from_start=*/true);  // on stream events
//
// Republishing follows the store, not the publish: a message is
// republished shortly after it is stored, once (while this gateway runs).
//
// Thread-safety: thread-safe. `publish` runs on the store client's reader
// threads. The store must outlive the Republisher.
#ifndef JSENGINE_GATEWAY_JETSTREAM_REPUBLISHER_H_
#define JSENGINE_GATEWAY_JETSTREAM_REPUBLISHER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "proto/store.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::gateway::jetstream {

class Republisher {
 public:
  using Publish = std::function<void(const std::string& subject, const std::string& headers,
                                     const std::string& payload)>;

  Republisher(storesvc::client::StoreClient* store, Publish publish);
  ~Republisher();

  Republisher(const Republisher&) = delete;
  Republisher& operator=(const Republisher&) = delete;

  // Starts, restarts or stops republishing `config.name()` as its republish
  // says. A new tail starts at the stream's first message when
  // `from_start` (a stream just created), else after its last one.
  void Apply(const v1::StreamConfig& config, bool from_start) ABSL_LOCKS_EXCLUDED(mu_);
  // Stops republishing the stream.
  void Remove(const std::string& stream) ABSL_LOCKS_EXCLUDED(mu_);
  // Stops republishing every stream not in `streams`.
  void RetainOnly(const absl::flat_hash_set<std::string>& streams) ABSL_LOCKS_EXCLUDED(mu_);

  // The headers a republished message carries (nats-server's format):
  // `original` (a NATS/1.0 block or empty) with the republish headers
  // added at its end.
  static std::string Headers(const std::string& original, const std::string& stream,
                             const v1::StoredMessage& msg, uint64_t last_seq, bool headers_only);

 private:
  class Tail;

  storesvc::client::StoreClient* const store_;
  const Publish publish_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Tail>> tails_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_REPUBLISHER_H_
