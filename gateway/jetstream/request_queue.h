// A first-in first-out queue of inbound NATS requests served by one thread of
// its own: the event loops hand requests over without waiting, and a handler
// that blocks (on the store, on the consumer service) holds up only the
// requests behind it in this queue. Requests are handled one at a time, in
// the order they were pushed.
//
//   RequestQueue queue([&](const QueuedRequest& r) { ... });
//   queue.Start();
//   queue.Push({subject, reply, payload});  // from any thread
//   queue.Stop();  // serves what was pushed before, then joins the thread
//
// Push is thread-safe; Start and Stop are not thread-safe with each other.
// What is pushed after Stop is dropped.
#ifndef JSENGINE_GATEWAY_JETSTREAM_REQUEST_QUEUE_H_
#define JSENGINE_GATEWAY_JETSTREAM_REQUEST_QUEUE_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace jsengine::gateway::jetstream {

struct QueuedRequest {
  std::string subject;
  std::string reply;
  std::string payload;
};

class RequestQueue {
 public:
  using Handler = std::function<void(const QueuedRequest&)>;

  explicit RequestQueue(Handler handler);
  ~RequestQueue();  // Stop()

  RequestQueue(const RequestQueue&) = delete;
  RequestQueue& operator=(const RequestQueue&) = delete;

  void Start();
  void Push(QueuedRequest request);
  // Idempotent.
  void Stop();

 private:
  void Serve();

  const Handler handler_;
  std::thread thread_;

  absl::Mutex mu_;
  std::deque<QueuedRequest> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_REQUEST_QUEUE_H_
