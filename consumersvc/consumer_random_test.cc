// A random test of Consumer: seeded runs of thousands of random steps
// (publishes, pull requests, acks of every kind, interest changes, restarts
// from State(), clock advances past the ack wait) checked after every step
// against RandomRun's model of the consumer: what it has delivered, what is
// outstanding, the ack floor, the pull requests and when redeliveries are
// allowed and due. A failure names its seed, step and the steps before it.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "consumersvc/ack.h"
#include "consumersvc/consumer.h"
#include "consumersvc/consumer_config.h"
#include "consumersvc/consumer_test_util.h"
#include "gtest/gtest.h"

namespace jsengine::consumersvc {
namespace {

// A redelivery is due this long after its deadline at the latest: the
// consumer checks its pending messages a millisecond late, and 10 ms after
// a nak with a delay.
constexpr int64_t kRedeliverySlackNs = 20 * kMs;
constexpr size_t kMaxLiveRequests = 30;
constexpr size_t kHistory = 40;

// One run's consumer configuration, drawn from its seed.
struct RunConfig {
  bool pull = true;
  v1::AckPolicy ack_policy = v1::ACK_EXPLICIT;
  int64_t max_deliver = -1;
  int64_t max_ack_pending = 0;  // 0: the default.
  int64_t ack_wait_ns = kSec;
  std::vector<std::string> filter;

  std::string ToString() const {
    return absl::StrCat(pull ? "pull" : "push", " ack=", v1::AckPolicy_Name(ack_policy),
                        " max_deliver=", max_deliver, " max_ack_pending=", max_ack_pending,
                        " ack_wait=", ack_wait_ns / kMs, "ms filter=[", absl::StrJoin(filter, ","),
                        "]");
  }
};

// The model's view of a stream message the filter matches.
struct ModelMessage {
  enum State { kNew, kOutstanding, kDone, kGivenUp };
  State state = kNew;
  uint64_t deliveries = 0;
  uint64_t first_dseq = 0;
  std::string last_reply;
  // Whether the consumer still counts it in num_redelivered.
  bool counted_redelivered = false;
  // No redelivery before `not_before_ns`; one (or the max_deliver advisory)
  // by `due_ns` whenever the consumer can deliver.
  int64_t not_before_ns = 0;
  int64_t due_ns = 0;
};

struct ModelRequest {
  std::string reply;
  int64_t left = 1;
  int64_t expires_ns = 0;  // 0: never.
  bool no_wait = false;
  int64_t delivered = 0;
  bool open = true;
};

class RandomRun {
 public:
  explicit RandomRun(uint64_t seed) : seed_(seed), rng_(seed) {
    config_.pull = Chance(70);
    const int policy = Uniform(0, 9);
    config_.ack_policy = policy < 7 ? v1::ACK_EXPLICIT : policy < 9 ? v1::ACK_ALL : v1::ACK_NONE;
    if (tracks_acks()) {
      if (Chance(60)) config_.max_deliver = Uniform(1, 4);
      if (Chance(60)) config_.max_ack_pending = Uniform(1, 8);
      config_.ack_wait_ns = Uniform(1, 3) * kSec;
    }
    const int filter = Uniform(0, 2);
    if (filter == 1) config_.filter = {"s.a"};
    if (filter == 2) config_.filter = {"s.a", "s.b"};
    MakeConsumer(nullptr);
  }

  // Runs `steps` random steps, then drains: every message must end acked,
  // termed or given up. Stops at the first broken invariant.
  void Run(int steps) {
    for (step_ = 0; step_ < steps && !failed_; ++step_) Step();
    if (!failed_) Drain();
  }

 private:
  bool tracks_acks() const { return config_.ack_policy != v1::ACK_NONE; }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  void Note(std::string what) {
    history_.push_back(absl::StrCat("[", step_, " t=", (now_ - kT0) / kMs, "ms] ", what));
    if (history_.size() > kHistory) history_.pop_front();
  }

