// AppendReactor: the store service's side of one Append stream (gRPC
// callback API).
//
// Each batch read is handed to Store::Append at once, on the gRPC thread that
// read it, and the next read starts right after; results are written back in
// request order, one stream write at a time, with results that arrive during
// a write merged into the next one. With SyncPolicy::kInterval the store
// acknowledges inline, so a batch is read, stored and answered by one thread
// (no wake-up between them); with kAlways results come from the store's sync
// thread, which never blocks on gRPC. Reading pauses while more than
// max_queued_results results wait behind a write that a client which does
// not read holds up (gRPC flow control), and resumes once they are written.
//
// The stream finishes when the client closes its side (OK) or goes away
// (CANCELLED), and only once every batch handed to the store has its
// results: the reactor deletes itself in OnDone(), after which the store
// holds no callback into it.
//
// Thread-safety: reactions and store callbacks may run on any threads.
#ifndef JSENGINE_STORESVC_APPEND_REACTOR_H_
#define JSENGINE_STORESVC_APPEND_REACTOR_H_

#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_callback.h"
#include "proto/store.pb.h"
#include "storesvc/store.h"

namespace jsengine::storesvc {

class AppendReactor final
    : public grpc::ServerBidiReactor<v1::AppendBatch, v1::AppendResultBatch> {
 public:
  static constexpr int kMaxQueuedResults = 64 * 1024;

  // `store` must outlive the reactor.
  explicit AppendReactor(Store* store, int max_queued_results = kMaxQueuedResults);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  // What to do after the lock is released.
  struct Next {
    bool write = false;
    bool read = false;
    bool finish = false;
    bool failed = false;
  };

  void OnResults(v1::AppendResultBatch results) ABSL_LOCKS_EXCLUDED(mu_);
  // Starts the queued write if none is in flight, resumes a paused read
  // when the queue drained, and finishes when everything is done.
  Next AdvanceLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(const Next& next);

  Store* const store_;
  const int max_queued_results_;
  v1::AppendBatch in_;  // Owned by the read in flight.

  absl::Mutex mu_;
  // Owned by the write in flight; filled under mu_ when none is.
  v1::AppendResultBatch writing_;
  std::optional<v1::AppendResultBatch> queued_ ABSL_GUARDED_BY(mu_);
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int64_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;  // Batches awaiting results.
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_APPEND_REACTOR_H_
