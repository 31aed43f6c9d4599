// The bookkeeping behind interest watches (Sublist::WatchClientInterest):
// which watched literal subjects a subscription's pattern covers, and how
// many counted subscriptions cover each.
//
// A watch names a literal subject and, optionally, a queue group. It has
// interest while at least one counted subscription matches the subject (with
// a queue group: one of that group's members; without: any subscription,
// plain or in any group). A wildcard subscription counts for every subject
// its pattern matches.
//
// Watched subjects sit in a trie of their tokens, which a subscription's
// pattern walks the way a publish walks the sublist, in reverse: a literal
// token follows one branch, `*` every branch of its level, `>` every watched
// subject below. Adding or removing a literal subscription costs one hash
// lookup per token; a wildcard one costs the trie nodes on the paths its
// pattern can match (`>` visits only subjects it matches, `*` also the
// branches a later literal token then cuts off). Watches of one subject and
// queue group share one count.
//
//   InterestIndex index;
//   index.Watch(1, "deliver.x", "", /*matching=*/0);  // false
//   std::vector<InterestIndex::Change> changes;
//   index.Added("deliver.*", "", &changes);    // {1, true}
//   index.Removed("deliver.*", "", &changes);  // {1, false}
//
// Not thread-safe: the Sublist guards it with its own lock, so counts change
// together with the subscriptions in the index.
#ifndef JSENGINE_GATEWAY_CORE_INTEREST_INDEX_H_
#define JSENGINE_GATEWAY_CORE_INTEREST_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace jsengine::gateway::core {

class InterestIndex {
 public:
  struct Change {
    uint64_t watch_id;
    bool has_interest;
    bool operator==(const Change& o) const {
      return watch_id == o.watch_id && has_interest == o.has_interest;
    }
  };

  InterestIndex();
  ~InterestIndex();
  InterestIndex(const InterestIndex&) = delete;
  InterestIndex& operator=(const InterestIndex&) = delete;

  bool empty() const { return watches_.empty(); }

  // Adds watch `id` (unique, nonzero) of the literal `subject` and `queue`
  // ("" for any); `matching` is how many counted subscriptions match now.
  // Returns whether the subject has interest.
  bool Watch(uint64_t id, std::string_view subject, std::string_view queue, size_t matching);
  // No-op for an unknown id.
  void Unwatch(uint64_t id);

  // A counted subscription with a valid `pattern` in `queue` ("" for none)
  // was added to / removed from the sublist. Appends the watches whose
  // interest changed.
  void Added(std::string_view pattern, std::string_view queue, std::vector<Change>* changes);
  void Removed(std::string_view pattern, std::string_view queue, std::vector<Change>* changes);

 private:
  struct Entry;
  struct Node;
  struct WatchInfo {
    std::string subject;
    std::string queue;
  };

  // Calls `fn` on every entry of a watched subject `pattern` matches that
  // counts a subscription in `queue`.
  void ForEachMatching(std::string_view pattern, std::string_view queue,
                       const std::function<void(Entry&)>& fn);

  std::unique_ptr<Node> root_;
  absl::flat_hash_map<uint64_t, WatchInfo> watches_;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_INTEREST_INDEX_H_
