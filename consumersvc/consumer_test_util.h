// Fakes for driving a Consumer in tests: FakeSource, an in-memory stream,
// and RecordingOutput, which writes down everything the consumer sends.
#ifndef JSENGINE_CONSUMERSVC_CONSUMER_TEST_UTIL_H_
#define JSENGINE_CONSUMERSVC_CONSUMER_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "consumersvc/ack.h"
#include "consumersvc/consumer.h"
#include "gtest/gtest.h"

namespace jsengine::consumersvc {

inline constexpr int64_t kMs = 1'000'000;
inline constexpr int64_t kSec = 1'000'000'000;
inline constexpr int64_t kT0 = 1'700'000'000 * kSec;

// An in-memory stream. Messages are stored at time kT0 + seq ms unless
// given; `fetching` makes every load answer kFetching.
class FakeSource : public MessageSource {
 public:
  uint64_t Add(const std::string& subject, const std::string& data = "x", int64_t ts = 0) {
    v1::StoredMessage m;
    m.set_seq(++last_);
    m.set_subject(subject);
    m.set_data(data);
    m.set_time_ns(ts != 0 ? ts : kT0 + static_cast<int64_t>(last_) * kMs);
    messages_[last_] = std::make_shared<const v1::StoredMessage>(std::move(m));
    return last_;
  }
  void Remove(uint64_t seq) { messages_.erase(seq); }

  Next LoadNext(uint64_t seq, const SubjectFilter& filter) override {
    if (fetching) return {Next::kFetching};
    for (auto it = messages_.lower_bound(seq); it != messages_.end(); ++it) {
      if (filter.Matches(it->second->subject())) return {Next::kMessage, it->second, 0};
    }
    return {Next::kEnd, nullptr, last_ + 1};
  }
  Next Load(uint64_t seq) override {
    if (fetching) return {Next::kFetching};
    auto it = messages_.find(seq);
    if (it == messages_.end()) return {Next::kEnd, nullptr, 0};
    return {Next::kMessage, it->second, 0};
  }
  uint64_t FirstSeq() override { return messages_.empty() ? last_ + 1 : messages_.begin()->first; }
  uint64_t NumPending(uint64_t seq, const SubjectFilter& filter) override {
    uint64_t n = 0;
    for (auto it = messages_.lower_bound(seq); it != messages_.end(); ++it) {
      n += filter.Matches(it->second->subject());
    }
    return n;
  }

  bool fetching = false;

 private:
  uint64_t last_ = 0;
  std::map<uint64_t, std::shared_ptr<const v1::StoredMessage>> messages_;
};

// Records everything a consumer sends as short strings:
//   "msg <subject> <sseq> dc=<n> dseq=<n>"   a delivery
//   "status <subject> <status line>"         a status message
//   "adv <kind> <sseq> <deliveries>"         an advisory
//   "ackreply <reply>", "acked <first>-<last>"
// and counts the pull requests waiting on each reply subject.
class RecordingOutput : public ConsumerOutput {
 public:
  void Deliver(std::string_view subject, std::string_view reply, const v1::StoredMessage& m,
               bool headers_only) override {
    auto ack = ParseAckSubject(reply);
    ASSERT_TRUE(ack.ok()) << reply;
    events.push_back(absl::StrCat("msg ", std::string(subject), " ", m.seq(),
                                  " dc=", ack->delivered, " dseq=", ack->consumer_seq,
                                  headers_only ? " hdrs" : ""));
    replies.push_back(std::string(reply));
  }
  void Status(std::string_view subject, std::string_view reply, std::string_view headers) override {
    std::string_view line = headers.substr(0, headers.find("\r\n"));
    events.push_back(
        absl::StrCat("status ", std::string(subject), " ", std::string(line.substr(9))));
    last_status_headers = std::string(headers);
    last_status_reply = std::string(reply);
  }
  void SendAdvisory(const Advisory& a) override {
    const char* kind = a.kind == AdvisoryKind::kMaxDeliveries ? "max_deliveries"
                       : a.kind == AdvisoryKind::kNak         ? "nak"
                                                              : "terminated";
    events.push_back(absl::StrCat("adv ", kind, " ", a.stream_seq, " ", a.deliveries,
                                  a.reason.empty() ? "" : " ", std::string(a.reason)));
  }
  void AckReply(std::string_view reply) override {
    events.push_back(absl::StrCat("ackreply ", std::string(reply)));
  }
  void Acknowledged(uint64_t first, uint64_t last) override {
    events.push_back(absl::StrCat("acked ", first, "-", last));
  }
  void RequestWaiting(std::string_view reply, bool waiting) override {
    const std::string key(reply);
    int& n = waiting_requests[key];
    n += waiting ? 1 : -1;
    EXPECT_GE(n, 0) << "more requests to " << key << " ended than started";
    if (n == 0) waiting_requests.erase(key);
  }
  void RecordDelivered(uint64_t, uint64_t, uint64_t, int64_t) override { ++delivered_records; }
  void RecordAcked(uint64_t, SequencePair) override { ++acked_records; }
  void RecordState(const ConsumerState&) override { ++state_records; }

  // The events since the last call.
  std::vector<std::string> Take() {
    std::vector<std::string> out;
    out.swap(events);
    return out;
  }

  std::vector<std::string> events;
  std::vector<std::string> replies;
  // Reply subject -> pull requests waiting on it, as RequestWaiting told.
  std::map<std::string, int> waiting_requests;
  std::string last_status_headers;
  std::string last_status_reply;
  int delivered_records = 0;
  int acked_records = 0;
  int state_records = 0;
};

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_CONSUMER_TEST_UTIL_H_
