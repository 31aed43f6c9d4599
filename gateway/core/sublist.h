// The subject index: which subscriptions match a published subject.
//
// A trie over subject tokens with `*` and `>` branches. Match() results are
// immutable and shared; each thread keeps a small cache of them that is
// invalidated as a whole whenever the index changes (a generation counter),
// so repeated publishes to the same subject cost one hash lookup. A subject
// enters the cache the second time it is matched: one-off subjects (reply
// inboxes) do not displace the ones that repeat. JetStream ack subjects
// ($JS.ACK.*, one per delivered message) never repeat: they skip the cache.
//
// Interest watches report when a literal subject gains or loses client
// interest: see WatchClientInterest. Without watches, Insert and Remove pay
// one branch for them; with watches, InterestIndex (interest_index.h) says
// what a subscription's pattern costs.
//
//   Sublist sl;
//   auto sub = std::make_shared<Subscription>();  sub->subject = "foo.*";
//   sl.Insert(sub);
//   std::shared_ptr<const MatchResult> r = sl.Match("foo.bar");
//
// Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_SUBLIST_H_
#define JSENGINE_GATEWAY_CORE_SUBLIST_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "common/mutex.h"
#include "gateway/core/interest_index.h"
#include "gateway/core/interest_notifier.h"
#include "gateway/core/subscription.h"

namespace jsengine::gateway::core {

// Subscriptions matching one subject: plain ones, and one list per queue
// group (a message goes to exactly one member of each group).
struct MatchResult {
  std::vector<SubscriptionPtr> psubs;
  std::vector<std::vector<SubscriptionPtr>> qsubs;
  bool empty() const { return psubs.empty() && qsubs.empty(); }
};

class Sublist {
 public:
  Sublist();
  ~Sublist();
  Sublist(const Sublist&) = delete;
  Sublist& operator=(const Sublist&) = delete;

  // InvalidArgument if the subject (or queue name) is not valid.
  absl::Status Insert(const SubscriptionPtr& sub);
  // Returns false if `sub` was not in the index.
  bool Remove(const SubscriptionPtr& sub);
  std::shared_ptr<const MatchResult> Match(std::string_view subject);
  size_t Count() const;

  // Client interest in the literal `subject`: a subscription of a client
  // connection matches it (wildcards included), in queue group `queue` if
  // that is not empty. Internal subscriptions (no client) never count.
  bool HasClientInterest(std::string_view subject, std::string_view queue);
  // Interest watches, as Server::WatchClientInterest describes them. Callbacks
  // queued by Insert, Remove or this run before they return, after the lock
  // is released, unless another thread is running callbacks
  // (interest_notifier.h). Returns 0 for an invalid subject or queue name.
  uint64_t WatchClientInterest(std::string_view subject, std::string_view queue,
                               InterestCallback on_change);
  void UnwatchClientInterest(uint64_t id);

  // Called after each client subscription (one with a `client`) is inserted
  // or removed, on the thread that did it, with no lock held (the cluster
  // tells routes of local interest so). Set before the sublist is shared.
  using ClientSubscriptionListener = std::function<void(const Subscription& sub, bool added)>;
  void SetClientSubscriptionListener(ClientSubscriptionListener listener) {
    listener_ = std::move(listener);
  }

 private:
  struct Level;
  struct Node;
  void InsertLocked(const SubscriptionPtr& sub, const std::string_view* tokens, size_t n)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool RemoveLocked(const SubscriptionPtr& sub, const std::string_view* tokens, size_t n)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<const MatchResult> MatchLocked(std::string_view subject) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Updates the watches' counts for a subscription just added or removed
  // (internal ones do not count), queueing the changes. True if any were.
  bool NoteInterest(const Subscription& sub, bool added) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t id_;
  std::atomic<uint64_t> generation_{1};
  mutable common::SharedMutex mu_;
  std::unique_ptr<Level> root_ ABSL_GUARDED_BY(mu_);
  size_t count_ ABSL_GUARDED_BY(mu_) = 0;
  InterestIndex interest_ ABSL_GUARDED_BY(mu_);
  uint64_t next_watch_id_ ABSL_GUARDED_BY(mu_) = 1;
  // Its lock is taken after mu_ (changes are queued in mu_'s order);
  // Deliver() and Remove() are called without mu_.
  InterestNotifier notifier_;
  ClientSubscriptionListener listener_;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SUBLIST_H_