  void Fail(const std::string& what) {
    if (failed_) return;
    failed_ = true;
    ADD_FAILURE() << "seed " << seed_ << " (" << config_.ToString() << ") step " << step_ << ": "
                  << what << "\nlast steps:\n"
                  << absl::StrJoin(history_, "\n") << "\npending: " << PendingForDebug();
  }

  // The consumer's pending messages as "<seq>@<delivered ms>".
  std::string PendingForDebug() const {
    std::vector<std::string> out;
    for (const auto& [seq, p] : consumer_->State().pending) {
      out.push_back(absl::StrCat(seq, "@", (p.delivered_ns - kT0) / kMs));
    }
    return absl::StrJoin(out, " ");
  }

  void MakeConsumer(const ConsumerState* restored) {
    v1::StreamConfig stream;
    stream.set_name("S");
    stream.add_subjects("s.>");
    v1::ConsumerConfig config;
    config.set_durable_name("C");
    if (!config_.pull) config.set_deliver_subject("deliver");
    config.set_ack_policy(config_.ack_policy);
    config.set_max_deliver(config_.max_deliver);
    config.set_max_ack_pending(config_.max_ack_pending);
    if (tracks_acks()) config.set_ack_wait_ns(config_.ack_wait_ns);
    if (config_.filter.size() == 1) config.set_filter_subject(config_.filter[0]);
    if (config_.filter.size() > 1) {
      for (const std::string& f : config_.filter) config.add_filter_subjects(f);
    }
    auto checked = CheckConsumerConfig(config, stream, ConsumerLimits{});
    ASSERT_TRUE(checked.ok()) << checked.status();
    max_ack_pending_ = tracks_acks() ? checked->max_ack_pending() : 0;
    Consumer::Setup setup;
    setup.stream = "S";
    setup.name = "C";
    setup.config = *checked;
    setup.start_seq = 1;
    setup.restored = restored;
    consumer_ = std::make_unique<Consumer>(std::move(setup), &source_, &out_);
    filter_ = SubjectFilter::Of(*checked);
    consumer_->Start(now_);
    Absorb();
  }

  // --- Steps -------------------------------------------------------------------

  void Step() {
    const int op = static_cast<int>(Uniform(0, 99));
    if (op < 12) {
      Publish(static_cast<int>(Uniform(1, 3)));
    } else if (op < 24) {
      if (config_.pull) {
        PullRequest();
      } else {
        interest_ = !interest_;
        Note(absl::StrCat("interest ", interest_));
        consumer_->OnDeliveryInterest(interest_, now_);
      }
    } else if (op < 44) {
      AckSomething("+ACK");
    } else if (op < 50) {
      AckSomething(Chance(50) ? "-NAK"
                              : absl::StrCat("-NAK {\"delay\":", Uniform(0, 2000) * kMs, "}"));
    } else if (op < 53) {
      AckSomething("+TERM");
    } else if (op < 57) {
      AckSomething("+WPI");
    } else if (op < 59) {
      if (config_.pull) AckSomething(absl::StrCat("+NXT ", Uniform(1, 3)));
    } else if (op < 61) {
      if (config_.pull) LoseInterestInARequest();
    } else if (op < 62) {
      Restart();
    } else if (op < 80) {
      Advance(Uniform(1, 200) * kMs);
    } else if (op < 85) {
      // An owner busy elsewhere: its timers fire only after the next step.
      now_ += Uniform(1, 2 * config_.ack_wait_ns / kMs) * kMs;
      Note("clock moved, no tick");
      return;
    } else {
      Advance(config_.ack_wait_ns + Uniform(0, 100) * kMs);
    }
    TickDue();
    Check();
  }

