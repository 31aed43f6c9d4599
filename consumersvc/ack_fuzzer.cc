// Fuzz target: what a client publishes to an ack subject, as one input: the
// first line is the subject, the rest the body. Nothing may crash; a subject
// that parses writes back to one that parses to the same delivery; what the
// body parser returns points into the body and agrees with its prefix; a NAK's
// Go duration reads the same with "+" before it and negated with "-".
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/go_text.h"
#include "consumersvc/ack.h"

namespace {

using jsengine::common::GoTrimSpace;
using jsengine::common::ParseGoDuration;
using jsengine::consumersvc::AckBody;
using jsengine::consumersvc::AckKind;
using jsengine::consumersvc::AckSubject;
using jsengine::consumersvc::AppendAckSubject;
using jsengine::consumersvc::ParseAckBody;
using jsengine::consumersvc::ParseAckSubject;

void Check(bool ok) {
  if (!ok) abort();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool SameDelivery(const AckSubject& a, const AckSubject& b) {
  return a.stream == b.stream && a.consumer == b.consumer && a.delivered == b.delivered &&
         a.stream_seq == b.stream_seq && a.consumer_seq == b.consumer_seq &&
         a.timestamp == b.timestamp && a.pending == b.pending;
}

void CheckSubject(std::string_view subject) {
  absl::StatusOr<AckSubject> ack = ParseAckSubject(subject);
  if (!ack.ok()) return;
  for (std::string_view part : {ack->stream, ack->consumer, ack->domain, ack->account_hash}) {
    Check(Inside(part, subject));
  }
  Check(ack->timestamp >= 0);
  std::string written;
  AppendAckSubject(*ack, &written);
  absl::StatusOr<AckSubject> back = ParseAckSubject(written);
  Check(back.ok() && SameDelivery(*ack, *back));
  Check(back->domain.empty() && back->account_hash.empty());
  std::string again;
  AppendAckSubject(*back, &again);
  Check(again == written);
}

void CheckDuration(std::string_view s) {
  absl::StatusOr<int64_t> d = ParseGoDuration(s);
  if (!d.ok() || s[0] == '+' || s[0] == '-') return;
  Check(*d >= 0);
  std::string with_sign = "+" + std::string(s);
  absl::StatusOr<int64_t> plus = ParseGoDuration(with_sign);
  Check(plus.ok() && *plus == *d);
  with_sign[0] = '-';
  absl::StatusOr<int64_t> minus = ParseGoDuration(with_sign);
  Check(minus.ok() && *minus == -*d);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void CheckBody(std::string_view body) {
  const AckBody ack = ParseAckBody(body);
  for (std::string_view part : {ack.bad_nak_delay, ack.term_reason, ack.next_request}) {
    Check(Inside(part, body));
  }
  Check(ack.kind == AckKind::kNak || (!ack.nak_delay.has_value() && ack.bad_nak_delay.empty()));
  Check(!ack.nak_delay.has_value() || ack.bad_nak_delay.empty());
  Check(ack.kind == AckKind::kTerm || ack.term_reason.empty());
  Check(ack.kind == AckKind::kNext || ack.next_request.empty());
  switch (ack.kind) {
    case AckKind::kAck:
      Check(body.empty() || body == "+ACK" || body == "+OK");
      break;
    case AckKind::kNak: {
      Check(StartsWith(body, "-NAK"));
      const std::string_view arg = GoTrimSpace(body.substr(4));
      Check(ack.bad_nak_delay.empty() || ack.bad_nak_delay == arg);
      if (!arg.empty() && arg[0] != '{') {
        absl::StatusOr<int64_t> d = ParseGoDuration(arg);
        Check(d.ok() ? ack.nak_delay == *d : !ack.nak_delay.has_value());
        CheckDuration(arg);
      }
      break;
    }
    case AckKind::kProgress:
      Check(body == "+WPI");
      break;
    case AckKind::kNext:
      Check(StartsWith(body, "+NXT") && ack.next_request == body.substr(4));
      break;
    case AckKind::kTerm:
      Check(StartsWith(body, "+TERM") && GoTrimSpace(ack.term_reason) == ack.term_reason);
      break;
    case AckKind::kUnknown:
      Check(!body.empty() && body != "+ACK" && body != "+OK" && body != "+WPI" &&
            !StartsWith(body, "-NAK") && !StartsWith(body, "+NXT") && !StartsWith(body, "+TERM"));
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  CheckSubject(input.substr(0, eol));
  CheckBody(eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1));
  return 0;
}
