#include "gateway/jetstream/republisher.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

v1::StoredMessage Msg() {
  v1::StoredMessage m;
  m.set_subject("orders.1");
  m.set_seq(7);
  m.set_time_ns(1'700'000'000'123'000'000);
  m.set_data("hello");
  return m;
}

TEST(RepublisherHeadersTest, WithoutOriginalHeaders) {
  EXPECT_EQ(Republisher::Headers("", "S", Msg(), 3, false),
            "NATS/1.0\r\nNats-Stream: S\r\nNats-Subject: orders.1\r\nNats-Sequence: 7\r\n"
            "Nats-Time-Stamp: 2023-11-14T22:13:20.123Z\r\nNats-Last-Sequence: 3\r\n\r\n");
}

TEST(RepublisherHeadersTest, HeadersOnlyKeepsOriginalAndAddsSize) {
  EXPECT_EQ(Republisher::Headers("NATS/1.0\r\nA: b\r\n\r\n", "S", Msg(), 0, true),
            "NATS/1.0\r\nA: b\r\nNats-Stream: S\r\nNats-Subject: orders.1\r\nNats-Sequence: 7\r\n"
            "Nats-Time-Stamp: 2023-11-14T22:13:20.123Z\r\nNats-Last-Sequence: 0\r\n"
            "Nats-Msg-Size: 5\r\n\r\n");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