  // Ticks while the consumer is due, as its owner does.
  void TickDue() {
    Absorb();
    while (!failed_ && consumer_->NextDueNs() != 0 && consumer_->NextDueNs() <= now_) {
      const int64_t due = consumer_->NextDueNs();
      consumer_->Tick(now_);
      Absorb();
      CheckProgress();
      if (consumer_->NextDueNs() == due) return Fail("NextDueNs did not move after Tick");
    }
  }

  void Publish(int n) {
    std::vector<std::string> subjects;
    for (int i = 0; i < n; ++i) {
      static const char* const kSubjects[] = {"s.a", "s.b", "s.c"};
      const std::string subject = kSubjects[Uniform(0, 2)];
      const uint64_t seq = source_.Add(subject);
      subjects.push_back(absl::StrCat(seq, ":", subject));
      if (filter_.Matches(subject)) {
        messages_[seq];
        new_.insert(seq);
      }
    }
    Note(absl::StrCat("publish ", absl::StrJoin(subjects, " ")));
    consumer_->OnStreamAppended(now_);
  }

  void PullRequest() {
    if (LiveRequests() >= kMaxLiveRequests) return;
    ModelRequest r;
    r.reply = absl::StrCat("_INBOX.", ++inbox_);
    r.left = Chance(80) ? Uniform(1, 4) : 10;
    r.no_wait = Chance(20);
    int64_t expires = 0;
    if (Chance(60)) expires = Uniform(50, 2 * config_.ack_wait_ns / kMs) * kMs;
    r.expires_ns = expires > 0 ? now_ + expires : 0;
    const std::string body =
        absl::StrCat("{\"batch\":", r.left, r.no_wait ? ",\"no_wait\":true" : "",
                     expires > 0 ? absl::StrCat(",\"expires\":", expires) : "", "}");
    Note(absl::StrCat("pull ", r.reply, " ", body));
    requests_[r.reply] = r;
    consumer_->OnPullRequest(r.reply, body, now_);
  }

  void LoseInterestInARequest() {
    std::vector<ModelRequest*> open;
    for (auto& [reply, r] : requests_) {
      if (r.open) open.push_back(&r);
    }
    if (open.empty()) return;
    ModelRequest* r = open[Uniform(0, static_cast<int64_t>(open.size()) - 1)];
    Note(absl::StrCat("interest lost ", r->reply));
    r->open = false;
    consumer_->OnReplyInterestLost(r->reply, now_);
  }

  // Sends `body` to the ack subject of a delivery: mostly the latest one of
  // an outstanding message, otherwise one of the last 20 (a late or
  // duplicate ack, as a slow or second client sends).
  void AckSomething(const std::string& body) {
    if (log_.empty()) return;
    std::string reply;
    if (!outstanding_.empty() && Chance(75)) {
      auto it = outstanding_.begin();
      std::advance(it, Uniform(0, static_cast<int64_t>(outstanding_.size()) - 1));
      reply = messages_[*it].last_reply;
    } else {
      const int64_t back = std::min<int64_t>(static_cast<int64_t>(log_.size()), 20);
      reply = log_[log_.size() - 1 - static_cast<size_t>(Uniform(0, back - 1))];
    }
    auto ack = ParseAckSubject(reply);
    if (!ack.ok()) return Fail(absl::StrCat("bad ack subject ", reply));
    const AckBody parsed = ParseAckBody(body);
    std::string next_reply;
    if (parsed.kind == AckKind::kNext) {
      next_reply = absl::StrCat("_INBOX.", ++inbox_);
      ModelRequest r;
      r.reply = next_reply;
      r.left = std::stoll(body.substr(5));
      requests_[r.reply] = r;
    }
    Note(absl::StrCat(body, " ", reply, next_reply.empty() ? "" : " reply ", next_reply));
    ModelAck(*ack, parsed);
    consumer_->OnAck(*ack, parsed, next_reply, now_);
  }

