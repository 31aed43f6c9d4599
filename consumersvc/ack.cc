#include "consumersvc/ack.h"

#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "common/go_text.h"

namespace jsengine::consumersvc {
namespace {

constexpr size_t kV1Tokens = 9;
constexpr size_t kV2Tokens = 11;

constexpr std::string_view kAck = "+ACK";
constexpr std::string_view kOk = "+OK";
constexpr std::string_view kNak = "-NAK";
constexpr std::string_view kProgress = "+WPI";
constexpr std::string_view kNext = "+NXT";
constexpr std::string_view kTerm = "+TERM";

// A number as Go's %d writes it, in a buffer of its own.
class Decimal {
 public:
  explicit Decimal(uint64_t v) {
    do {
      buf_[--start_] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
  }
  explicit Decimal(int64_t v) : Decimal(v < 0 ? 0 - static_cast<uint64_t>(v) : v) {
    if (v < 0) buf_[--start_] = '-';
  }

  std::string_view view() const { return std::string_view(buf_ + start_, sizeof(buf_) - start_); }

 private:
  char buf_[20];  // "18446744073709551615", "-9223372036854775808".
  size_t start_ = sizeof(buf_);
};

// A number as nats-server writes it: ASCII digits only, at most `max`.
bool ParseDecimal(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  if (s.size() <= 18) {  // Below 10^18: no overflow; max is at least 2^63-1.
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    *out = v;
    return true;
  }
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

// Splits `subject` at its dots into `tokens` (the first kV2Tokens of them)
// and their `count`; false if a token is empty.
bool SplitAckTokens(std::string_view subject, std::string_view (&tokens)[kV2Tokens],
                    size_t* count) {
  *count = 0;
  const char* const end = subject.data() + subject.size();
  const char* start = subject.data();
  for (const char* p = start;; ++p) {
    if (p != end && *p != '.') continue;
    if (p == start) return false;
    if (*count < kV2Tokens) tokens[*count] = std::string_view(start, p - start);
    ++*count;
    if (p == end) return true;
    start = p + 1;
  }
}

// nats-server's ConsumerNakOptions, {"delay": <ns>}, as Go's json.Unmarshal
// fills it: any key equal to "delay" ignoring ASCII case sets it (no other
// Unicode folds to those letters), the last one wins, null changes nothing,
// and anything but an integer in int64's range is an error, as is malformed
// JSON or nesting deeper than Go's 10000. Unlike Go, nlohmann rejects invalid
// UTF-8 and lone surrogate escapes in strings.
class NakOptionsReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  static std::optional<int64_t> Read(std::string_view json) {
    // nlohmann stops at a NUL as if the input ended there; Go rejects it.
    if (json.find('\0') != std::string_view::npos) return std::nullopt;
    NakOptionsReader reader;
    if (!nlohmann::json::sax_parse(json.begin(), json.end(), &reader)) return std::nullopt;
    return reader.delay_;
  }

  bool null() override { return Scalar(/*fits=*/true); }
  bool boolean(bool) override { return Scalar(/*fits=*/false); }
  bool number_integer(number_integer_t v) override { return Integer(v); }
  bool number_unsigned(number_unsigned_t v) override {
    constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
    return v <= kMax ? Integer(static_cast<int64_t>(v)) : Scalar(/*fits=*/false);
  }
  bool number_float(number_float_t, const string_t&) override { return Scalar(/*fits=*/false); }
  bool string(string_t&) override { return Scalar(/*fits=*/false); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return Open(); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(); }
  bool end_array() override { return Close(); }
  bool key(string_t& key) override {
    at_delay_ = depth_ == 1 && absl::EqualsIgnoreCase(key, "delay");
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  static constexpr int kGoMaxDepth = 10000;

  NakOptionsReader() = default;

  // A value other than an integer: an error where the delay goes unless it
  // `fits` (null, which leaves the delay as it was).
  bool Scalar(bool fits) { return !std::exchange(at_delay_, false) || fits; }
  bool Integer(int64_t v) {
    if (std::exchange(at_delay_, false)) delay_ = v;
    return true;
  }
  bool Open() {
    if (std::exchange(at_delay_, false)) return false;
    return ++depth_ <= kGoMaxDepth;
  }
  bool Close() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  bool at_delay_ = false;  // The next value is a top-level "delay".
  int64_t delay_ = 0;      // Go's zero value when no key sets it.
};

// processNak: the text after "-NAK", trimmed; JSON if it starts with '{',
// else a Go duration.
void ReadNakDelay(std::string_view rest, AckBody* body) {
  const std::string_view arg = common::GoTrimSpace(rest);
  if (arg.empty()) return;
  if (arg[0] == '{') {
    body->nak_delay = NakOptionsReader::Read(arg);
  } else if (absl::StatusOr<int64_t> d = common::ParseGoDuration(arg); d.ok()) {
    body->nak_delay = *d;
  }
  if (!body->nak_delay.has_value()) body->bad_nak_delay = arg;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

void AppendAckSubject(const AckSubject& ack, std::string* out) {
  const Decimal numbers[] = {Decimal(ack.delivered), Decimal(ack.stream_seq),
                             Decimal(ack.consumer_seq), Decimal(ack.timestamp),
                             Decimal(ack.pending)};
  const std::string_view tokens[] = {ack.stream,        ack.consumer,      numbers[0].view(),
                                     numbers[1].view(), numbers[2].view(), numbers[3].view(),
                                     numbers[4].view()};
  size_t size = kAckSubjectPrefix.size() + std::size(tokens) - 1;
  for (std::string_view token : tokens) size += token.size();
  const size_t start = out->size();
  out->resize(start + size);
  char* p = &(*out)[start];
  p += kAckSubjectPrefix.copy(p, kAckSubjectPrefix.size());
  for (size_t i = 0; i < std::size(tokens); ++i) {
    if (i > 0) *p++ = '.';
    p += tokens[i].copy(p, tokens[i].size());
  }
}

absl::StatusOr<AckSubject> ParseAckSubject(std::string_view subject) {
  std::string_view tokens[kV2Tokens];
  size_t count = 0;
  if (!SplitAckTokens(subject, tokens, &count)) {
    return absl::InvalidArgumentError("ack subject has an empty token");
  }
  if (count != kV1Tokens && count < kV2Tokens) {
    return absl::InvalidArgumentError("ack subject has neither 9 nor 11 or more tokens");
  }
  if (tokens[0] != "$JS" || tokens[1] != "ACK") {
    return absl::InvalidArgumentError("not a $JS.ACK subject");
  }
  AckSubject ack;
  size_t i = 2;
  if (count >= kV2Tokens) {
    ack.domain = tokens[i] == "_" ? std::string_view() : tokens[i];
    ack.account_hash = tokens[i + 1];
    i += 2;
  }
  ack.stream = tokens[i];
  ack.consumer = tokens[i + 1];
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t timestamp = 0;
  if (!ParseDecimal(tokens[i + 2], kMax, &ack.delivered) ||
      !ParseDecimal(tokens[i + 3], kMax, &ack.stream_seq) ||
      !ParseDecimal(tokens[i + 4], kMax, &ack.consumer_seq) ||
      !ParseDecimal(tokens[i + 5], std::numeric_limits<int64_t>::max(), &timestamp) ||
      !ParseDecimal(tokens[i + 6], kMax, &ack.pending)) {
    return absl::InvalidArgumentError("ack subject has a malformed number");
  }
  ack.timestamp = static_cast<int64_t>(timestamp);
  return ack;
}

std::string_view AckSubjectStream(std::string_view subject) {
  std::string_view tokens[kV2Tokens];
  size_t count = 0;
  if (!SplitAckTokens(subject, tokens, &count)) return {};
  if ((count != kV1Tokens && count < kV2Tokens) || tokens[0] != "$JS" || tokens[1] != "ACK") {
    return {};
  }
  return tokens[count >= kV2Tokens ? 4 : 2];
}

AckBody ParseAckBody(std::string_view body) {
  AckBody ack;
  if (body.empty() || body == kAck || body == kOk) {
    ack.kind = AckKind::kAck;
  } else if (StartsWith(body, kNext)) {
    ack.kind = AckKind::kNext;
    ack.next_request = body.substr(kNext.size());
  } else if (StartsWith(body, kNak)) {
    ack.kind = AckKind::kNak;
    ReadNakDelay(body.substr(kNak.size()), &ack);
  } else if (body == kProgress) {
    ack.kind = AckKind::kProgress;
  } else if (StartsWith(body, kTerm)) {
    ack.kind = AckKind::kTerm;
    ack.term_reason = common::GoTrimSpace(body.substr(kTerm.size()));
  } else {
    ack.kind = AckKind::kUnknown;
  }
  return ack;
}

}  // namespace jsengine::consumersvc
