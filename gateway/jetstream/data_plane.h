// What the consumer service plugs into the bridge (bridge.h): pull requests,
// $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>, whose payload is
// nats-server's JSApiConsumerGetNextRequest ({"batch":1,...}), a batch size
// or empty; messages go to `reply` as the consumer has them. The bridge
// serves them on a path of their own so they never wait behind admin
// requests (a STREAM.CREATE that fsyncs, a big LIST). Acks ($JS.ACK...) are
// not the bridge's: the implementation subscribes each consumer's.
//
// The bridge calls a DataPlane on the thread that received the request (a
// connection's event loop, or the thread that published it), in that
// thread's arrival order; a call must not block. Replies and deliveries are
// the implementation's to publish, at once or later. It must outlive the
// bridge.
#ifndef JSENGINE_GATEWAY_JETSTREAM_DATA_PLANE_H_
#define JSENGINE_GATEWAY_JETSTREAM_DATA_PLANE_H_

#include <string_view>

namespace jsengine::gateway::jetstream {

class DataPlane {
 public:
  virtual ~DataPlane() = default;

  virtual void PullRequest(std::string_view stream, std::string_view consumer,
                           std::string_view reply, std::string_view payload) = 0;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_DATA_PLANE_H_