  void Restart() {
    restored_ = consumer_->State();
    Note("restart");
    for (auto& [reply, r] : requests_) r.open = false;
    out_.waiting_requests.clear();  // A restarted service watches nothing.
    interest_ = false;
    for (uint64_t seq : outstanding_) {
      ModelMessage& m = messages_[seq];
      auto p = restored_.pending.find(seq);
      if (p == restored_.pending.end()) return Fail(absl::StrCat(seq, " not pending in State()"));
      m.due_ns =
          std::max(m.due_ns, p->second.delivered_ns + config_.ack_wait_ns + kRedeliverySlackNs);
    }
    // Counts below the ack floor are not restored.
    for (auto& [seq, m] : messages_) {
      if (seq < floor_.stream_seq) m.counted_redelivered = false;
    }
    MakeConsumer(&restored_);
  }

  // Moves the clock on by `ns`, ticking the consumer whenever it is due.
  void Advance(int64_t ns) {
    Note(absl::StrCat("advance ", ns / kMs, "ms"));
    const int64_t until = now_ + ns;
    for (;;) {
      const int64_t due = consumer_->NextDueNs();
      if (due == 0 || due > until || failed_) break;
      now_ = std::max(now_, due);
      consumer_->Tick(now_);
      Absorb();
      CheckProgress();
      if (consumer_->NextDueNs() == due) return Fail("NextDueNs did not move after Tick");
    }
    now_ = until;
  }

  // Takes everything until there is nothing left to deliver, ack or redeliver.
  void Drain() {
    Note("drain");
    for (int round = 0; round < 100 && !failed_; ++round) {
      if (new_.empty() && outstanding_.empty()) break;
      if (config_.pull) {
        if (LiveRequests() == 0) {
          ModelRequest r;
          r.reply = absl::StrCat("_INBOX.", ++inbox_);
          r.left = 1000;
          requests_[r.reply] = r;
          consumer_->OnPullRequest(r.reply, "1000", now_);
        }
      } else if (!interest_) {
        interest_ = true;
        consumer_->OnDeliveryInterest(true, now_);
      }
      Absorb();
      // Acks each delivery once, and those the acks let through. Ack-all
      // ignores acks at or below its floor's consumer sequence: what stays
      // outstanding is acked after its redelivery.
      std::set<std::string> acked;
      for (bool more = true; more && !failed_;) {
        more = false;
        const std::vector<uint64_t> outstanding(outstanding_.begin(), outstanding_.end());
        for (uint64_t seq : outstanding) {
          const std::string reply = messages_[seq].last_reply;
          if (failed_ || !outstanding_.count(seq) || !acked.insert(reply).second) continue;
          more = true;
          auto ack = ParseAckSubject(reply);
          ModelAck(*ack, ParseAckBody("+ACK"));
          consumer_->OnAck(*ack, ParseAckBody("+ACK"), "", now_);
          Absorb();
        }
      }
      Check();
      Advance(config_.ack_wait_ns + 100 * kMs);
    }
    if (failed_) return;
    if (!new_.empty() || !outstanding_.empty()) {
      return Fail(absl::StrCat("drain left ", new_.size(), " undelivered and ", outstanding_.size(),
                               " outstanding"));
    }
    for (const auto& [seq, m] : messages_) {
      if (m.deliveries == 0) return Fail(absl::StrCat(seq, " never delivered"));
    }
    Check();
    // Every message is below the floor, unless one was given up on: that
    // leaves the floor below it until an ack finds nothing outstanding.
    // The floor moves on acks only, not over later messages the filter
    // skips; ack-all's takes the consumer sequence of the delivery acked.
    bool gave_up = false;
    for (const auto& [seq, m] : messages_) gave_up = gave_up || m.state == ModelMessage::kGivenUp;
    if (!tracks_acks() || gave_up || messages_.empty()) return;
    const v1::ConsumerInfo info = consumer_->Info(now_);
    if (info.ack_floor().stream_seq() < messages_.rbegin()->first ||
        (config_.ack_policy == v1::ACK_EXPLICIT &&
         info.ack_floor().consumer_seq() != info.delivered().consumer_seq())) {
      Fail(absl::StrCat("drained, yet the ack floor ", info.ack_floor().ShortDebugString(),
                        " is below delivered ", info.delivered().ShortDebugString()));
    }
  }

