// StreamFollower: copies the messages of local origin streams into the
// streams that mirror or source them: nats-server's mirror and source
// consumers, without a consumer, since the origin is in the same store.
//
//   StreamFollower follower([&](const std::string& name) { return Find(name); });
//   while (follower.Step(*mirror, 256) > 0) {}  // then mirror->Sync() as the policy says
//
// A mirror keeps the origin's sequences and resumes after its own last
// sequence. A source's messages are appended with a Nats-Stream-Source
// header "<origin> <seq> <filters> <destinations>" (as nats-server writes
// it); where a source resumes is read back from the newest such header in
// the target, once per target (and again after Forget()), so a restart
// copies nothing twice and skips nothing that was stored.
//
// Thread-safety: thread-safe. Step() for one target must not run
// concurrently with another Step() for the same target.
#ifndef JSENGINE_STORESVC_STREAM_FOLLOWER_H_
#define JSENGINE_STORESVC_STREAM_FOLLOWER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "proto/store.pb.h"
#include "storesvc/stream.h"

namespace jsengine::storesvc {

class StreamFollower {
 public:
  // The open stream named so, or null; called without the follower's lock.
  using Lookup = std::function<std::shared_ptr<Stream>(const std::string& name)>;

  explicit StreamFollower(Lookup lookup);

  StreamFollower(const StreamFollower&) = delete;
  StreamFollower& operator=(const StreamFollower&) = delete;

  // Copies up to `max` messages into `target` from each stream it mirrors
  // or sources, flushed; returns how many it copied (or skipped as
  // refused by the target).
  size_t Step(Stream& target, size_t max) ABSL_LOCKS_EXCLUDED(mu_);

  // Fills info->mirror and info->sources for the stream `info` describes;
  // `lookup` (null: the follower's own) finds the origins.
  void FillInfo(v1::StreamInfo* info, const Lookup* lookup = nullptr) ABSL_LOCKS_EXCLUDED(mu_);

  // Drops what is known of `target` (deleted, or its sources changed).
  void Forget(const std::string& target) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // One origin of one target.
  struct Progress {
    uint64_t next = 0;       // The origin sequence to read next; 0: not known yet.
    int64_t active_ns = -1;  // When the origin was last read; -1: never.
    absl::Status error;      // Why the last read failed.
  };
  // Keyed by SourceIndexName(); "" for a mirror.
  using TargetProgress = std::map<std::string, Progress>;

  // Up to `max` messages of `source`'s origin from `next` (0: the
  // configured start) matching its filters; sets progress' activity or error.
  std::vector<v1::StoredMessage> ReadOrigin(const v1::StreamSource& source, uint64_t next,
                                            size_t max, Progress* progress);
  size_t StepMirror(Stream& target, const v1::StreamSource& mirror, size_t max);
  size_t StepSource(Stream& target, const v1::StreamSource& source, const std::string& iname,
                    size_t max);
  // After a step copied `copied` messages of origin `iname` ("" for a
  // mirror): flushes them and records `progress`, resuming at `next`.
  size_t Finish(Stream& target, const std::string& iname, size_t copied, uint64_t next,
                Progress progress) ABSL_LOCKS_EXCLUDED(mu_);
  // Where each of `target`'s sources resumes, from its stored headers.
  void Recover(Stream& target, const v1::StreamConfig& config);
  // The message count of `origin` from `next` matching `source`.
  static uint64_t Lag(const v1::StreamSource& source, uint64_t next, const Lookup& lookup);
  static v1::StreamSourceInfo SourceInfo(const v1::StreamSource& source, const Progress& progress,
                                         uint64_t next, const Lookup& lookup);

  const Lookup lookup_;
  absl::Mutex mu_;
  std::map<std::string, TargetProgress> targets_ ABSL_GUARDED_BY(mu_);
};

// The filters of a mirror or source: its transforms' sources, or its
// filter_subject; empty: every subject.
std::vector<std::string> SourceFilters(const v1::StreamSource& source);

// `block` (a NATS/1.0 header block, maybe empty) without any
// Nats-Stream-Source or Nats-Expected-* header, with
// "Nats-Stream-Source: <value>" added last.
std::string WithSourceHeader(const std::string& block, const std::string& value);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STREAM_FOLLOWER_H_
