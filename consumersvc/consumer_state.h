// ConsumerState: what a consumer must remember across restarts, as
// nats-server's ConsumerState (store.go) has it: the last delivered and the
// ack floor sequence pairs, the messages delivered and not yet acknowledged,
// and the delivery counts of those delivered more than once. Everything else
// a consumer holds (waiting pull requests, the redelivery queue, timers) is
// rebuilt from this or starts empty.
//
// A value type; not thread-safe.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_STATE_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_STATE_H_

#include <cstdint>

#include "absl/container/btree_map.h"

namespace jsengine::consumersvc {

// A consumer sequence and the stream sequence it delivered.
struct SequencePair {
  uint64_t consumer_seq = 0;
  uint64_t stream_seq = 0;

  friend bool operator==(const SequencePair& a, const SequencePair& b) {
    return a.consumer_seq == b.consumer_seq && a.stream_seq == b.stream_seq;
  }
};

// A delivered, unacknowledged message: the consumer sequence of its last
// delivery and when that was (Unix ns).
struct PendingAck {
  uint64_t consumer_seq = 0;
  int64_t delivered_ns = 0;

  friend bool operator==(const PendingAck& a, const PendingAck& b) {
    return a.consumer_seq == b.consumer_seq && a.delivered_ns == b.delivered_ns;
  }
};

struct ConsumerState {
  SequencePair delivered;  // The last delivery.
  SequencePair ack_floor;  // Everything at or below is acknowledged.
  // By stream sequence. Only for ack policies explicit and all.
  absl::btree_map<uint64_t, PendingAck> pending;
  // Stream sequence -> deliveries beyond the first (nats-server's rdc).
  absl::btree_map<uint64_t, uint64_t> redelivered;

  friend bool operator==(const ConsumerState& a, const ConsumerState& b) {
    return a.delivered == b.delivered && a.ack_floor == b.ack_floor && a.pending == b.pending &&
           a.redelivered == b.redelivered;
  }
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_STATE_H_
