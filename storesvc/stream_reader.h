// StreamReader: one Store::Read (a range or a tail) run by the store's
// shared reader threads. It takes batches from its ReadCursor and hands them
// to the caller's callback; when a tail has caught up it waits on the
// stream's AppendNotifier, holding no thread, until an append wakes it. So a
// thousand idle tails cost a thousand small objects, not threads. A tail
// woken by a change it has no message for (max_age removed messages at the
// stream's start; an interest stream did not keep a message) hands over an
// empty batch when the stream's first or last sequence rose, so the caller
// learns of it.
//
// Each step reads a few batches, then yields the thread to other readers.
// Callbacks of one reader never run concurrently. Cancel() (also run by the
// destructor of the handle Start() returns) waits out a callback running on
// another thread; after it returns no callback runs, `done` included.
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_STORESVC_STREAM_READER_H_
#define JSENGINE_STORESVC_STREAM_READER_H_

#include <cstdint>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/thread_pool.h"
#include "storesvc/client/store_client.h"
#include "storesvc/read_cursor.h"

namespace jsengine::storesvc {

class StreamReader : public std::enable_shared_from_this<StreamReader> {
 public:
  // Starts reading on `pool`. Readers do not keep the pool alive: once it
  // is shut down or gone, reads end silently.
  static std::unique_ptr<client::Subscription> Start(std::weak_ptr<common::ThreadPool> pool,
                                                     std::unique_ptr<ReadCursor> cursor,
                                                     client::StoreClient::BatchCallback on_batch,
                                                     client::StoreClient::DoneCallback done);

  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  void Cancel() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class Handle;

  StreamReader(std::weak_ptr<common::ThreadPool> pool, std::unique_ptr<ReadCursor> cursor,
               client::StoreClient::BatchCallback on_batch, client::StoreClient::DoneCallback done);
  // Queues a step on the pool unless one is queued or the read ended.
  void Schedule() ABSL_LOCKS_EXCLUDED(mu_);
  // Hands a step to the pool; false when the pool refuses it.
  bool Submit();
  void Step() ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the read may go on (not cancelled or finished).
  bool Live() ABSL_LOCKS_EXCLUDED(mu_);
  void Finish(absl::Status status) ABSL_LOCKS_EXCLUDED(mu_);

  const std::weak_ptr<common::ThreadPool> pool_;
  // Only the step running (one at a time) touches these.
  const std::unique_ptr<ReadCursor> cursor_;
  const client::StoreClient::BatchCallback on_batch_;
  const client::StoreClient::DoneCallback done_;

  absl::Mutex mu_;
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;  // A step is queued or running.
  bool again_ ABSL_GUARDED_BY(mu_) = false;      // Schedule() came while it was.
  bool ended_ ABSL_GUARDED_BY(mu_) = false;      // Finished or cancelled.
  uint64_t wait_token_ ABSL_GUARDED_BY(mu_) = 0;
  // The thread running a step, while one runs.
  std::thread::id stepping_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STREAM_READER_H_
