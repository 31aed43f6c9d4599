// What the consumer service plugs into the bridge (bridge.h): pull requests,
// $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>, whose payload is
// nats-server's JSApiConsumerGetNextRequest ({"batch":1,...}), a batch size
// or empty; messages go to `reply` as the consumer has them. The bridge
// serves them on a path of their own so they never wait behind admin
// requests (a STREAM.CREATE that fsyncs, a big LIST). Acks ($JS.ACK...) are
// not the bridge's: the implementation subscribes each consumer's.
//
// The bridge calls PullRequest on the thread that received the request (a
// connection's event loop, or the thread that published it), in that
// thread's arrival order; it must not block. Replies and deliveries are the
// implementation's to publish, at once or later. It must outlive the
// bridge. An implementation may hold what a thread hands it until that
// thread's common::CallbackBurst ends; Flush sends it at once (the bridge
// flushes before it hands a request to its API thread, so that the request
// cannot overtake the acks the same client sent before it).
// `published_through` is the stream's newest sequence the bridge had stored
// for a publisher when the request came: the request must see the stream up
// to there.
//
// Settle is the JetStream API's (stream info on interest and work-queue
// streams): it returns once the acks handed over before it for `stream`
// have taken effect, the messages they let go removed from the store, or
// after a bounded wait (false). Acks are handed over on the publishing
// client's thread as they arrive, so a client that acks and then asks for
// stream info sees its ack. Thread-safe; it blocks.
#ifndef JSENGINE_GATEWAY_JETSTREAM_DATA_PLANE_H_
#define JSENGINE_GATEWAY_JETSTREAM_DATA_PLANE_H_

#include <cstdint>
#include <string_view>

namespace jsengine::gateway::jetstream {

class DataPlane {
 public:
  virtual ~DataPlane() = default;

  virtual void PullRequest(std::string_view stream, std::string_view consumer,
                           std::string_view reply, std::string_view payload,
                           uint64_t published_through) = 0;
  virtual bool Settle(std::string_view stream) = 0;
  virtual void Flush() {}
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_DATA_PLANE_H_
