#include "consumersvc/state_encoding.h"

#include <cstring>
#include <string>

#include "common/coding.h"
#include "consumersvc/state_format.h"
#include "gtest/gtest.h"

namespace jsengine::consumersvc {
namespace {

ConsumerState SomeState() {
  ConsumerState s;
  s.delivered = {12, 40};
  s.ack_floor = {7, 30};
  s.pending[33] = {9, 1700000000000000001};
  s.pending[40] = {12, -5};
  s.redelivered[33] = 2;
  s.redelivered[40] = 1;
  return s;
}

v1::ConsumerInfo SomeInfo() {
  v1::ConsumerInfo info;
  info.set_stream_name("ORDERS");
  info.set_name("worker");
  info.mutable_config()->set_durable_name("worker");
  info.mutable_config()->set_ack_policy(v1::ACK_EXPLICIT);
  info.mutable_config()->set_filter_subject("orders.new");
  info.set_created_ns(1700000000123456789);
  return info;
}

TEST(StateEncodingTest, StateRoundTripsCanonically) {
  for (const ConsumerState& state : {ConsumerState(), SomeState()}) {
    std::string bytes;
    EncodeState(state, &bytes);
    absl::StatusOr<ConsumerState> back = DecodeState(bytes);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, state);
    std::string again;
    EncodeState(*back, &again);
    EXPECT_EQ(again, bytes);
  }
  std::string bytes;
  EncodeState(SomeState(), &bytes);
  EXPECT_EQ(bytes.size(), state_format::kStateFixedSize + 2 * state_format::kPendingEntrySize +
                              2 * state_format::kRedeliveredEntrySize);
}

TEST(StateEncodingTest, RefusesMalformedStates) {
  std::string bytes;
  EncodeState(SomeState(), &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeState(bytes.substr(0, n)).ok()) << n << " bytes";
  }
  EXPECT_EQ(DecodeState(bytes + "x").status().message(), "1 bytes after the state");
  std::string huge = bytes;
  std::memset(&huge[32], 0xff, 8);  // pending_count
  EXPECT_EQ(DecodeState(huge).status().code(), absl::StatusCode::kDataLoss);
  std::string unordered = bytes;
  std::memcpy(&unordered[40 + 24], &unordered[40], 8);  // second pending = first
  EXPECT_EQ(DecodeState(unordered).status().message(), "pending stream sequence 33 out of order");
}

TEST(StateEncodingTest, SnapshotRoundTrip) {
  const std::string file = EncodeSnapshot({0x1234567890abcdefull, 42, SomeState()});
  EXPECT_EQ(file.substr(0, 8), "jscsnap1");
  absl::StatusOr<StateSnapshot> snapshot = DecodeSnapshot(file);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->consumer_id, 0x1234567890abcdefull);
  EXPECT_EQ(snapshot->generation, 42u);
  EXPECT_EQ(snapshot->state, SomeState());
}

TEST(StateEncodingTest, EveryTruncationAndFlippedBitOfASnapshotFails) {
  const std::string file = EncodeSnapshot({7, 3, SomeState()});
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_FALSE(DecodeSnapshot(file.substr(0, n)).ok()) << n << " bytes";
  }
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    std::string damaged = file;
    damaged[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(DecodeSnapshot(damaged).ok()) << "bit " << bit;
  }
}

TEST(StateEncodingTest, MetaKeepsTheConfigurationAndCreationTime) {
  v1::ConsumerInfo info = SomeInfo();
  info.set_num_pending(99);
  info.mutable_delivered()->set_stream_seq(5);
  const std::string file = EncodeConsumerMeta(info);
  EXPECT_EQ(file.substr(0, 8), "jscmeta1");
  absl::StatusOr<v1::ConsumerInfo> back = DecodeConsumerMeta(file, "ORDERS", "worker");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), SomeInfo().SerializeAsString());
}

TEST(StateEncodingTest, MetaOfAnotherConsumerOrDamagedFails) {
  const std::string file = EncodeConsumerMeta(SomeInfo());
  EXPECT_EQ(DecodeConsumerMeta(file, "ORDERS", "other").status().message(),
            "names consumer \"worker\" of stream \"ORDERS\"");
  EXPECT_FALSE(DecodeConsumerMeta(file, "OTHER", "worker").ok());
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_FALSE(DecodeConsumerMeta(file.substr(0, n), "ORDERS", "worker").ok()) << n;
  }
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    std::string damaged = file;
    damaged[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(DecodeConsumerMeta(damaged, "ORDERS", "worker").ok()) << "bit " << bit;
  }
}

}  // namespace
}  // namespace jsengine::consumersvc
