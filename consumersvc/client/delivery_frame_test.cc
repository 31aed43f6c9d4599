#include "consumersvc/client/delivery_frame.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::consumersvc::client {
namespace {

v1::StoredMessage Message() {
  v1::StoredMessage m;
  m.set_subject("orders.eu");
  m.set_seq(300);
  m.set_time_ns(-5);
  m.set_headers("NATS/1.0\r\nA: b\r\n\r\n");
  m.set_data(std::string(200, 'x'));
  return m;
}

// What protobuf writes for a message of these bytes as an element of a
// repeated field 1.
std::string Element(const std::string& bytes) {
  std::string out = "\x0a";
  size_t n = bytes.size();
  for (; n >= 0x80; n >>= 7) out.push_back(static_cast<char>(n | 0x80));
  out.push_back(static_cast<char>(n));
  return out + bytes;
}
std::string Element(const v1::Delivery& d) { return Element(d.SerializeAsString()); }

// The deliveries AppendDelivery is given below, as messages.
std::vector<v1::Delivery> Expected() {
  std::vector<v1::Delivery> out(5);
  out[0].set_subject("deliver.here");
  out[0].set_reply("$JS.ACK.S.C.1.300.1.-5.0");
  *out[0].mutable_message() = Message();
  out[1].set_subject("deliver.here");
  *out[1].mutable_message() = Message();
  out[1].mutable_message()->clear_data();
  out[1].set_headers("NATS/1.0\r\nNats-Msg-Size: 200\r\n\r\n");
  out[2].set_subject("_INBOX.x");
  out[2].set_headers("NATS/1.0 404 No Messages\r\n\r\n");
  out[3].set_subject("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C");
  out[3].mutable_message()->set_data("{\"type\":\"x\"}");
  out[4].set_subject("_INBOX.acked");
  return out;
}

std::string Packed() {
  const v1::StoredMessage m = Message();
  std::string packed;
  AppendDelivery(DeliveryView::Stored("deliver.here", "$JS.ACK.S.C.1.300.1.-5.0", m), &packed);
  DeliveryView headers_only = DeliveryView::Stored("deliver.here", "", m);
  headers_only.headers = "NATS/1.0\r\nNats-Msg-Size: 200\r\n\r\n";
  headers_only.data = {};
  AppendDelivery(headers_only, &packed);
  AppendDelivery(DeliveryView::Plain("_INBOX.x", "", "NATS/1.0 404 No Messages\r\n\r\n"), &packed);
  AppendDelivery(
      DeliveryView::Advisory("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C", "{\"type\":\"x\"}"),
      &packed);
  AppendDelivery(DeliveryView::Plain("_INBOX.acked", "", ""), &packed);
  return packed;
}

TEST(DeliveryFrameTest, WritesWhatProtobufWritesForRepeatedDeliveries) {
  std::string expected;
  for (const v1::Delivery& d : Expected()) expected += Element(d);
  EXPECT_EQ(Packed(), expected);
}

TEST(DeliveryFrameTest, UnpacksIntoMessages) {
  v1::DeliveryBatch batch;
  batch.set_packed_deliveries(Packed());
  const std::vector<v1::Delivery> got = UnpackDeliveries(batch);
  const std::vector<v1::Delivery> expected = Expected();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].SerializeAsString(), expected[i].SerializeAsString()) << i;
  }
}

