#include "consumersvc/consumer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/go_text.h"

namespace jsengine::consumersvc {
namespace {

// nats-server's JsFlowControlMaxPending: the most a push consumer with flow
// control has in flight before it waits for the client; the window starts
// at a sixteenth and doubles with each reply (setMaxPendingBytes).
constexpr int64_t kFlowControlMaxPending = 32 * 1024 * 1024;
// ackWaitDelay: a burst of deliveries is checked as one.
constexpr int64_t kAckWaitDelayNs = 1'000'000;
// A nak with a delay lets the pending check run soon after.
constexpr int64_t kNakRecheckNs = 10'000'000;
// Replay original waits only for gaps above a millisecond.
constexpr int64_t kReplayMinGapNs = 1'000'000;

constexpr char kFlowControlPrefix[] = "$JS.FC.";

std::string PendingHeaders(absl::string_view status, int64_t msgs, int64_t bytes) {
  return absl::StrCat("NATS/1.0 ", status, "\r\nNats-Pending-Messages: ", msgs,
                      "\r\nNats-Pending-Bytes: ", bytes, "\r\n\r\n");
}

std::string StatusHeaders(absl::string_view status) {
  return absl::StrCat("NATS/1.0 ", status, "\r\n\r\n");
}

}  // namespace

Consumer::Consumer(Setup setup, MessageSource* source, ConsumerOutput* output)
    : setup_(std::move(setup)),
      source_(source),
      output_(output),
      filter_(SubjectFilter::Of(setup_.config)) {
  if (setup_.config.flow_control() && is_push()) {
    fc_limit_bytes_ = kFlowControlMaxPending;
    fc_window_bytes_ = std::max<int64_t>(1, kFlowControlMaxPending / 16);
  }
  replaying_ = setup_.config.replay_policy() == v1::REPLAY_ORIGINAL;
}

bool Consumer::explicit_or_all() const {
  return setup_.config.ack_policy() == v1::ACK_EXPLICIT ||
         setup_.config.ack_policy() == v1::ACK_ALL;
}

int64_t Consumer::AckWaitNs() const { return setup_.config.ack_wait_ns(); }

void Consumer::Start(int64_t now_ns) {
  const ConsumerState* restored = setup_.restored;
  if (restored != nullptr) {
    next_dseq_ = restored->delivered.consumer_seq + 1;
    next_sseq_ = restored->delivered.stream_seq + 1;
    ack_dseq_ = restored->ack_floor.consumer_seq;
    ack_sseq_ = restored->ack_floor.stream_seq;
    pending_ = restored->pending;
    redelivered_ = restored->redelivered;
    // nats-server's checkRedelivered: counts below the ack floor are stale.
    for (auto it = redelivered_.begin(); it != redelivered_.end();) {
      it = it->first < ack_sseq_ ? redelivered_.erase(it) : std::next(it);
    }
    if (!pending_.empty()) pending_check_due_ns_ = now_ns;
  } else {
    next_sseq_ = std::max<uint64_t>(setup_.start_seq, 1);
    next_dseq_ = 1;
    ack_dseq_ = 0;
    ack_sseq_ = next_sseq_ - 1;
    if (!setup_.last_per_subject.empty()) {
      skip_list_.assign(setup_.last_per_subject.begin(), setup_.last_per_subject.end());
      skip_resume_seq_ = setup_.stream_last_seq;
      next_sseq_ = skip_list_.front();
    }
  }
  last_request_ns_ = now_ns;
  inactive_since_ns_ = now_ns;
  rate_updated_ns_ = now_ns;
  rate_tokens_ = static_cast<double>(setup_.rate_burst_bytes);
  if (is_push() && setup_.config.idle_heartbeat_ns() > 0) {
    heartbeat_due_ns_ = now_ns + setup_.config.idle_heartbeat_ns();
  }
  Run(now_ns);
}

void Consumer::UpdateConfig(v1::ConsumerConfig config, int64_t now_ns) {
  setup_.config = std::move(config);
  filter_ = SubjectFilter::Of(setup_.config);
  Run(now_ns);
}

bool Consumer::NeedsAck(uint64_t seq, std::string_view subject) const {
  return filter_.Matches(subject) && Holds(seq);
}

bool Consumer::Holds(uint64_t seq) const {
  if (seq <= ack_sseq_) return false;
  if (setup_.config.ack_policy() != v1::ACK_EXPLICIT || seq >= next_sseq_) return true;
  return pending_.count(seq) > 0;
}

uint64_t Consumer::NumPending() {
  // Delivering the last message per subject: those still to come, then
  // whatever was stored after them.
  if (!skip_list_.empty()) {
    return skip_list_.size() + source_->NumPending(skip_resume_seq_ + 1, filter_);
  }
  return source_->NumPending(next_sseq_, filter_);
}

Consumer::NoCandidate Consumer::NextCandidate(Candidate* candidate) {
  // Redeliveries first.
  while (!redeliver_queue_.empty()) {
    const uint64_t seq = redeliver_queue_.front();
    // Looked up, not inserted: a candidate nobody takes is no redelivery.
    auto counted = redelivered_.find(seq);
    const uint64_t deliveries = (counted == redelivered_.end() ? 0 : counted->second) + 2;
    const int64_t max_deliver = setup_.config.max_deliver();
    if (max_deliver > 0 && deliveries > static_cast<uint64_t>(max_deliver)) {
      redeliver_queue_.pop_front();
      on_redeliver_queue_.erase(seq);
      ++redelivered_[seq];
      if (deliveries == static_cast<uint64_t>(max_deliver) + 1) {
        output_->SendAdvisory({ConsumerOutput::AdvisoryKind::kMaxDeliveries,
                               seq,
                               pending_.count(seq) ? pending_[seq].consumer_seq : 0,
                               deliveries - 1,
                               {}});
      }
      pending_.erase(seq);
      continue;
    }
    MessageSource::Next next = source_->Load(seq);
    if (next.kind == MessageSource::Next::kFetching) return NoCandidate::kFetching;
    if (next.kind == MessageSource::Next::kEnd) {
      redeliver_queue_.pop_front();
      on_redeliver_queue_.erase(seq);
      pending_.erase(seq);
      redelivered_.erase(seq);
      continue;
    }
    candidate->message = std::move(next.message);
    candidate->deliveries = deliveries;
    candidate->redelivery = true;
    return NoCandidate::kNone;
  }
  uint64_t seq = next_sseq_;
  if (!skip_list_.empty()) seq = skip_list_.front();
  const int64_t max_ack_pending = setup_.config.max_ack_pending();
  if (explicit_or_all() && max_ack_pending > 0 &&
      pending_.size() >= static_cast<size_t>(max_ack_pending)) {
    return NoCandidate::kMaxAckPending;
  }
  MessageSource::Next next = source_->LoadNext(seq, filter_);
  switch (next.kind) {
    case MessageSource::Next::kMessage:
      candidate->message = std::move(next.message);
      candidate->deliveries = 1;
      candidate->redelivery = false;
      return NoCandidate::kNone;
    case MessageSource::Next::kEnd:
      if (skip_list_.empty()) next_sseq_ = std::max(next_sseq_, next.resume_seq);
      return NoCandidate::kEndOfStream;
    case MessageSource::Next::kFetching:
      break;
  }
  return NoCandidate::kFetching;
}

void Consumer::Run(int64_t now_ns) {
  for (;;) {
    if (is_push()) {
      if (!active_) break;
      if (fc_window_bytes_ > 0 && fc_pending_bytes_ > fc_window_bytes_) break;
    } else if (waiting_.empty()) {
      break;
    }
    if (not_before_ns_ > now_ns) break;

    Candidate candidate;
    if (NoCandidate why = NextCandidate(&candidate); why != NoCandidate::kNone) {
      // A no_wait request ends once the stream has nothing more for it.
      if (!is_push()) ProcessWaiting(why == NoCandidate::kEndOfStream, now_ns);
      break;
    }
    const v1::StoredMessage& m = *candidate.message;

    // Pacing: replay original keeps the gaps between the stored messages
    // until it catches up with the stream; a rate limit spends a token per
    // byte.
    if (replaying_ && m.seq() > setup_.stream_last_seq) replaying_ = false;
    if (replaying_ && last_ts_ > 0) {
      const int64_t gap = m.time_ns() - last_ts_;
      if (gap > kReplayMinGapNs && now_ns < last_delivered_ns_ + gap) {
        not_before_ns_ = last_delivered_ns_ + gap;
        break;
      }
    }

    ack_reply_.clear();
    const uint64_t dseq = next_dseq_;
    AckSubject ack{setup_.stream, setup_.name, candidate.deliveries, m.seq(), dseq, m.time_ns(), 0};
    // The pending count after this message, as nats-server computes it
    // before delivering (a fresh message is still counted).
    uint64_t pending = NumPending();
    if (!candidate.redelivery && pending > 0) --pending;
    ack.pending = pending;
    AppendAckSubject(ack, &ack_reply_);
    int64_t size = static_cast<int64_t>(ack_reply_.size() + m.subject().size());
    if (setup_.config.headers_only()) {
      size += static_cast<int64_t>(m.headers().size());
    } else {
      size += static_cast<int64_t>(m.headers().size() + m.data().size());
    }

    if (setup_.config.rate_limit_bps() > 0) {
      const double rate = static_cast<double>(setup_.config.rate_limit_bps() / 8);
      rate_tokens_ = std::min<double>(
          static_cast<double>(setup_.rate_burst_bytes),
          rate_tokens_ + rate * static_cast<double>(now_ns - rate_updated_ns_) / 1e9);
      rate_updated_ns_ = now_ns;
      // A message above the burst waits for a full bucket, not forever.
      const double need =
          std::min(static_cast<double>(size), static_cast<double>(setup_.rate_burst_bytes));
      if (rate_tokens_ < need && rate > 0) {
        not_before_ns_ = now_ns + static_cast<int64_t>((need - rate_tokens_) / rate * 1e9) + 1;
        break;
      }
      rate_tokens_ -= need;
    }

    std::string subject;
    // A request whose batch this message completes with max_bytes to spare.
    int64_t completed_with_bytes_left = 0;
    if (is_push()) {
      subject = setup_.config.deliver_subject();
    } else {
      Waiting* w = NextWaiting(size, now_ns);
      if (w == nullptr) break;  // Not committed: the message stays next.
      subject = w->reply;
      ++w->delivered;
      --w->left;
      if (w->heartbeat_ns > 0) w->heartbeat_due_ns = now_ns + w->heartbeat_ns;
      if (w->left <= 0) {
        completed_with_bytes_left = w->bytes_left;
        PopWaiting();
      } else if (waiting_.size() > 1) {
        // Round robin: a request that wants more goes to the back.
        Waiting moved = std::move(waiting_.front());
        waiting_.pop_front();
        waiting_.push_back(std::move(moved));
      }
    }

    // Commit the candidate.
    if (candidate.redelivery) {
      redeliver_queue_.pop_front();
      on_redeliver_queue_.erase(m.seq());
      ++redelivered_[m.seq()];
    } else if (!skip_list_.empty()) {
      skip_list_.pop_front();
      if (skip_list_.empty()) {
        next_sseq_ = std::max(next_sseq_, skip_resume_seq_ + 1);
      } else {
        next_sseq_ = std::max(next_sseq_, m.seq() + 1);
      }
    } else {
      next_sseq_ = m.seq() + 1;
    }
    last_ts_ = m.time_ns();
    last_delivered_ns_ = now_ns;
    not_before_ns_ = 0;
    Deliver(candidate, subject, now_ns);
    if (completed_with_bytes_left > 0) {
      // As nats-server 2.10, after the message.
      output_->Status(subject, "",
                      PendingHeaders("409 Batch Completed", 0, completed_with_bytes_left));
    }
    if (fc_window_bytes_ > 0) {
      fc_pending_bytes_ += size;
      MaybeSendFlowControl(size);
    }
    if (is_push() && setup_.config.idle_heartbeat_ns() > 0) {
      heartbeat_due_ns_ = now_ns + setup_.config.idle_heartbeat_ns();
    }
  }
}

void Consumer::Deliver(const Candidate& candidate, const std::string& subject, int64_t now_ns) {
  const v1::StoredMessage& m = *candidate.message;
  const uint64_t dseq = next_dseq_++;
  output_->Deliver(subject, ack_reply_, m, setup_.config.headers_only());
  last_delivered_at_ns_ = now_ns;
  if (explicit_or_all()) {
    TrackPending(m.seq(), dseq, now_ns);
  } else {
    ack_dseq_ = dseq;
    ack_sseq_ = m.seq();
  }
  if (!is_push()) last_request_ns_ = now_ns;
  output_->RecordDelivered(dseq, m.seq(), candidate.deliveries, now_ns);
  if (!explicit_or_all() && setup_.retention != v1::RETENTION_LIMITS) {
    output_->Acknowledged(m.seq(), m.seq());
  }
}

void Consumer::TrackPending(uint64_t sseq, uint64_t dseq, int64_t now_ns) {
  auto [it, inserted] = pending_.try_emplace(sseq, PendingAck{dseq, now_ns});
  if (!inserted) it->second.delivered_ns = now_ns;
  if (pending_check_due_ns_ == 0) pending_check_due_ns_ = now_ns + AckWaitNs() + kAckWaitDelayNs;
}

void Consumer::MaybeSendFlowControl(int64_t size) {
  if (!fc_outstanding_.empty()) {
    // Bytes beyond a whole window past the request count as answered by it.
    if (fc_pending_bytes_ - fc_outstanding_bytes_ >= fc_window_bytes_) {
      fc_outstanding_bytes_ += size;
    }
    return;
  }
  if (fc_pending_bytes_ <= fc_window_bytes_ / 2) return;
  fc_outstanding_ =
      absl::StrCat(kFlowControlPrefix, setup_.stream, ".", setup_.name, ".", ++fc_counter_);
  fc_outstanding_bytes_ = fc_pending_bytes_;
  output_->Status(setup_.config.deliver_subject(), fc_outstanding_,
                  StatusHeaders("100 FlowControl Request"));
}

void Consumer::OnFlowControlReply(std::string_view subject, int64_t now_ns) {
  if (fc_outstanding_.empty() || subject != fc_outstanding_) return;
  if (fc_window_bytes_ < fc_limit_bytes_) {
    fc_window_bytes_ = std::min(fc_window_bytes_ * 2, fc_limit_bytes_);
  }
  fc_pending_bytes_ = std::max<int64_t>(0, fc_pending_bytes_ - fc_outstanding_bytes_);
  fc_outstanding_.clear();
  fc_outstanding_bytes_ = 0;
  Run(now_ns);
}

void Consumer::OnStreamAppended(int64_t now_ns) { Run(now_ns); }

void Consumer::OnPurged(uint64_t start, uint64_t stream_last_seq, bool wider, int64_t now_ns) {
  if (start == 0 && !wider) start = stream_last_seq + 1;
  next_sseq_ = std::max(next_sseq_, start);
  while (!skip_list_.empty() && skip_list_.front() < next_sseq_) skip_list_.pop_front();
  if (skip_list_.empty()) {
    next_sseq_ = std::max(next_sseq_, skip_resume_seq_ + 1);
  } else {
    next_sseq_ = skip_list_.front();
  }
  floor_purged_ = true;
  if (ack_sseq_ < start) {
    ack_sseq_ = start - 1;
    for (auto it = pending_.begin(); it != pending_.end() && it->first <= ack_sseq_;) {
      ack_dseq_ = std::max(ack_dseq_, it->second.consumer_seq);
      redelivered_.erase(it->first);
      it = pending_.erase(it);
    }
    next_dseq_ = std::max(next_dseq_, ack_dseq_ + 1);
  }
  std::deque<uint64_t> queued;
  queued.swap(redeliver_queue_);
  on_redeliver_queue_.clear();
  for (uint64_t seq : queued) {
    if (seq >= next_sseq_ && pending_.count(seq) > 0) AddToRedeliverQueue(seq);
  }
  output_->RecordState(State());
  Run(now_ns);
}

void Consumer::OnRemoved(uint64_t first, uint64_t last, int64_t now_ns) {
  if (setup_.config.ack_policy() != v1::ACK_EXPLICIT || first > last) return;
  std::vector<uint64_t> gone;
  for (auto it = pending_.lower_bound(first); it != pending_.end() && it->first <= last; ++it) {
    gone.push_back(it->first);
  }
  if (gone.empty()) return;
  for (uint64_t sseq : gone) ProcessAck(sseq, 0, false);
  Run(now_ns);
}

void Consumer::OnDeliveryInterest(bool has_interest, int64_t now_ns) {
  if (!is_push()) return;
  const bool was = active_;
  active_ = has_interest;
  if (!has_interest && was) inactive_since_ns_ = now_ns;
  if (has_interest && !was) Run(now_ns);
}

// --- Acks ------------------------------------------------------------------

void Consumer::OnAck(const AckSubject& ack, const AckBody& body, std::string_view reply,
                     int64_t now_ns) {
  const uint64_t sseq = ack.stream_seq;
  const uint64_t dseq = ack.consumer_seq;
  bool skip_reply = sseq == 0;
  switch (body.kind) {
    case AckKind::kAck:
      ProcessAck(sseq, dseq, true);
      break;
    case AckKind::kNext:
      ProcessAck(sseq, dseq, true);
      OnPullRequest(reply, body.next_request, now_ns);
      skip_reply = true;
      break;
    case AckKind::kNak:
      ProcessNak(sseq, dseq, ack.delivered, body, now_ns);
      break;
    case AckKind::kProgress:
      ProgressUpdate(sseq, now_ns);
      break;
    case AckKind::kTerm:
      ProcessTerm(sseq, dseq, ack.delivered, body.term_reason);
      break;
    case AckKind::kUnknown:
      break;
  }
  last_ack_at_ns_ = now_ns;
  if (!reply.empty() && !skip_reply) output_->AckReply(reply);
  Run(now_ns);
}

void Consumer::ProcessAck(uint64_t sseq, uint64_t dseq, bool) {
  uint64_t acked_first = 0;
  switch (setup_.config.ack_policy()) {
    case v1::ACK_EXPLICIT: {
      auto next = pending_.end();  // After sseq, once known.
      if (auto it = pending_.find(sseq); it != pending_.end()) {
        dseq = it->second.consumer_seq;
        next = pending_.erase(it);
      }
      acked_first = sseq;
      if (pending_.empty()) {
        ack_dseq_ = next_dseq_ - 1;
        ack_sseq_ = next_sseq_ - 1;
      } else if (dseq == ack_dseq_ + 1) {
        ack_dseq_ = dseq;
        ack_sseq_ = sseq;
        // The floor rises to just below the oldest still pending.
        if (next == pending_.end()) next = pending_.upper_bound(sseq);
        if (next != pending_.end() && next->first < next_sseq_ && next->second.consumer_seq > 0) {
          ack_dseq_ = next->second.consumer_seq - 1;
          ack_sseq_ = next->first - 1;
        }
      }
      redelivered_.erase(sseq);
      RemoveFromRedeliverQueue(sseq);
      break;
    }
    case v1::ACK_ALL: {
      if (dseq <= ack_dseq_ || sseq <= ack_sseq_) return;
      acked_first = ack_sseq_ + 1;
      ack_dseq_ = dseq;
      ack_sseq_ = sseq;
      pending_.erase(pending_.begin(), pending_.upper_bound(sseq));
      redelivered_.erase(redelivered_.begin(), redelivered_.upper_bound(sseq));
      for (auto it = redeliver_queue_.begin(); it != redeliver_queue_.end();) {
        if (*it <= sseq) {
          on_redeliver_queue_.erase(*it);
          it = redeliver_queue_.erase(it);
        } else {
          ++it;
        }
      }
      break;
    }
    default:
      return;
  }
  output_->RecordAcked(sseq, SequencePair{ack_dseq_, ack_sseq_});
  if (acked_first != 0 && setup_.retention != v1::RETENTION_LIMITS) {
    output_->Acknowledged(acked_first, sseq);
  }
}

void Consumer::ProcessNak(uint64_t sseq, uint64_t dseq, uint64_t deliveries, const AckBody& body,
                          int64_t now_ns) {
  if (dseq <= ack_dseq_ || dseq > next_dseq_) return;
  // Only a message still pending (nats-server 2.10; 2.9 took any when none
  // was pending, and redelivered messages already acknowledged).
  if (!pending_.count(sseq)) return;
  output_->SendAdvisory({ConsumerOutput::AdvisoryKind::kNak, sseq, dseq, deliveries, {}});
  if (body.nak_delay.has_value()) {
    RemoveFromRedeliverQueue(sseq);
    if (auto it = pending_.find(sseq); it != pending_.end()) {
      it->second.delivered_ns = now_ns - AckWaitNs() + *body.nak_delay;
      output_->RecordDelivered(it->second.consumer_seq, sseq, deliveries, it->second.delivered_ns);
      // Sooner, never later: a check already due stays due.
      const int64_t recheck = now_ns + kNakRecheckNs;
      if (pending_check_due_ns_ == 0 || recheck < pending_check_due_ns_) {
        pending_check_due_ns_ = recheck;
      }
    }
    return;
  }
  AddToRedeliverQueue(sseq);
}

void Consumer::ProcessTerm(uint64_t sseq, uint64_t dseq, uint64_t deliveries,
                           std::string_view reason) {
  ProcessAck(sseq, dseq, false);
  output_->SendAdvisory(
      {ConsumerOutput::AdvisoryKind::kTerminated, sseq, dseq, deliveries, reason});
}

void Consumer::ProgressUpdate(uint64_t sseq, int64_t now_ns) {
  if (auto it = pending_.find(sseq); it != pending_.end()) {
    it->second.delivered_ns = now_ns;
    output_->RecordDelivered(it->second.consumer_seq, sseq, 1, now_ns);
  }
}

void Consumer::AddToRedeliverQueue(uint64_t sseq) {
  if (on_redeliver_queue_.insert(sseq).second) redeliver_queue_.push_back(sseq);
}

bool Consumer::RemoveFromRedeliverQueue(uint64_t sseq) {
  if (on_redeliver_queue_.erase(sseq) == 0) return false;
  redeliver_queue_.erase(std::find(redeliver_queue_.begin(), redeliver_queue_.end(), sseq));
  return true;
}

// --- Redelivery --------------------------------------------------------------

void Consumer::CheckPending(int64_t now_ns) {
  pending_check_due_ns_ = 0;
  if (pending_.empty()) return;
  const auto& backoff = setup_.config.backoff_ns();
  int64_t next = AckWaitNs();
  if (!backoff.empty()) next = backoff[backoff.size() - 1];
  const uint64_t first = source_->FirstSeq();
  std::vector<uint64_t> expired;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const uint64_t seq = it->first;
    if (seq < first) {
      redelivered_.erase(seq);
      RemoveFromRedeliverQueue(seq);
      it = pending_.erase(it);
      continue;
    }
    const int64_t elapsed = now_ns - it->second.delivered_ns;
    int64_t deadline = AckWaitNs();
    if (!backoff.empty()) {
      auto rdc = redelivered_.find(seq);
      size_t dc = rdc == redelivered_.end() ? 0 : static_cast<size_t>(rdc->second);
      size_t next_index = dc + 1;
      if (dc + 1 >= static_cast<size_t>(backoff.size())) {
        dc = backoff.size() - 1;
        next_index = dc;
      }
      deadline = backoff[dc];
      next = std::min<int64_t>(next, backoff[next_index]);
    }
    if (elapsed >= deadline) {
      if (!on_redeliver_queue_.count(seq)) expired.push_back(seq);
    } else if (deadline - elapsed < next) {
      next = deadline - elapsed;
    }
    ++it;
  }
  if (!expired.empty()) {
    // Redelivered in order; their times move by the same offset so that
    // their relative order survives the next check.
    const int64_t offset = now_ns - pending_[expired.front()].delivered_ns;
    for (uint64_t seq : expired) {
      AddToRedeliverQueue(seq);
      pending_[seq].delivered_ns += offset;
    }
  }
  if (!pending_.empty())
    pending_check_due_ns_ = now_ns + std::max<int64_t>(next, 0) + kAckWaitDelayNs;
}

