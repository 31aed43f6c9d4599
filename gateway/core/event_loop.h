// One epoll event loop thread serving a share of the connections.
//
// Owns its clients; other threads hand it new sockets and flush/close
// requests through a mutex-protected queue and an eventfd. Outbound data
// touched during one iteration is written once per connection at the end of
// the iteration (write coalescing). Loop 0 also accepts new connections.
#ifndef JSENGINE_GATEWAY_CORE_EVENT_LOOP_H_
#define JSENGINE_GATEWAY_CORE_EVENT_LOOP_H_

#include <sys/epoll.h>

#include <atomic>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/mutex.h"

namespace jsengine::gateway::core {

class Client;
class Server;

class EventLoop {
 public:
  EventLoop(Server* server, int listen_fd);
  ~EventLoop();
  absl::Status Init();
  // Runs until Stop(); closes all its clients before returning.
  void Run();
  // From any thread.
  void Stop();
  void AddConnection(int fd, uint64_t client_id);
  // Asks the loop to write `client`'s pending output (or close it), from any
  // thread. Cheap when already requested.
  void RequestFlush(std::shared_ptr<Client> client);
  void Watch(Client* client, int fd);
  // Loop thread: stops reading `client` until RequestResume() or `until`.
  void Throttle(std::shared_ptr<Client> client, absl::Time until);
  // From any thread: lets a throttled client read again.
  void RequestResume(std::shared_ptr<Client> client);

  // The loop running on this thread, or null.
  static EventLoop* Current();
  // Remembers a client with new output; written at the end of the current
  // iteration (or by FlushTouched() on foreign threads).
  static void Touch(std::shared_ptr<Client> client);
  // Writes or hands over all clients touched on this thread. A foreign
  // thread writes a client itself while the client's loop sleeps in
  // epoll_wait (a wake-up would cost more than the write), unless its
  // common::CallbackBurst expects more output soon; otherwise it hands the client
  // to the loop, which coalesces the output with what follows.
  static void FlushTouched();
  void RemoveClient(Client* client);

 private:
  void Wake();
  // Adds `client` to an inbox queue guarded by mu_ and wakes the loop.
  void Enqueue(std::vector<std::shared_ptr<Client>>* queue, std::shared_ptr<Client> client);
  // Returns true when asked to stop.
  bool DrainInbox();
  // One pass over what epoll reported and the connections still ready to
  // read, as one common::CallbackBurst: what in-process subscribers want
  // done once per pass (e.g. sending the acks a client wrote together)
  // runs at its end, before the connections' output is written. Returns
  // true when asked to stop.
  bool Serve(const epoll_event* events, int n, std::vector<std::shared_ptr<Client>> ready);
  void AcceptAll();
  void Tick(absl::Time now);
  void Resume(Client* client);
  void ResumeExpired(absl::Time now);
  // Milliseconds epoll may sleep: until the next tick or throttle deadline.
  int WaitTimeoutMs(absl::Time now) const;

  Server* const server_;
  const int listen_fd_;  // -1 unless this loop accepts
  int epoll_fd_ = -1;
  int event_fd_ = -1;
  absl::flat_hash_map<Client*, std::shared_ptr<Client>> clients_;
  // Closed this iteration; freed at its end so raw pointers in events stay valid.
  std::vector<std::shared_ptr<Client>> dead_;
  // Clients that stopped reading early to let others run; served next turn.
  std::vector<std::shared_ptr<Client>> ready_;
  // Clients not read until resumed or their deadline passes.
  absl::flat_hash_map<Client*, std::pair<std::shared_ptr<Client>, absl::Time>> throttled_;
  absl::Time next_tick_;

  // True while the loop thread blocks in epoll_wait.
  std::atomic<bool> sleeping_{false};
  common::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::pair<int, uint64_t>> new_fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Client>> flush_requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Client>> resume_requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_EVENT_LOOP_H_