  // --- The model ----------------------------------------------------------------

  // An ack body's effect, before the consumer takes it. The ack floor moves
  // as nats-server's processAckMsg moves it: to everything delivered when
  // nothing stays outstanding, else, when the ack is for the delivery just
  // above the floor, to just below the lowest outstanding message above.
  void ModelAck(const AckSubject& ack, const AckBody& body) {
    auto it = messages_.find(ack.stream_seq);
    if (it == messages_.end()) return Fail("ack for a message never delivered");
    ModelMessage& m = it->second;
    switch (body.kind) {
      case AckKind::kAck:
      case AckKind::kNext:
      case AckKind::kTerm:
        break;
      case AckKind::kNak:
        // nats-server's processNak takes naks above the floor only.
        if (ack.consumer_seq <= floor_.consumer_seq || ack.consumer_seq > last_dseq_) return;
        if (m.state == ModelMessage::kOutstanding) {
          const int64_t delay = std::max<int64_t>(body.nak_delay.value_or(0), 0);
          m.not_before_ns = body.nak_delay.has_value() ? now_ + *body.nak_delay : now_;
          m.due_ns = now_ + delay + kRedeliverySlackNs;
        }
        return;
      case AckKind::kProgress:
        if (m.state == ModelMessage::kOutstanding) {
          if (m.not_before_ns > now_) m.not_before_ns = now_ + config_.ack_wait_ns;
          m.due_ns = std::max(m.due_ns, now_ + config_.ack_wait_ns + kRedeliverySlackNs);
        }
        return;
      case AckKind::kUnknown:
        return;
    }
    if (config_.ack_policy == v1::ACK_EXPLICIT) {
      uint64_t dseq = ack.consumer_seq;
      if (m.state == ModelMessage::kOutstanding) dseq = m.first_dseq;
      if (m.state != ModelMessage::kDone) Resolve(ack.stream_seq);
      m.counted_redelivered = false;
      if (outstanding_.empty()) {
        floor_ = consumer_->State().delivered;
      } else if (dseq == floor_.consumer_seq + 1) {
        floor_ = {dseq, ack.stream_seq};
        auto above = outstanding_.upper_bound(ack.stream_seq);
        if (above != outstanding_.end()) {
          floor_ = {messages_[*above].first_dseq - 1, *above - 1};
        }
      }
    } else if (config_.ack_policy == v1::ACK_ALL) {
      if (ack.consumer_seq <= floor_.consumer_seq || ack.stream_seq <= floor_.stream_seq) return;
      floor_ = {ack.consumer_seq, ack.stream_seq};
      for (auto i = messages_.begin(); i != messages_.end() && i->first <= ack.stream_seq; ++i) {
        if (i->second.state == ModelMessage::kOutstanding ||
            i->second.state == ModelMessage::kGivenUp) {
          Resolve(i->first);
        }
        i->second.counted_redelivered = false;
      }
    }
  }

  void Resolve(uint64_t seq) {
    ModelMessage& m = messages_[seq];
    if (m.state == ModelMessage::kNew) return Fail(absl::StrCat("resolving undelivered ", seq));
    outstanding_.erase(seq);
    m.state = ModelMessage::kDone;
  }

  // Waiting requests: expired ones end with a 408, or silently when a
  // message finds them first (as nats-server's nextWaiting drops them).
  size_t LiveRequests() const {
    size_t n = 0;
    for (const auto& [reply, r] : requests_) n += Live(r);
    return n;
  }

  bool Live(const ModelRequest& r) const {
    return r.open && r.left > 0 && (r.expires_ns == 0 || now_ < r.expires_ns);
  }