// --- Pull requests -----------------------------------------------------------

void Consumer::OnPullRequest(std::string_view reply, std::string_view body, int64_t now_ns) {
  if (reply.empty()) return;
  const std::string reply_subject(reply);
  if (is_push()) {
    output_->Status(reply, "", StatusHeaders("409 Consumer is push based"));
    return;
  }
  absl::StatusOr<PullRequest> parsed = ParsePullRequest(body);
  if (!parsed.ok()) {
    output_->Status(reply, "",
                    StatusHeaders(absl::StrCat("400 Bad Request - ", parsed.status().message())));
    return;
  }
  PullRequest request = *parsed;
  const v1::ConsumerConfig& cfg = setup_.config;
  if (cfg.max_batch() > 0 && request.batch > cfg.max_batch()) {
    output_->Status(
        reply, "",
        StatusHeaders(absl::StrCat("409 Exceeded MaxRequestBatch of ", cfg.max_batch())));
    return;
  }
  if (request.expires_ns > 0 && cfg.max_expires_ns() > 0 &&
      request.expires_ns > cfg.max_expires_ns()) {
    output_->Status(reply, "",
                    StatusHeaders(absl::StrCat("409 Exceeded MaxRequestExpires of ",
                                               common::FormatGoDuration(cfg.max_expires_ns()))));
    return;
  }
  if (request.max_bytes > 0 && cfg.max_bytes() > 0 && request.max_bytes > cfg.max_bytes()) {
    output_->Status(
        reply, "",
        StatusHeaders(absl::StrCat("409 Exceeded MaxRequestMaxBytes of ", cfg.max_bytes())));
    return;
  }
  const size_t max_waiting = static_cast<size_t>(std::max<int64_t>(cfg.max_waiting(), 0));
  if (waiting_.size() >= max_waiting) ProcessWaiting(false, now_ns);
  if (request.no_wait) {
    const uint64_t msgs_pending = NumPending() + redeliver_queue_.size();
    if (msgs_pending == 0 && request.expires_ns == 0) {
      last_request_ns_ = now_ns;
      output_->Status(reply, "", StatusHeaders("404 No Messages"));
      return;
    }
    if (msgs_pending > 0) {
      const int64_t batch_pending = ProcessWaiting(false, now_ns);
      if (msgs_pending < static_cast<uint64_t>(batch_pending)) {
        last_request_ns_ = now_ns;
        output_->Status(reply, "", StatusHeaders("408 Requests Pending"));
        return;
      }
    }
  }
  if (waiting_.size() >= max_waiting) {
    output_->Status(reply, "", StatusHeaders("409 Exceeded MaxWaiting"));
    return;
  }
  Waiting w;
  w.reply = reply_subject;
  w.left = std::max<int64_t>(request.batch, 1);
  w.bytes_left = request.max_bytes;
  w.expires_ns = request.expires_ns > 0 ? now_ns + request.expires_ns : 0;
  w.no_wait = request.no_wait;
  w.heartbeat_ns = request.heartbeat_ns;
  if (w.heartbeat_ns > 0) w.heartbeat_due_ns = now_ns + w.heartbeat_ns;
  AddWaiting(std::move(w));
  last_request_ns_ = now_ns;
  Run(now_ns);
}

