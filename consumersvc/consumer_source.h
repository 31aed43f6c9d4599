// ConsumerSource: one consumer's MessageSource. Serves from the stream
// feed's cache when the consumer keeps up; behind the cache, reads ahead
// from the store (one ranged Read of a window of messages at a time, never
// one call per message), asking for the next window once half of the
// current one is left, so that a consumer reading in order does not wait.
// The first window is kFirstReadAhead messages; later ones hold about
// kReadAheadBytes at the sizes read so far, between kMinReadAhead and
// kMaxReadAhead messages (few store calls for small messages, bounded
// memory for large ones). The store sends a window in batches of at most
// kReadAheadBatch messages, each freed once the consumer moved past it, so
// neither process builds or holds a whole window as one message;
// redeliveries come from the cache, the read-ahead or one Read by sequence
// list. Loads answer kFetching while what they need is being read, and
// `on_fetched` runs whenever a read, or a batch of the read-ahead, lands.
// A read that finds the store out of reach (UNAVAILABLE, with the feed's
// tail as it was when the read began) stops further reads until StoreBack,
// rather than asking again at once for as long as the store is away.
//
// The pending count (matching messages from a sequence on) is taken from
// the store once (Recount) and then kept up from the feed's appends and the
// messages the consumer moves past; Recount makes it exact again.
//
// Thread-safety: not thread-safe; everything runs on the stream's strand.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_SOURCE_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_SOURCE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "absl/status/status.h"
#include "consumersvc/consumer.h"
#include "consumersvc/stream_feed.h"
#include "consumersvc/subject_filter.h"

namespace jsengine::consumersvc {

class ConsumerSource final : public MessageSource {
 public:
  static constexpr uint64_t kFirstReadAhead = 256;
  static constexpr uint64_t kMinReadAhead = 16;
  static constexpr uint64_t kMaxReadAhead = 2048;
  static constexpr uint64_t kReadAheadBytes = 1 << 20;
  static constexpr uint64_t kReadAheadBatch = 256;

  ConsumerSource(std::shared_ptr<StreamFeed> feed, SubjectFilter filter,
                 std::function<void()> on_fetched);
  ~ConsumerSource() override;

  ConsumerSource(const ConsumerSource&) = delete;
  ConsumerSource& operator=(const ConsumerSource&) = delete;

  // Counts the matching messages from `seq` on in the store (a blocking
  // store call).
  absl::Status Recount(uint64_t seq);
  // The feed stored `messages` (ascending).
  void OnAppended(const std::vector<StreamFeed::Message>& messages);

  // The stream changed under the source (a purge): drops what it read and
  // ignores the reads in flight.
  void Forget();
  // The message at `seq` was deleted: drops what the source holds of it.
  void Erase(uint64_t seq);
  // The feed's tail resumed after the store was out of reach: reads may go
  // again (and `on_fetched` runs if one was held back).
  void StoreBack();

  Next LoadNext(uint64_t seq, const SubjectFilter& filter) override;
  Next Load(uint64_t seq) override;
  uint64_t FirstSeq() override;
  uint64_t NumPending(uint64_t seq, const SubjectFilter& filter) override;

 private:
  // Reads from `seq` into the window: a new window, or (`extend`) the one
  // that ends just before `seq`.
  void StartReadAhead(uint64_t seq, bool extend);
  void StartRedeliveryRead();
  // Whether a read begun at the feed's tail `generation` that ended with
  // `status` found the store out of reach; holds further reads if so.
  bool StoreAway(const absl::Status& status, uint64_t generation);
  // The first message of the read-ahead at or after `seq` (from
  // ahead_hint_ when that is it).
  std::deque<StreamFeed::Message>::const_iterator AheadFrom(uint64_t seq) const;
  const StreamFeed::Message* FindAhead(uint64_t seq, bool exact) const;

  const std::shared_ptr<StreamFeed> feed_;
  const SubjectFilter filter_;
  const std::function<void()> on_fetched_;
  // Alive while the source is and has not forgotten; reads in flight check
  // it before touching it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  // Read-ahead: every matching stored message in [ahead_from_, ahead_to_].
  std::deque<StreamFeed::Message> ahead_;
  uint64_t ahead_from_ = 0;
  uint64_t ahead_to_ = 0;
  uint64_t window_ = kFirstReadAhead;  // Messages the next read asks for.
  // Where in ahead_ the message after the one AheadFrom found last is, if
  // nothing was removed before it since.
  mutable size_t ahead_hint_ = 0;
  std::unique_ptr<storesvc::client::Subscription> ahead_read_;

  // Redeliveries: messages loaded by sequence, and those found gone.
  std::map<uint64_t, StreamFeed::Message> loaded_;
  std::set<uint64_t> gone_;
  std::set<uint64_t> wanted_;
  std::set<uint64_t> asked_;  // By the read in flight.
  // Deleted while a read was in flight: dropped if it brings them.
  std::set<uint64_t> erased_in_flight_;
  std::unique_ptr<storesvc::client::Subscription> seq_read_;

  // Matching messages at or after counted_from_; appends after
  // counted_to_ are counted as they come.
  uint64_t count_ = 0;
  uint64_t counted_from_ = 0;
  uint64_t counted_to_ = 0;
  bool counted_ = false;
  // A read found the store out of reach: none is started until StoreBack.
  bool store_away_ = false;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_SOURCE_H_
