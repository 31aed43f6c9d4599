#include "consumersvc/ack.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::consumersvc {
namespace {

constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();
constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinI64 = std::numeric_limits<int64_t>::min();

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void ExpectSameAck(const AckSubject& got, const AckSubject& want, std::string_view subject) {
  EXPECT_EQ(got.stream, want.stream) << subject;
  EXPECT_EQ(got.consumer, want.consumer) << subject;
  EXPECT_EQ(got.delivered, want.delivered) << subject;
  EXPECT_EQ(got.stream_seq, want.stream_seq) << subject;
  EXPECT_EQ(got.consumer_seq, want.consumer_seq) << subject;
  EXPECT_EQ(got.timestamp, want.timestamp) << subject;
  EXPECT_EQ(got.pending, want.pending) << subject;
  EXPECT_EQ(got.domain, want.domain) << subject;
  EXPECT_EQ(got.account_hash, want.account_hash) << subject;
  for (std::string_view part : {got.stream, got.consumer, got.domain, got.account_hash}) {
    EXPECT_TRUE(Inside(part, subject)) << subject;
  }
}

TEST(AppendAckSubjectTest, WritesNatsServerFormat) {
  const struct {
    AckSubject ack;
    std::string want;
  } cases[] = {
      {{"ORDERS", "C1", 1, 42, 7, 1700000000123456789, 3},
       "$JS.ACK.ORDERS.C1.1.42.7.1700000000123456789.3"},
      {{"S", "C"}, "$JS.ACK.S.C.0.0.0.0.0"},
      {{"S", "C", kMaxU64, kMaxU64, kMaxU64, kMaxI64, kMaxU64},
       "$JS.ACK.S.C.18446744073709551615.18446744073709551615.18446744073709551615."
       "9223372036854775807.18446744073709551615"},
      // Go's %d; such a subject does not parse back.
      {{"S", "C", 1, 2, 3, kMinI64, 4}, "$JS.ACK.S.C.1.2.3.-9223372036854775808.4"},
      // The 9-token form only.
      {{"S", "C", 1, 2, 3, 4, 5, "hub", "H"}, "$JS.ACK.S.C.1.2.3.4.5"},
  };
  for (const auto& c : cases) {
    std::string out = "prefix|";
    AppendAckSubject(c.ack, &out);
    EXPECT_EQ(out, "prefix|" + c.want);
  }
}

TEST(AppendAckSubjectTest, UsesTheBufferItIsGiven) {
  const AckSubject ack{"ORDERS", "C", 1, 123456, 2, 1700000000123456789, 0};
  std::string out;
  out.reserve(256);
  const char* data = out.data();
  for (int i = 0; i < 5; ++i) {
    out.clear();
    AppendAckSubject(ack, &out);
  }
  EXPECT_EQ(out.data(), data);
}

TEST(ParseAckSubjectTest, RoundTrips) {
  const AckSubject ack{"KV_config-1", "dur", 3, 9000000000, 17, 1, kMaxU64};
  std::string subject;
  AppendAckSubject(ack, &subject);
  absl::StatusOr<AckSubject> back = ParseAckSubject(subject);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameAck(*back, ack, subject);
}

TEST(ParseAckSubjectTest, ReadsBothForms) {
  const struct {
    std::string subject;
    AckSubject want;
  } cases[] = {
      {"$JS.ACK.ORDERS.C1.1.42.7.1700000000000000000.3",
       {"ORDERS", "C1", 1, 42, 7, 1700000000000000000, 3}},
      {"$JS.ACK.S.C.0.0.0.0.0", {"S", "C", 0, 0, 0, 0, 0}},
      {"$JS.ACK.S.C.007.0010.01.00.000", {"S", "C", 7, 10, 1, 0, 0}},
      {"$JS.ACK.S.C.18446744073709551615.18446744073709551615.18446744073709551615."
       "9223372036854775807.18446744073709551615",
       {"S", "C", kMaxU64, kMaxU64, kMaxU64, kMaxI64, kMaxU64}},
      // nats.go's 12-token form, "_" for no domain.
      {"$JS.ACK._.HASH.ORDERS.C1.2.42.7.1700000000000000000.0.r4nd0m",
       {"ORDERS", "C1", 2, 42, 7, 1700000000000000000, 0, "", "HASH"}},
      // nats-server 2.14 writes 11 tokens; more are ignored.
      {"$JS.ACK.hub.HASH.S.C.1.2.3.4.5", {"S", "C", 1, 2, 3, 4, 5, "hub", "HASH"}},
      {"$JS.ACK.hub.HASH.S.C.1.2.3.4.5.x.y.z", {"S", "C", 1, 2, 3, 4, 5, "hub", "HASH"}},
      // Names are not checked here: the consumer looks them up.
      {"$JS.ACK.$KV.a b.1.2.3.4.5", {"$KV", "a b", 1, 2, 3, 4, 5}},
  };
  for (const auto& c : cases) {
    absl::StatusOr<AckSubject> got = ParseAckSubject(c.subject);
    ASSERT_TRUE(got.ok()) << c.subject << ": " << got.status();
    ExpectSameAck(*got, c.want, c.subject);
    const std::string_view stream = AckSubjectStream(c.subject);
    EXPECT_EQ(stream, c.want.stream) << c.subject;
    EXPECT_TRUE(Inside(stream, c.subject)) << c.subject;
  }
}

TEST(AckSubjectStreamTest, EmptyForAnotherShapeOnly) {
  for (const std::string c :
       {"", ".", "$JS.ACK", "$JS.ACK.S.C.1.2.3.4", "$JS.ACK.S.C.1.2.3.4.5.6",
        "$JS.ACK.S.C.1.2.3.4.5.", "$JS.ACK..C.1.2.3.4.5", "$JS.ACK..H.S.C.1.2.3.4.5",
        "$JS.ACKS.S.C.1.2.3.4.5", "$JS.API.S.C.1.2.3.4.5", "x.ACK.S.C.1.2.3.4.5"}) {
    EXPECT_EQ(AckSubjectStream(c), "") << c;
  }
  // Numbers are not read.
  EXPECT_EQ(AckSubjectStream("$JS.ACK.S.C.x.2.3.4.5"), "S");
  EXPECT_EQ(AckSubjectStream("$JS.ACK._.H.T.C.1.2.3.4.5x"), "T");
}

TEST(ParseAckSubjectTest, RejectsMalformed) {
  const std::string cases[] = {
      "",
      ".",
      "$JS.ACK",
      "$JS.ACK.",
      "$JS.ACK.S.C.1.2.3.4",       // 8 tokens.
      "$JS.ACK.S.C.1.2.3.4.5.6",   // 10 tokens.
      "$JS.ACK.S.C.1.2.3.4.5.",    // Empty last token.
      ".$JS.ACK.S.C.1.2.3.4.5",    // Empty first token.
      "$JS.ACK..C.1.2.3.4.5",      // Empty stream.
      "$JS.ACK.S..1.2.3.4.5",      // Empty consumer.
      "$JS.ACK.S.C.1..3.4.5",      // Empty number.
      "$JS.ACK.S.C.1.2.3.4.5.6.",  // 11 tokens, the last empty.
      "$JS.ACK..H.S.C.1.2.3.4.5",  // Empty domain.
      "$JS.ACKS.S.C.1.2.3.4.5",
      "$js.ack.S.C.1.2.3.4.5",
      "$JS.API.S.C.1.2.3.4.5",
      "JS.ACK.S.C.1.2.3.4.5",
      "x.ACK.S.C.1.2.3.4.5",
      "$JS.ACK.S.C.x.2.3.4.5",
      "$JS.ACK.S.C.1.x.3.4.5",
      "$JS.ACK.S.C.1.2.x.4.5",
      "$JS.ACK.S.C.1.2.3.x.5",
      "$JS.ACK.S.C.1.2.3.4.x",
      "$JS.ACK.S.C.+1.2.3.4.5",
      "$JS.ACK.S.C.1.-2.3.4.5",
      "$JS.ACK.S.C.1.2.3.-4.5",
      "$JS.ACK.S.C.1.2 .3.4.5",
      "$JS.ACK.S.C.1.2.3.4.5 ",
      "$JS.ACK.S.C.1.1e3.3.4.5",
      "$JS.ACK.S.C.1.0x1.3.4.5",
      "$JS.ACK.S.C.1.\xEF\xBC\x91.3.4.5",  // Fullwidth digit one.
      "$JS.ACK.S.C.18446744073709551616.2.3.4.5",
      "$JS.ACK.S.C.1.18446744073709551616.3.4.5",
      "$JS.ACK.S.C.1.2.18446744073709551616.4.5",
      "$JS.ACK.S.C.1.2.3.9223372036854775808.5",
      "$JS.ACK.S.C.1.2.3.4.18446744073709551616",
      "$JS.ACK.S.C.1.2.3.4.99999999999999999999999",
      "$JS.ACK._.H.S.C.1.2.x.4.5",
      "$JS.ACK._.H.S.C.1.2.3.4.5x",
      std::string("$JS.ACK.S.C.1.2.3.4.5\0", 22),
  };
  for (const std::string& c : cases) {
    EXPECT_EQ(ParseAckSubject(c).status().code(), absl::StatusCode::kInvalidArgument) << c;
  }
}

struct BodyCase {
  std::string body;
  AckKind kind;
  std::optional<int64_t> nak_delay = std::nullopt;
  std::string bad_nak_delay = "";
  std::string term_reason = "";
  std::string next_request = "";
};

void ExpectBodies(const std::vector<BodyCase>& cases) {
  for (const BodyCase& c : cases) {
    AckBody got = ParseAckBody(c.body);
    EXPECT_EQ(got.kind, c.kind) << c.body;
    EXPECT_EQ(got.nak_delay, c.nak_delay) << c.body;
    EXPECT_EQ(got.bad_nak_delay, c.bad_nak_delay) << c.body;
    EXPECT_EQ(got.term_reason, c.term_reason) << c.body;
    EXPECT_EQ(got.next_request, c.next_request) << c.body;
    for (std::string_view part : {got.bad_nak_delay, got.term_reason, got.next_request}) {
      EXPECT_TRUE(Inside(part, c.body)) << c.body;
    }
  }
}

constexpr int64_t kSecond = 1000 * 1000 * 1000;

TEST(ParseAckBodyTest, KindsAsProcessAckDecides) {
  ExpectBodies({
      {"", AckKind::kAck},
      {"+ACK", AckKind::kAck},
      {"+OK", AckKind::kAck},
      {"+WPI", AckKind::kProgress},
      {"-NAK", AckKind::kNak},
      {"+TERM", AckKind::kTerm},
      {"+NXT", AckKind::kNext},
      // Exact matches only for +ACK, +OK and +WPI.
      {"+ACK ", AckKind::kUnknown},
      {"+ACK\r\n", AckKind::kUnknown},
      {" +ACK", AckKind::kUnknown},
      {"+ack", AckKind::kUnknown},
      {"+ACKNOWLEDGED", AckKind::kUnknown},
      {"+OK ", AckKind::kUnknown},
      {"+WPI ", AckKind::kUnknown},
      {"+WPI\n", AckKind::kUnknown},
      {"ACK", AckKind::kUnknown},
      {"-nak", AckKind::kUnknown},
      {"-NA", AckKind::kUnknown},
      {"+TER", AckKind::kUnknown},
      {"+NX", AckKind::kUnknown},
      {" -NAK", AckKind::kUnknown},
      {std::string("\0", 1), AckKind::kUnknown},
      {"hello", AckKind::kUnknown},
  });
}

TEST(ParseAckBodyTest, TermReasonIsTrimmedRest) {
  ExpectBodies({
      {"+TERM ", AckKind::kTerm},
      {"+TERM reason", AckKind::kTerm, std::nullopt, "", "reason"},
      {"+TERM  bad payload \r\n", AckKind::kTerm, std::nullopt, "", "bad payload"},
      {"+TERMINATE", AckKind::kTerm, std::nullopt, "", "INATE"},
      {"+TERM\xC2\xA0x\xE3\x80\x80", AckKind::kTerm, std::nullopt, "", "x"},
      {"+TERM {\"json\": true}", AckKind::kTerm, std::nullopt, "", "{\"json\": true}"},
  });
}

TEST(ParseAckBodyTest, NextRequestIsUntrimmedRest) {
  ExpectBodies({
      {"+NXT 5", AckKind::kNext, std::nullopt, "", "", " 5"},
      {"+NXT {\"batch\":10,\"expires\":1000000000}", AckKind::kNext, std::nullopt, "", "",
       " {\"batch\":10,\"expires\":1000000000}"},
      {"+NXTfoo\r\n", AckKind::kNext, std::nullopt, "", "", "foo\r\n"},
  });
}

TEST(ParseAckBodyTest, NakDelayAsGoDuration) {
  ExpectBodies({
      {"-NAK ", AckKind::kNak},
      {"-NAK \r\n\t", AckKind::kNak},
      {"-NAK 5s", AckKind::kNak, 5 * kSecond},
      {"-NAK5s", AckKind::kNak, 5 * kSecond},
      {"-NAK  1m30s \n", AckKind::kNak, 90 * kSecond},
      {"-NAK 1.5ms", AckKind::kNak, 1500 * 1000},
      {"-NAK -1s", AckKind::kNak, -kSecond},
      {"-NAK 0", AckKind::kNak, 0},
      {"-NAK\xC2\xA0"
       "5m\xE3\x80\x80",
       AckKind::kNak, 300 * kSecond},
      {"-NAK 5", AckKind::kNak, std::nullopt, "5"},
      {"-NAKED", AckKind::kNak, std::nullopt, "ED"},
      {"-NAK 5 s", AckKind::kNak, std::nullopt, "5 s"},
      {"-NAK 1d", AckKind::kNak, std::nullopt, "1d"},
      {"-NAK null", AckKind::kNak, std::nullopt, "null"},
      {"-NAK [1]", AckKind::kNak, std::nullopt, "[1]"},
      {"-NAK 9223372036854775808ns", AckKind::kNak, std::nullopt, "9223372036854775808ns"},
  });
}

TEST(ParseAckBodyTest, NakDelayAsGoJson) {
  ExpectBodies({
      // What nats.go's NakWithDelay sends.
      {"-NAK {\"delay\": 5000000000}", AckKind::kNak, 5 * kSecond},
      {"-NAK {\"delay\":1}", AckKind::kNak, 1},
      {"-NAK{\"delay\":1}", AckKind::kNak, 1},
      {"-NAK {\"delay\":1} \r\n", AckKind::kNak, 1},
      // Go's zero value: a delay of 0, not a plain NAK.
      {"-NAK {}", AckKind::kNak, 0},
      {"-NAK {\"delay\":null}", AckKind::kNak, 0},
      {"-NAK {\"other\":1}", AckKind::kNak, 0},
      // Keys match ignoring case; the last match wins; null keeps the value.
      {"-NAK {\"DeLaY\":7}", AckKind::kNak, 7},
      {"-NAK {\"delay\":1,\"Delay\":2}", AckKind::kNak, 2},
      {"-NAK {\"delay\":1,\"delay\":null}", AckKind::kNak, 1},
      {"-NAK {\"d\\u0065lay\":4}", AckKind::kNak, 4},
      {"-NAK {\"other\":{\"delay\":5},\"delay\":3}", AckKind::kNak, 3},
      {"-NAK {\"x\":[1,\"s\",{\"y\":null}],\"delay\":-9}", AckKind::kNak, -9},
      {"-NAK {\"delay\":-0}", AckKind::kNak, 0},
      {"-NAK {\"delay\":9223372036854775807}", AckKind::kNak, kMaxI64},
      {"-NAK {\"delay\":-9223372036854775808}", AckKind::kNak, kMinI64},
      // Anything json.Unmarshal fails on is a plain NAK.
      {"-NAK {\"delay\":\"5s\"}", AckKind::kNak, std::nullopt, "{\"delay\":\"5s\"}"},
      {"-NAK {\"delay\":1.5}", AckKind::kNak, std::nullopt, "{\"delay\":1.5}"},
      {"-NAK {\"delay\":1.0}", AckKind::kNak, std::nullopt, "{\"delay\":1.0}"},
      {"-NAK {\"delay\":1e9}", AckKind::kNak, std::nullopt, "{\"delay\":1e9}"},
      {"-NAK {\"delay\":true}", AckKind::kNak, std::nullopt, "{\"delay\":true}"},
      {"-NAK {\"delay\":[1]}", AckKind::kNak, std::nullopt, "{\"delay\":[1]}"},
      {"-NAK {\"delay\":{}}", AckKind::kNak, std::nullopt, "{\"delay\":{}}"},
      {"-NAK {\"delay\":\"5s\",\"delay\":5}", AckKind::kNak, std::nullopt,
       "{\"delay\":\"5s\",\"delay\":5}"},
      {"-NAK {\"delay\":9223372036854775808}", AckKind::kNak, std::nullopt,
       "{\"delay\":9223372036854775808}"},
      {"-NAK {\"delay\":-9223372036854775809}", AckKind::kNak, std::nullopt,
       "{\"delay\":-9223372036854775809}"},
      {"-NAK {\"delay\":01}", AckKind::kNak, std::nullopt, "{\"delay\":01}"},
      {"-NAK {\"delay\":5", AckKind::kNak, std::nullopt, "{\"delay\":5"},
      {"-NAK {\"delay\":5,}", AckKind::kNak, std::nullopt, "{\"delay\":5,}"},
      {"-NAK {\"delay\":5} x", AckKind::kNak, std::nullopt, "{\"delay\":5} x"},
      {"-NAK {'delay':5}", AckKind::kNak, std::nullopt, "{'delay':5}"},
      {"-NAK {\"delay\":5}{}", AckKind::kNak, std::nullopt, "{\"delay\":5}{}"},
      {std::string("-NAK {\"delay\":5}\0", 17), AckKind::kNak, std::nullopt,
       std::string("{\"delay\":5}\0", 12)},
  });
}

TEST(ParseAckBodyTest, NakJsonNestingLimitIsGos) {
  // Go's scanner allows 10000 levels, the outer object included.
  const std::string ok = "-NAK {\"a\":" + std::string(9999, '[') + std::string(9999, ']') + "}";
  EXPECT_EQ(ParseAckBody(ok).nak_delay, 0);
  const std::string deep = "-NAK {\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
  AckBody body = ParseAckBody(deep);
  EXPECT_EQ(body.kind, AckKind::kNak);
  EXPECT_EQ(body.nak_delay, std::nullopt);
  EXPECT_EQ(body.bad_nak_delay.size(), deep.size() - 5);
}

}  // namespace
}  // namespace jsengine::consumersvc