void Consumer::AddWaiting(Waiting w) {
  output_->RequestWaiting(w.reply, true);
  waiting_.push_back(std::move(w));
}

void Consumer::PopWaiting() {
  output_->RequestWaiting(waiting_.front().reply, false);
  waiting_.pop_front();
}

std::deque<Consumer::Waiting>::iterator Consumer::EraseWaiting(std::deque<Waiting>::iterator it) {
  output_->RequestWaiting(it->reply, false);
  return waiting_.erase(it);
}

void Consumer::OnReplyInterestLost(std::string_view reply, int64_t) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    it = it->reply == reply ? EraseWaiting(it) : std::next(it);
  }
}

void Consumer::ReleasePullRequests() {
  while (!waiting_.empty()) {
    output_->Status(waiting_.front().reply, "", StatusHeaders("409 Consumer Deleted"));
    PopWaiting();
  }
}

void Consumer::SendPullStatus(const std::string& reply, absl::string_view status,
                              const Waiting* w) {
  output_->Status(reply, "", PendingHeaders(status, w->left, w->bytes_left));
}

Consumer::Waiting* Consumer::NextWaiting(int64_t size, int64_t now_ns) {
  while (!waiting_.empty()) {
    Waiting& w = waiting_.front();
    if (w.bytes_left > 0) {
      if (size <= w.bytes_left) {
        w.bytes_left -= size;
        if (w.bytes_left == 0) w.left = 1;
      } else {
        SendPullStatus(w.reply, "409 Message Size Exceeds MaxBytes", &w);
        PopWaiting();
        continue;
      }
    }
    if (w.expires_ns == 0 || now_ns < w.expires_ns) return &w;
    PopWaiting();
  }
  return nullptr;
}

