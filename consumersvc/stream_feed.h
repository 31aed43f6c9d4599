// StreamFeed: one stream's messages, for all of its consumers, from one
// store tail.
//
// The tail (StoreClient::Read with `tail`, from the stream's last sequence
// + 1 at Start) fills a cache of the newest messages, bounded by count and
// bytes; consumers that keep up read only from the cache, with no store
// call at all. Consumers behind it read the store themselves
// (ConsumerSource). Each new batch is announced to `on_appended`. Cached
// messages share the ownership of the batch they came in, which is freed
// once none of them is held.
//
// Thread-safety: not thread-safe; every call, and every callback, runs on
// the stream's strand. The store client must outlive the feed.
#ifndef JSENGINE_CONSUMERSVC_STREAM_FEED_H_
#define JSENGINE_CONSUMERSVC_STREAM_FEED_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "common/strand.h"
#include "consumersvc/subject_filter.h"
#include "proto/common.pb.h"
#include "storesvc/client/store_client.h"

namespace jsengine::consumersvc {

class StreamFeed : public std::enable_shared_from_this<StreamFeed> {
 public:
  struct Limits {
    size_t messages = 16384;
    size_t bytes = 64 << 20;
  };
  using Message = std::shared_ptr<const v1::StoredMessage>;

  // `on_appended(messages)` runs after new messages enter the cache, or with
  // none when the stream moved without one (first_seq() or last_seq() rose);
  // `on_tail_end(status)` once the tail ends (the stream was deleted: "stream
  // not found"; or the store is out of reach).
  StreamFeed(std::string stream, storesvc::client::StoreClient* store,
             std::shared_ptr<common::Strand> strand, Limits limits,
             std::function<void(const std::vector<Message>&)> on_appended,
             std::function<void(absl::Status)> on_tail_end);
  ~StreamFeed();

  StreamFeed(const StreamFeed&) = delete;
  StreamFeed& operator=(const StreamFeed&) = delete;

  // Tails the stream from `last_seq` + 1; its messages live `max_age_ns`
  // (0: unlimited).
  void Start(uint64_t last_seq, int64_t max_age_ns);
  // After on_tail_end (the store was out of reach): tails the stream again
  // from last_seq() + 1, keeping the cache.
  void Resume();
  void Stop();

  const std::string& stream() const { return stream_; }
  storesvc::client::StoreClient* store() const { return store_; }
  // How often the tail was resumed (Resume).
  uint64_t generation() const { return generation_; }
  const std::shared_ptr<common::Strand>& strand() const { return strand_; }
  // The newest sequence the tail has shown.
  uint64_t last_seq() const { return last_seq_; }
  // The stream's first sequence as the tail last showed it (0: not yet):
  // messages below it are gone.
  uint64_t first_seq() const { return first_seq_; }
  // Every stored message from here to last_seq() is in the cache.
  uint64_t cache_first_seq() const { return cache_first_seq_; }

  // Messages up to `through_seq` may have changed in the store (a purge):
  // drops the cache, and never caches those that the tail brings later.
  void Forget(uint64_t through_seq);

  // Runs `fn` once the tail has shown the stream up to `seq` (at once if it
  // has), after every `fn` queued before it; or when the tail ends.
  void WhenCaughtUp(uint64_t seq, std::function<void()> fn);
  // Whether WhenCaughtUp callbacks wait.
  bool waiting() const { return !caught_up_.empty(); }

  // The message at `seq` was deleted (or removed by retention): drops it
  // from the cache, so that no consumer finds it here.
  void Erase(uint64_t seq);
  // Whether `m` is past the stream's max_age (the store removes it soon).
  bool Expired(const v1::StoredMessage& m) const {
    return max_age_ns_ > 0 && m.time_ns() + max_age_ns_ <= absl::GetCurrentTimeNanos();
  }

  // The cached message at `seq`, or null.
  const Message* Find(uint64_t seq) const;
  // The first cached message at or after `seq` that `filter` matches; null
  // when none up to last_seq().
  const Message* FindNext(uint64_t seq, const SubjectFilter& filter) const;
  // How many cached messages in [from, to) `filter` matches.
  uint64_t CountMatching(uint64_t from, uint64_t to, const SubjectFilter& filter) const;

 private:
  // Opens the tail from last_seq_ + 1.
  void StartTail();
  void OnBatch(std::shared_ptr<const v1::MessageBatch> batch);
  // Runs the WhenCaughtUp callbacks the tail has reached, in order.
  void RunCaughtUp();
  void Trim();
  // Index of the first cached message at or after `seq`.
  size_t LowerBound(uint64_t seq) const;

  const std::string stream_;
  storesvc::client::StoreClient* const store_;
  const std::shared_ptr<common::Strand> strand_;
  const Limits limits_;
  const std::function<void(const std::vector<Message>&)> on_appended_;
  const std::function<void(absl::Status)> on_tail_end_;

  std::unique_ptr<storesvc::client::Subscription> tail_;
  std::deque<std::pair<uint64_t, std::function<void()>>> caught_up_;
  bool tail_ended_ = false;
  uint64_t generation_ = 0;
  // Deleted before the tail brought them: never cached.
  std::set<uint64_t> erased_ahead_;
  std::deque<Message> cache_;  // Ascending sequences.
  size_t cache_bytes_ = 0;
  uint64_t cache_first_seq_ = 1;
  uint64_t last_seq_ = 0;
  uint64_t forgotten_through_ = 0;
  uint64_t first_seq_ = 0;
  int64_t max_age_ns_ = 0;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_STREAM_FEED_H_
