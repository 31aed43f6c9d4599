// The subject index: which subscriptions match a published subject.
//
// A trie over subject tokens with `*` and `>` branches. Match() results are
// immutable and shared; each thread keeps a small cache of them that is
// invalidated as a whole whenever the index changes (a generation counter),
// so repeated publishes to the same subject cost one hash lookup. A subject
// enters the cache the second time it is matched: one-off subjects (reply
// inboxes) do not displace the ones that repeat.
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
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "common/mutex.h"
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

 private:
  struct Level;
  struct Node;
  std::shared_ptr<const MatchResult> MatchLocked(std::string_view subject) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const uint64_t id_;
  std::atomic<uint64_t> generation_{1};
  mutable common::SharedMutex mu_;
  std::unique_ptr<Level> root_ ABSL_GUARDED_BY(mu_);
  size_t count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SUBLIST_H_