int64_t Consumer::ProcessWaiting(bool end_of_stream, int64_t now_ns) {
  int64_t wanted = 0;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    Waiting& w = *it;
    if ((end_of_stream && w.no_wait && w.delivered > 0) ||
        (w.expires_ns != 0 && now_ns >= w.expires_ns)) {
      SendPullStatus(w.reply, "408 Request Timeout", &w);
      it = EraseWaiting(it);
      continue;
    }
    wanted += w.left;
    if (w.heartbeat_ns > 0 && now_ns >= w.heartbeat_due_ns) {
      SendIdleHeartbeat(w.reply);
      w.heartbeat_due_ns = now_ns + w.heartbeat_ns;
    }
    ++it;
  }
  return wanted;
}

void Consumer::SendIdleHeartbeat(std::string_view subject) {
  std::string headers =
      absl::StrCat("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ", next_dseq_ - 1,
                   "\r\nNats-Last-Stream: ", next_sseq_ - 1, "\r\n");
  if (!fc_outstanding_.empty()) {
    absl::StrAppend(&headers, "Nats-Consumer-Stalled: ", fc_outstanding_, "\r\n");
  }
  headers.append("\r\n");
  output_->Status(subject, "", headers);
}

// --- Timers ------------------------------------------------------------------

void Consumer::Tick(int64_t now_ns) {
  if (pending_check_due_ns_ != 0 && now_ns >= pending_check_due_ns_) CheckPending(now_ns);
  if (!is_push()) ProcessWaiting(false, now_ns);
  if (is_push() && heartbeat_due_ns_ != 0 && now_ns >= heartbeat_due_ns_) {
    if (active_) SendIdleHeartbeat(setup_.config.deliver_subject());
    heartbeat_due_ns_ = now_ns + setup_.config.idle_heartbeat_ns();
  }
  Run(now_ns);
}