  // --- What the consumer sent --------------------------------------------------

  void Absorb() {
    for (const std::string& event : out_.Take()) {
      if (failed_) return;
      std::vector<std::string> f = absl::StrSplit(event, ' ');
      if (f[0] == "msg") {
        uint64_t sseq = 0;
        uint64_t dc = 0;
        uint64_t dseq = 0;
        if (f.size() != 5 || !absl::SimpleAtoi(f[2], &sseq) ||
            !absl::SimpleAtoi(f[3].substr(3), &dc) || !absl::SimpleAtoi(f[4].substr(5), &dseq)) {
          return Fail(absl::StrCat("unreadable event ", event));
        }
        OnDelivered(f[1], sseq, dc, dseq, out_.replies[reply_cursor_++]);
      } else if (f[0] == "status") {
        const std::string line = absl::StrJoin(f.begin() + 2, f.end(), " ");
        OnStatus(f[1], line);
      } else if (f[0] == "adv" && f[1] == "max_deliveries") {
        uint64_t sseq = 0;
        uint64_t n = 0;
        if (!absl::SimpleAtoi(f[2], &sseq) || !absl::SimpleAtoi(f[3], &n)) {
          return Fail(absl::StrCat("unreadable event ", event));
        }
        OnGivenUp(sseq, n);
      } else if (f[0] != "adv" && f[0] != "ackreply") {
        Fail(absl::StrCat("unexpected ", event));
      }
    }
  }

  void OnDelivered(const std::string& subject, uint64_t sseq, uint64_t dc, uint64_t dseq,
                   const std::string& reply) {
    Note(absl::StrCat("  -> ", subject, " seq ", sseq, " dc=", dc, " dseq=", dseq));
    if (dseq != last_dseq_ + 1) {
      return Fail(absl::StrCat("consumer sequence ", dseq, " after ", last_dseq_));
    }
    last_dseq_ = dseq;
    auto it = messages_.find(sseq);
    if (it == messages_.end())
      return Fail(absl::StrCat("delivered ", sseq, " the filter does not take"));
    ModelMessage& m = it->second;
    if (m.state == ModelMessage::kDone)
      return Fail(absl::StrCat("redelivered ", sseq, " after its ack"));
    if (m.state == ModelMessage::kGivenUp) {
      return Fail(absl::StrCat("redelivered ", sseq, " after max_deliver"));
    }
    if (dc != m.deliveries + 1) {
      return Fail(absl::StrCat("delivery count ", dc, " after ", m.deliveries, " deliveries"));
    }
    if (config_.max_deliver > 0 && dc > static_cast<uint64_t>(config_.max_deliver)) {
      return Fail(absl::StrCat("delivery ", dc, " beyond max_deliver"));
    }
    if (m.state == ModelMessage::kNew) {
      if (sseq != *new_.begin()) {
        return Fail(absl::StrCat("delivered ", sseq, " before ", *new_.begin()));
      }
      if (max_ack_pending_ > 0 && outstanding_.size() >= static_cast<size_t>(max_ack_pending_)) {
        return Fail(absl::StrCat("a new message with ", outstanding_.size(), " outstanding"));
      }
      new_.erase(sseq);
      m.first_dseq = dseq;
    } else if (now_ < m.not_before_ns) {
      return Fail(
          absl::StrCat("redelivered ", sseq, " ", (m.not_before_ns - now_) / kMs, "ms early"));
    }
    auto ack = ParseAckSubject(reply);
    if (!ack.ok() || ack->stream_seq != sseq || ack->consumer_seq != dseq) {
      return Fail(absl::StrCat("ack subject ", reply));
    }
    if (ack->pending != new_.size()) {
      return Fail(absl::StrCat("ack subject pending ", ack->pending, ", expected ", new_.size()));
    }
    if (config_.pull) {
      auto r = requests_.find(subject);
      if (r == requests_.end() || !Live(r->second)) {
        return Fail(absl::StrCat("delivered to ", subject, " which is not waiting"));
      }
      ++r->second.delivered;
      if (--r->second.left == 0) r->second.open = false;
    } else if (subject != "deliver" || !interest_) {
      return Fail(absl::StrCat("delivered to ", subject, " without interest"));
    }
    m.deliveries = dc;
    m.last_reply = reply;
    if (dc > 1) m.counted_redelivered = true;
    log_.push_back(reply);
    if (tracks_acks()) {
      m.state = ModelMessage::kOutstanding;
      outstanding_.insert(sseq);
      m.not_before_ns = now_ + config_.ack_wait_ns;
      m.due_ns = m.not_before_ns + kRedeliverySlackNs;
    } else {
      m.state = ModelMessage::kDone;
      floor_ = {dseq, sseq};
    }
  }