TEST(DeliveryFrameTest, ReadsTheFieldsInPlace) {
  const std::string packed = Packed();
  std::vector<DeliveryView> got;
  ASSERT_TRUE(ForEachDelivery(packed, [&](const DeliveryView& d) { got.push_back(d); }));
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].subject, "deliver.here");
  EXPECT_EQ(got[0].reply, "$JS.ACK.S.C.1.300.1.-5.0");
  EXPECT_TRUE(got[0].has_message);
  EXPECT_EQ(got[0].message_subject, "orders.eu");
  EXPECT_EQ(got[0].seq, 300u);
  EXPECT_EQ(got[0].time_ns, -5);
  EXPECT_EQ(got[0].message_headers, "NATS/1.0\r\nA: b\r\n\r\n");
  EXPECT_EQ(got[0].data, std::string(200, 'x'));
  EXPECT_EQ(got[0].headers, "");
  EXPECT_EQ(got[1].headers, "NATS/1.0\r\nNats-Msg-Size: 200\r\n\r\n");
  EXPECT_EQ(got[1].data, "");
  EXPECT_FALSE(got[2].has_message);
  EXPECT_EQ(got[2].headers, "NATS/1.0 404 No Messages\r\n\r\n");
  EXPECT_TRUE(got[3].has_message);
  EXPECT_EQ(got[3].message_subject, "");
  EXPECT_EQ(got[3].data, "{\"type\":\"x\"}");
  EXPECT_EQ(got[4].subject, "_INBOX.acked");
  EXPECT_FALSE(got[4].has_message);
  EXPECT_GE(got[0].data.data(), packed.data());
  EXPECT_LT(got[0].data.data(), packed.data() + packed.size());
}

TEST(DeliveryFrameTest, SkipsFieldsItDoesNotKnow) {
  // Field 9 (varint 7) in a delivery, field 2 beside the deliveries.
  const std::string packed =
      Element(Expected()[0].SerializeAsString() + std::string("\x48\x07", 2)) + "\x10\x01";
  int n = 0;
  EXPECT_TRUE(ForEachDelivery(packed, [&](const DeliveryView& v) {
    ++n;
    EXPECT_EQ(v.message_subject, "orders.eu");
  }));
  EXPECT_EQ(n, 1);
}

TEST(DeliveryFrameTest, RefusesTruncatedBytes) {
  const std::string packed = Packed();
  for (size_t cut : {size_t{1}, size_t{10}, packed.size() - 1}) {
    const std::string truncated = packed.substr(0, cut);
    EXPECT_FALSE(ForEachDelivery(truncated, [](const DeliveryView&) {})) << cut;
    v1::DeliveryBatch batch;
    batch.set_packed_deliveries(truncated);
    EXPECT_TRUE(UnpackDeliveries(batch).empty()) << cut;
  }
}

TEST(DeliveryFrameTest, PacksAcksAsProtobufWritesRepeatedAcks) {
  std::string packed;
  AppendAck({"$JS.ACK.S.C.1.2.3.4.5", "+ACK", ""}, &packed);
  AppendAck({"$JS.ACK.S.C.1.3.4.5.0", "-NAK {\"delay\":1}", "_INBOX.sync"}, &packed);
  v1::Ack first;
  first.set_reply_subject("$JS.ACK.S.C.1.2.3.4.5");
  first.set_body("+ACK");
  v1::Ack second;
  second.set_reply_subject("$JS.ACK.S.C.1.3.4.5.0");
  second.set_body("-NAK {\"delay\":1}");
  second.set_reply("_INBOX.sync");
  EXPECT_EQ(packed, Element(first.SerializeAsString()) + Element(second.SerializeAsString()));

  std::vector<std::string> got;
  ASSERT_TRUE(ForEachAck(packed, [&](const AckView& ack) {
    got.push_back(std::string(ack.reply_subject) + "|" + std::string(ack.body) + "|" +
                  std::string(ack.reply));
  }));
  EXPECT_EQ(got,
            (std::vector<std::string>{"$JS.ACK.S.C.1.2.3.4.5|+ACK|",
                                      "$JS.ACK.S.C.1.3.4.5.0|-NAK {\"delay\":1}|_INBOX.sync"}));
  EXPECT_FALSE(ForEachAck(packed.substr(0, packed.size() - 1), [](const AckView&) {}));
}

}  // namespace
}  // namespace jsengine::consumersvc::client
