#include "consumersvc/stream_feed.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "glog/logging.h"

namespace jsengine::consumersvc {
namespace {

size_t SizeOf(const v1::StoredMessage& m) {
  return m.subject().size() + m.headers().size() + m.data().size() + 64;
}

}  // namespace

StreamFeed::StreamFeed(std::string stream, storesvc::client::StoreClient* store,
                       std::shared_ptr<common::Strand> strand, Limits limits,
                       std::function<void(const std::vector<Message>&)> on_appended,
                       std::function<void(absl::Status)> on_tail_end)
    : stream_(std::move(stream)),
      store_(store),
      strand_(std::move(strand)),
      limits_(limits),
      on_appended_(std::move(on_appended)),
      on_tail_end_(std::move(on_tail_end)) {}

StreamFeed::~StreamFeed() { Stop(); }

void StreamFeed::Start(uint64_t last_seq, int64_t max_age_ns) {
  max_age_ns_ = max_age_ns;
  last_seq_ = last_seq;
  cache_first_seq_ = last_seq + 1;
  StartTail();
}

void StreamFeed::Resume() {
  Stop();
  tail_ended_ = false;
  ++generation_;
  StartTail();
}

void StreamFeed::StartTail() {
  v1::ReadRequest request;
  request.set_stream(stream_);
  request.set_start_seq(last_seq_ + 1);
  request.set_tail(true);
  std::weak_ptr<StreamFeed> weak = weak_from_this();
  std::shared_ptr<common::Strand> strand = strand_;
  tail_ = store_->Read(
      request,
      [weak, strand](v1::MessageBatch& batch) {
        strand->Post([weak, batch = std::move(batch)]() mutable {
          if (auto feed = weak.lock()) {
            feed->OnBatch(std::make_shared<const v1::MessageBatch>(std::move(batch)));
          }
        });
        return true;
      },
      [weak, strand](absl::Status status) {
        strand->Post([weak, status] {
          if (auto feed = weak.lock()) {
            feed->tail_ended_ = true;
            feed->on_tail_end_(status);
            feed->RunCaughtUp();
          }
        });
      });
}

void StreamFeed::Stop() {
  if (tail_ != nullptr) tail_->Cancel();
  tail_.reset();
}

void StreamFeed::WhenCaughtUp(uint64_t seq, std::function<void()> fn) {
  if (caught_up_.empty() && (seq <= last_seq_ || tail_ended_)) {
    fn();
    return;
  }
  caught_up_.emplace_back(seq, std::move(fn));
}

void StreamFeed::RunCaughtUp() {
  while (!caught_up_.empty() && (caught_up_.front().first <= last_seq_ || tail_ended_)) {
    std::function<void()> fn = std::move(caught_up_.front().second);
    caught_up_.pop_front();
    fn();
  }
}

void StreamFeed::OnBatch(std::shared_ptr<const v1::MessageBatch> batch) {
  std::vector<Message> added;
  added.reserve(batch->messages_size());
  const uint64_t first_before = first_seq_;
  const uint64_t last_before = last_seq_;
  first_seq_ = std::max(first_seq_, batch->stream_first_seq());
  for (const v1::StoredMessage& m : batch->messages()) {
    if (m.seq() <= last_seq_) continue;
    if (m.seq() <= forgotten_through_ || m.seq() < first_seq_) {
      last_seq_ = m.seq();
      continue;
    }
    last_seq_ = m.seq();
    if (!erased_ahead_.empty() && erased_ahead_.erase(m.seq()) > 0) continue;
    Message message(batch, &m);  // Shares the batch's ownership.
    cache_bytes_ += SizeOf(*message);
    cache_.push_back(message);
    added.push_back(std::move(message));
  }
  // A batch that stopped short of the stream's end says how far it went;
  // the rest comes in the next ones.
  last_seq_ = std::max(last_seq_, batch->read_through_seq() != 0 ? batch->read_through_seq()
                                                                 : batch->stream_last_seq());
  erased_ahead_.erase(erased_ahead_.begin(), erased_ahead_.upper_bound(last_seq_));
  while (!cache_.empty() && cache_.front()->seq() < first_seq_) {
    cache_bytes_ -= SizeOf(*cache_.front());
    cache_.pop_front();
  }
  cache_first_seq_ = std::max(cache_first_seq_, first_seq_);
  Trim();
  if (!added.empty() || first_seq_ > first_before || last_seq_ > last_before) on_appended_(added);
  RunCaughtUp();
}

void StreamFeed::Erase(uint64_t seq) {
  if (seq > last_seq_) {
    // A batch read before the deletion may still bring it.
    erased_ahead_.insert(seq);
    return;
  }
  if (seq < cache_first_seq_) return;
  const size_t i = LowerBound(seq);
  if (i == cache_.size() || cache_[i]->seq() != seq) return;
  cache_bytes_ -= SizeOf(*cache_[i]);
  cache_.erase(cache_.begin() + static_cast<std::ptrdiff_t>(i));
}

void StreamFeed::Forget(uint64_t through_seq) {
  cache_.clear();
  cache_bytes_ = 0;
  forgotten_through_ = std::max(forgotten_through_, through_seq);
  cache_first_seq_ = std::max(last_seq_, forgotten_through_) + 1;
}

void StreamFeed::Trim() {
  while (!cache_.empty() && (cache_.size() > limits_.messages || cache_bytes_ > limits_.bytes)) {
    cache_bytes_ -= SizeOf(*cache_.front());
    cache_first_seq_ = cache_.front()->seq() + 1;
    cache_.pop_front();
  }
}

size_t StreamFeed::LowerBound(uint64_t seq) const {
  return std::lower_bound(cache_.begin(), cache_.end(), seq,
                          [](const Message& m, uint64_t s) { return m->seq() < s; }) -
         cache_.begin();
}

const StreamFeed::Message* StreamFeed::Find(uint64_t seq) const {
  if (seq < cache_first_seq_) return nullptr;
  const size_t i = LowerBound(seq);
  return i < cache_.size() && cache_[i]->seq() == seq ? &cache_[i] : nullptr;
}

const StreamFeed::Message* StreamFeed::FindNext(uint64_t seq, const SubjectFilter& filter) const {
  for (size_t i = LowerBound(std::max(seq, cache_first_seq_)); i < cache_.size(); ++i) {
    if (filter.Matches(cache_[i]->subject())) return &cache_[i];
  }
  return nullptr;
}

uint64_t StreamFeed::CountMatching(uint64_t from, uint64_t to, const SubjectFilter& filter) const {
  uint64_t n = 0;
  for (size_t i = LowerBound(std::max(from, cache_first_seq_)); i < cache_.size(); ++i) {
    if (cache_[i]->seq() >= to) break;
    n += filter.Matches(cache_[i]->subject());
  }
  return n;
}

}  // namespace jsengine::consumersvc