  void OnStatus(const std::string& subject, const std::string& line) {
    Note(absl::StrCat("  -> ", subject, " ", line));
    auto it = requests_.find(subject);
    if (!config_.pull || it == requests_.end()) {
      return Fail(absl::StrCat("status ", line, " to ", subject));
    }
    ModelRequest& r = it->second;
    if (!r.open) return Fail(absl::StrCat("status ", line, " to a finished request"));
    const bool expired = r.expires_ns != 0 && now_ >= r.expires_ns;
    bool allowed = false;
    if (line == "404 No Messages") {
      allowed = r.no_wait && r.delivered == 0 && new_.empty();
    } else if (line == "408 Requests Pending") {
      allowed = r.no_wait && r.delivered == 0;
    } else if (line == "408 Request Timeout") {
      allowed = expired || (r.no_wait && r.delivered > 0);
    }
    if (!allowed) return Fail(absl::StrCat("unexpected status ", line, " to ", subject));
    r.open = false;
  }

  void OnGivenUp(uint64_t sseq, uint64_t deliveries) {
    Note(absl::StrCat("  -> max deliveries ", sseq));
    auto it = messages_.find(sseq);
    if (it == messages_.end() || it->second.state != ModelMessage::kOutstanding) {
      return Fail(absl::StrCat("max_deliver advisory for ", sseq, ", not outstanding"));
    }
    ModelMessage& m = it->second;
    if (deliveries != m.deliveries || static_cast<int64_t>(deliveries) != config_.max_deliver) {
      return Fail(absl::StrCat("max_deliver advisory after ", deliveries, " deliveries, model ",
                               m.deliveries));
    }
    if (now_ < m.not_before_ns) return Fail(absl::StrCat("gave up on ", sseq, " early"));
    m.state = ModelMessage::kGivenUp;
    m.counted_redelivered = true;
    outstanding_.erase(sseq);
  }

  // --- Invariants ---------------------------------------------------------------

  // With room to deliver, nothing deliverable waits: no new message below
  // max_ack_pending, no redelivery past its due time.
  void CheckProgress() {
    if (failed_) return;
    if (config_.pull ? LiveRequests() == 0 : !interest_) return;
    const bool below_max =
        max_ack_pending_ == 0 || outstanding_.size() < static_cast<size_t>(max_ack_pending_);
    if (!new_.empty() && below_max) {
      return Fail(absl::StrCat("idle with ", new_.size(), " new messages and room to deliver"));
    }
    for (uint64_t seq : outstanding_) {
      if (messages_[seq].due_ns <= now_) {
        return Fail(absl::StrCat("redelivery of ", seq, " overdue by ",
                                 (now_ - messages_[seq].due_ns) / kMs, "ms"));
      }
    }
  }