int64_t Consumer::NextDueNs() const {
  int64_t due = 0;
  auto earliest = [&due](int64_t t) {
    if (t != 0 && (due == 0 || t < due)) due = t;
  };
  earliest(pending_check_due_ns_);
  earliest(heartbeat_due_ns_);
  earliest(not_before_ns_);
  for (const Waiting& w : waiting_) {
    earliest(w.expires_ns);
    if (w.heartbeat_ns > 0) earliest(w.heartbeat_due_ns);
  }
  const int64_t threshold = setup_.config.inactive_threshold_ns();
  if (threshold > 0) {
    if (is_push()) {
      if (!active_) earliest(inactive_since_ns_ + threshold);
    } else if (waiting_.empty()) {
      earliest(last_request_ns_ + threshold);
    }
  }
  return due;
}

bool Consumer::Expired(int64_t now_ns) const {
  const int64_t threshold = setup_.config.inactive_threshold_ns();
  if (threshold <= 0) return false;
  if (is_push()) return !active_ && now_ns - inactive_since_ns_ > threshold;
  return waiting_.empty() && now_ns - last_request_ns_ > threshold;
}

// --- State -------------------------------------------------------------------

v1::ConsumerInfo Consumer::Info(int64_t now_ns) {
  if (!is_push()) ProcessWaiting(false, now_ns);
  v1::ConsumerInfo info;
  info.set_stream_name(setup_.stream);
  info.set_name(setup_.name);
  info.set_created_ns(setup_.created_ns);
  *info.mutable_config() = setup_.config;
  info.mutable_delivered()->set_consumer_seq(next_dseq_ - 1);
  info.mutable_delivered()->set_stream_seq(next_sseq_ - 1);
  if (last_delivered_at_ns_ != 0) {
    info.mutable_delivered()->set_last_active_ns(last_delivered_at_ns_);
  }
  info.mutable_ack_floor()->set_consumer_seq(ack_dseq_);
  info.mutable_ack_floor()->set_stream_seq(ack_dseq_ > 0 || floor_purged_ ? ack_sseq_ : 0);
  if (last_ack_at_ns_ != 0) info.mutable_ack_floor()->set_last_active_ns(last_ack_at_ns_);
  info.set_num_ack_pending(static_cast<int64_t>(pending_.size()));
  info.set_num_redelivered(static_cast<int64_t>(redelivered_.size()));
  info.set_num_waiting(is_push() ? 0 : static_cast<int64_t>(waiting_.size()));
  info.set_num_pending(NumPending());
  info.set_push_bound(is_push() && active_);
  info.set_ts_ns(now_ns);
  return info;
}

ConsumerState Consumer::State() const {
  ConsumerState state;
  state.delivered = {next_dseq_ - 1, next_sseq_ - 1};
  state.ack_floor = {ack_dseq_, ack_sseq_};
  state.pending = pending_;
  state.redelivered = redelivered_;
  return state;
}

}  // namespace jsengine::consumersvc
