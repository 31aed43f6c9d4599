#include "storesvc/nats_headers.h"

#include <limits>

#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

TEST(NatsHeadersTest, FindsValues) {
  absl::string_view hdr = "NATS/1.0\r\nNats-Msg-Id:  abc \r\nFoo: bar\r\nFoo: second\r\n\r\n";
  EXPECT_EQ(FindHeader(hdr, "Nats-Msg-Id").value(), "abc");
  EXPECT_EQ(FindHeader(hdr, "Foo").value(), "bar");
  EXPECT_FALSE(FindHeader(hdr, "foo").has_value());
  EXPECT_FALSE(FindHeader(hdr, "Nats-Msg").has_value());
}

TEST(NatsHeadersTest, StatusLineAndMissingTerminator) {
  absl::string_view hdr = "NATS/1.0 503 No Responders\r\nA: 1";
  EXPECT_EQ(FindHeader(hdr, "A").value(), "1");
  EXPECT_FALSE(FindHeader("", "A").has_value());
  EXPECT_FALSE(FindHeader("HTTP/1.1\r\nA: 1\r\n\r\n", "A").has_value());
  EXPECT_FALSE(FindHeader("NATS/1.0", "A").has_value());
}

TEST(NatsHeadersTest, StopsAtBlankLine) {
  absl::string_view hdr = "NATS/1.0\r\n\r\nA: 1\r\n";
  EXPECT_FALSE(FindHeader(hdr, "A").has_value());
}

TEST(NatsHeadersTest, UintValues) {
  absl::string_view hdr =
      "NATS/1.0\r\nNats-Expected-Last-Sequence: 42\r\nX: nope\r\nZ: +7\r\nE:\r\n\r\n";
  EXPECT_EQ(FindUintHeader(hdr, kExpectedLastSeqHeader).value(), 42u);
  EXPECT_EQ(FindUintHeader(hdr, "X").value(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(FindUintHeader(hdr, "Z").value(), std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(FindUintHeader(hdr, "E").has_value());
  EXPECT_FALSE(FindUintHeader(hdr, "Y").has_value());
}

}  // namespace
}  // namespace jsengine::storesvc