  void Check() {
    CheckProgress();
    if (failed_) return;
    const v1::ConsumerInfo info = consumer_->Info(now_);
    Absorb();  // Info ends expired pull requests.
    if (failed_) return;
    size_t redelivered = 0;
    for (const auto& [seq, m] : messages_) redelivered += m.counted_redelivered;
    const size_t waiting = LiveRequests();
    const uint64_t delivered_sseq = info.delivered().stream_seq();
    if (info.num_ack_pending() != static_cast<int64_t>(outstanding_.size())) {
      return Fail(absl::StrCat("num_ack_pending ", info.num_ack_pending(), ", model ",
                               outstanding_.size()));
    }
    if (info.num_pending() != new_.size()) {
      return Fail(absl::StrCat("num_pending ", info.num_pending(), ", model ", new_.size()));
    }
    if (info.num_redelivered() != static_cast<int64_t>(redelivered)) {
      return Fail(
          absl::StrCat("num_redelivered ", info.num_redelivered(), ", model ", redelivered));
    }
    if (config_.pull && info.num_waiting() != static_cast<int64_t>(waiting)) {
      return Fail(absl::StrCat("num_waiting ", info.num_waiting(), ", model ", waiting));
    }
    int64_t told_waiting = 0;  // What the output heard (RequestWaiting).
    for (const auto& [reply, n] : out_.waiting_requests) told_waiting += n;
    if (told_waiting != info.num_waiting()) {
      return Fail(absl::StrCat("the output heard of ", told_waiting, " waiting requests, info ",
                               info.num_waiting()));
    }
    if (info.delivered().consumer_seq() != last_dseq_) {
      return Fail(absl::StrCat("delivered.consumer_seq ", info.delivered().consumer_seq(),
                               ", model ", last_dseq_));
    }
    if (delivered_sseq > source_.FirstSeq() + source_.NumPending(0, SubjectFilter()) - 1 ||
        (!new_.empty() && *new_.begin() <= delivered_sseq)) {
      return Fail(absl::StrCat("delivered.stream_seq ", delivered_sseq, " past undelivered ",
                               new_.empty() ? 0 : *new_.begin()));
    }
    const SequencePair floor{info.ack_floor().consumer_seq(), info.ack_floor().stream_seq()};
    if (!(floor == floor_)) {
      return Fail(absl::StrCat("ack floor ", floor.consumer_seq, "/", floor.stream_seq, ", model ",
                               floor_.consumer_seq, "/", floor_.stream_seq));
    }
    if (floor.consumer_seq < last_floor_.consumer_seq ||
        floor.stream_seq < last_floor_.stream_seq) {
      return Fail("the ack floor went down");
    }
    last_floor_ = floor;
    for (auto it = messages_.begin(); it != messages_.end() && it->first <= floor.stream_seq;
         ++it) {
      if (it->second.state == ModelMessage::kNew ||
          it->second.state == ModelMessage::kOutstanding) {
        return Fail(absl::StrCat("ack floor ", floor.stream_seq, " above unacked ", it->first));
      }
    }
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  RunConfig config_;
  int64_t max_ack_pending_ = 0;
  FakeSource source_;
  RecordingOutput out_;
  std::unique_ptr<Consumer> consumer_;
  ConsumerState restored_;
  SubjectFilter filter_;
  int64_t now_ = kT0 + kSec;
  int step_ = 0;
  bool failed_ = false;
  std::deque<std::string> history_;

  // The model.
  std::map<uint64_t, ModelMessage> messages_;  // Those the filter takes.
  std::set<uint64_t> new_;                     // Never delivered.
  std::set<uint64_t> outstanding_;             // Delivered, waiting for an ack.
  std::map<std::string, ModelRequest> requests_;
  std::vector<std::string> log_;  // Every delivery's ack subject.
  size_t reply_cursor_ = 0;
  uint64_t last_dseq_ = 0;
  SequencePair floor_;
  SequencePair last_floor_;
  bool interest_ = false;
  int inbox_ = 0;
};

TEST(ConsumerRandomTest, KeepsItsPromisesUnderRandomOperations) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    RandomRun run(seed);
    run.Run(3000);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace jsengine::consumersvc
