#include "consumersvc/consumer_source.h"

#include <algorithm>
#include <utility>

#include "common/status.h"
#include "glog/logging.h"

namespace jsengine::consumersvc {
namespace {

void SetFilter(const SubjectFilter& filter, v1::ReadRequest* request) {
  for (const std::string& s : filter.subjects()) request->add_filter_subjects(s);
}

}  // namespace

ConsumerSource::ConsumerSource(std::shared_ptr<StreamFeed> feed, SubjectFilter filter,
                               std::function<void()> on_fetched)
    : feed_(std::move(feed)), filter_(std::move(filter)), on_fetched_(std::move(on_fetched)) {}

ConsumerSource::~ConsumerSource() {
  *alive_ = false;
  if (ahead_read_ != nullptr) ahead_read_->Cancel();
  if (seq_read_ != nullptr) seq_read_->Cancel();
}

absl::Status ConsumerSource::Recount(uint64_t seq) {
  v1::FilteredStateRequest request;
  request.set_stream(feed_->stream());
  for (const std::string& s : filter_.subjects()) request.add_filter_subjects(s);
  request.set_start_seq(seq);
  absl::StatusOr<v1::FilteredStateResponse> state = feed_->store()->FilteredState(request);
  if (!state.ok()) return state.status();
  count_ = state->messages();
  counted_from_ = seq;
  counted_to_ = state->stream_last_seq();
  counted_ = true;
  return absl::OkStatus();
}

void ConsumerSource::OnAppended(const std::vector<StreamFeed::Message>& messages) {
  for (const StreamFeed::Message& m : messages) {
    if (counted_ && m->seq() > counted_to_ && m->seq() >= counted_from_ &&
        filter_.Matches(m->subject())) {
      ++count_;
    }
    counted_to_ = std::max(counted_to_, m->seq());
  }
}

std::deque<StreamFeed::Message>::const_iterator ConsumerSource::AheadFrom(uint64_t seq) const {
  // A consumer reading in order asks for the message after the one found
  // last: checked in place of a search (a cache miss per probe).
  size_t i = ahead_hint_;
  if (i > ahead_.size() || (i > 0 && ahead_[i - 1]->seq() >= seq) ||
      (i < ahead_.size() && ahead_[i]->seq() < seq)) {
    i = std::lower_bound(ahead_.begin(), ahead_.end(), seq,
                         [](const StreamFeed::Message& m, uint64_t s) { return m->seq() < s; }) -
        ahead_.begin();
  }
  ahead_hint_ = i + 1;
  return ahead_.begin() + i;
}

const StreamFeed::Message* ConsumerSource::FindAhead(uint64_t seq, bool exact) const {
  auto it = AheadFrom(seq);
  if (it == ahead_.end() || (exact && (*it)->seq() != seq)) return nullptr;
  return &*it;
}

void ConsumerSource::Forget() {
  *alive_ = false;
  alive_ = std::make_shared<bool>(true);
  if (ahead_read_ != nullptr) ahead_read_->Cancel();
  if (seq_read_ != nullptr) seq_read_->Cancel();
  ahead_read_.reset();
  seq_read_.reset();
  ahead_.clear();
  ahead_from_ = 0;
  ahead_to_ = 0;
  loaded_.clear();
  gone_.clear();
  wanted_.clear();
  erased_in_flight_.clear();
  asked_.clear();
  counted_ = false;
}

bool ConsumerSource::StoreAway(const absl::Status& status, uint64_t generation) {
  // A read begun before the tail resumed may fail for an outage that is
  // over: asking again is right then.
  if (!absl::IsUnavailable(status) || generation != feed_->generation()) return false;
  if (!store_away_) {
    LOG(WARNING) << "stream " << feed_->stream() << ": store out of reach (" << status
                 << "); reads wait for the tail to resume";
  }
  store_away_ = true;
  return true;
}

void ConsumerSource::StoreBack() {
  if (!store_away_) return;
  store_away_ = false;
  on_fetched_();
}

void ConsumerSource::Erase(uint64_t seq) {
  auto it = AheadFrom(seq);
  if (it != ahead_.end() && (*it)->seq() == seq) ahead_.erase(it);
  loaded_.erase(seq);
  // A read in flight may have read it before the deletion.
  if (ahead_read_ != nullptr || seq_read_ != nullptr) erased_in_flight_.insert(seq);
  counted_ = false;
}

MessageSource::Next ConsumerSource::LoadNext(uint64_t seq, const SubjectFilter& filter) {
  seq = std::max(seq, feed_->first_seq());
  for (;;) {
    if (seq >= feed_->cache_first_seq()) {
      if (const StreamFeed::Message* m = feed_->FindNext(seq, filter)) {
        if (feed_->Expired(**m)) {
          seq = (*m)->seq() + 1;
          continue;
        }
        return {Next::kMessage, *m, 0};
      }
      return {Next::kEnd, nullptr, feed_->last_seq() + 1};
    }
    if (ahead_from_ <= seq && seq <= ahead_to_ && ahead_to_ != 0) {
      auto it = AheadFrom(seq);
      if (it != ahead_.end()) {
        // Half of the window left: ask for the next one now, so that a
        // consumer reading in order does not wait for the store.
        if (ahead_read_ == nullptr && !store_away_ &&
            static_cast<uint64_t>(ahead_.end() - it) <= window_ / 2 &&
            ahead_to_ + 1 < feed_->cache_first_seq()) {
          StartReadAhead(ahead_to_ + 1, /*extend=*/true);
        }
        if (feed_->Expired(**it)) {
          seq = (*it)->seq() + 1;
          continue;
        }
        return {Next::kMessage, *it, 0};
      }
      seq = ahead_to_ + 1;  // Nothing matches up to what was read: go on.
      continue;
    }
    if (ahead_read_ == nullptr && !store_away_) StartReadAhead(seq, /*extend=*/false);
    return {Next::kFetching};
  }
}

void ConsumerSource::StartReadAhead(uint64_t seq, bool extend) {
  if (!extend) {
    ahead_.clear();
    ahead_from_ = seq;
    ahead_to_ = 0;
  }
  v1::ReadRequest request;
  request.set_stream(feed_->stream());
  request.set_start_seq(seq);
  SetFilter(filter_, &request);
  const uint64_t window = window_;
  request.set_max_messages(window);
  request.set_max_batch(std::min(window, kReadAheadBatch));
  struct Progress {
    uint64_t messages = 0;
    uint64_t bytes = 0;
    uint64_t stream_last = 0;
  };
  auto progress = std::make_shared<Progress>();
  std::weak_ptr<bool> alive = alive_;
  std::shared_ptr<common::Strand> strand = feed_->strand();
  const uint64_t generation = feed_->generation();
  ahead_read_ = feed_->store()->Read(
      request,
      [this, alive, strand, progress, window](v1::MessageBatch& batch) {
        strand->Post([this, alive, batch = std::move(batch), progress, window]() mutable {
          if (alive.expired()) return;
          progress->stream_last = std::max(progress->stream_last, batch.stream_last_seq());
          // The messages share the batch's ownership: no allocation each.
          auto shared = std::make_shared<const v1::MessageBatch>(std::move(batch));
          for (const v1::StoredMessage& m : shared->messages()) {
            ++progress->messages;
            progress->bytes += m.subject().size() + m.headers().size() + m.data().size();
            ahead_to_ = std::max(ahead_to_, m.seq());
            if (erased_in_flight_.count(m.seq()) > 0) continue;
            ahead_.push_back(StreamFeed::Message(shared, &m));
          }
          // A read in several batches (large messages): the consumer
          // delivers these while the rest is read. The batch that completes
          // the read waits for its end, which lets the consumer ask for the
          // next window.
          if (!shared->messages().empty() && progress->messages < window) on_fetched_();
        });
        return true;
      },
      [this, alive, strand, progress, extend, window, generation](absl::Status status) {
        strand->Post([this, alive, status, progress, extend, window, generation] {
          if (alive.expired()) return;
          if (common::IsJsError(status, common::JsErrorId::kStreamNotFound)) {
            // The stream's tail ends too and deletes the consumer: asking
            // again would only fail again until then.
            ahead_read_.reset();
            return;
          }
          if (!status.ok()) {
            if (!StoreAway(status, generation)) {
              LOG(WARNING) << "stream " << feed_->stream() << ": read-ahead failed: " << status;
            }
            // A failed extension keeps what it had; a new window starts over.
            if (!extend) ahead_to_ = 0;
          } else if (progress->messages < window) {
            // Fewer than asked for: every match up to the stream's end.
            ahead_to_ = std::max(ahead_to_, progress->stream_last);
            if (ahead_to_ < ahead_from_) ahead_to_ = ahead_from_;
          }
          if (progress->messages > 0) {
            const uint64_t average = std::max<uint64_t>(progress->bytes / progress->messages, 1);
            window_ = std::clamp(kReadAheadBytes / average, kMinReadAhead, kMaxReadAhead);
          }
          ahead_read_.reset();
          if (seq_read_ == nullptr) erased_in_flight_.clear();
          if (!store_away_) on_fetched_();
        });
      });
}

MessageSource::Next ConsumerSource::Load(uint64_t seq) {
  if (seq < feed_->first_seq()) return {Next::kEnd, nullptr, 0};
  const StreamFeed::Message* m = feed_->Find(seq);
  if (m == nullptr) m = FindAhead(seq, true);
  if (m == nullptr) {
    if (auto it = loaded_.find(seq); it != loaded_.end()) m = &it->second;
  }
  if (m != nullptr) {
    if (feed_->Expired(**m)) return {Next::kEnd, nullptr, 0};
    return {Next::kMessage, *m, 0};
  }
  if (gone_.erase(seq) > 0) return {Next::kEnd, nullptr, 0};
  // Asked for already: a second ask would have the read start over when it
  // lands and drop what it brought.
  if (asked_.count(seq) > 0) return {Next::kFetching};
  wanted_.insert(seq);
  if (seq_read_ == nullptr && !store_away_) StartRedeliveryRead();
  return {Next::kFetching};
}

void ConsumerSource::StartRedeliveryRead() {
  // Loaded messages the consumer has taken are no longer needed.
  loaded_.clear();
  asked_.swap(wanted_);
  wanted_.clear();
  v1::ReadRequest request;
  request.set_stream(feed_->stream());
  for (uint64_t seq : asked_) request.add_seqs(seq);
  std::weak_ptr<bool> alive = alive_;
  std::shared_ptr<common::Strand> strand = feed_->strand();
  auto remaining = std::make_shared<std::set<uint64_t>>(asked_);
  const uint64_t generation = feed_->generation();
  seq_read_ = feed_->store()->Read(
      request,
      [this, alive, strand, remaining](v1::MessageBatch& batch) {
        strand->Post([this, alive, batch = std::move(batch), remaining]() mutable {
          if (alive.expired()) return;
          for (v1::StoredMessage& m : *batch.mutable_messages()) {
            const uint64_t seq = m.seq();
            if (erased_in_flight_.count(seq) > 0) continue;  // Stays in remaining: gone.
            remaining->erase(seq);
            loaded_[seq] = std::make_shared<const v1::StoredMessage>(std::move(m));
          }
        });
        return true;
      },
      [this, alive, strand, remaining, generation](absl::Status status) {
        strand->Post([this, alive, status, remaining, generation] {
          if (alive.expired()) return;
          if (status.ok()) {
            gone_.insert(remaining->begin(), remaining->end());
          } else if (common::IsJsError(status, common::JsErrorId::kStreamNotFound)) {
            seq_read_.reset();
            asked_.clear();
            return;
          } else {
            if (!StoreAway(status, generation)) {
              LOG(WARNING) << "stream " << feed_->stream()
                           << ": redelivery read failed: " << status;
            }
            wanted_.insert(remaining->begin(), remaining->end());
          }
          seq_read_.reset();
          if (ahead_read_ == nullptr) erased_in_flight_.clear();
          asked_.clear();
          // What was wanted meanwhile is asked for when the consumer loads
          // it again, after it took what this read brought.
          if (!store_away_) on_fetched_();
        });
      });
}

uint64_t ConsumerSource::FirstSeq() {
  v1::FilteredStateRequest request;
  request.set_stream(feed_->stream());
  absl::StatusOr<v1::FilteredStateResponse> state = feed_->store()->FilteredState(request);
  return state.ok() ? state->stream_first_seq() : 0;
}

uint64_t ConsumerSource::NumPending(uint64_t seq, const SubjectFilter&) {
  // Nothing below the stream's first sequence is left to count.
  seq = std::max(seq, feed_->first_seq());
  if (!counted_ || seq < counted_from_ || counted_from_ < feed_->first_seq()) {
    if (!Recount(seq).ok()) return count_;
    return count_;
  }
  if (seq == counted_from_) return count_;
  // The feed's tail has not shown every message moved past: its cache
  // cannot count them.
  if (seq - 1 > feed_->last_seq()) {
    if (!Recount(seq).ok()) return count_;
    return count_;
  }
  // The messages moved past since the last count are in the cache or the
  // read-ahead (the consumer has just loaded them); otherwise ask again.
  uint64_t passed = 0;
  uint64_t from = counted_from_;
  const uint64_t cache_first = feed_->cache_first_seq();
  if (from < cache_first) {
    if (!(ahead_to_ != 0 && ahead_from_ <= from && std::min(seq, cache_first) - 1 <= ahead_to_)) {
      if (!Recount(seq).ok()) return count_;
      return count_;
    }
    const uint64_t until = std::min(seq, cache_first);
    // Moved past: no longer needed for LoadNext either.
    while (!ahead_.empty() && ahead_.front()->seq() < until) {
      passed += ahead_.front()->seq() >= from;
      ahead_.pop_front();
      if (ahead_hint_ > 0) --ahead_hint_;
    }
    ahead_from_ = std::max(ahead_from_, until);
    from = until;
  }
  if (from < seq) passed += feed_->CountMatching(from, seq, filter_);
  count_ -= std::min(count_, passed);
  counted_from_ = seq;
  return count_;
}

}  // namespace jsengine::consumersvc
