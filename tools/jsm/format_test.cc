#include "tools/jsm/format.h"

#include "gtest/gtest.h"

namespace jsengine::tools::jsm {
namespace {

TEST(CommaTest, GroupsThousands) {
  EXPECT_EQ(Comma(0), "0");
  EXPECT_EQ(Comma(72), "72");
  EXPECT_EQ(Comma(1000), "1,000");
  EXPECT_EQ(Comma(1234567), "1,234,567");
  EXPECT_EQ(Comma(-12345), "-12,345");
}

TEST(HumanBytesTest, ReadsAsGoHumanizeBytes) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(9), "9 B");
  EXPECT_EQ(HumanBytes(180), "180 B");
  EXPECT_EQ(HumanBytes(1000), "1.0 kB");
  EXPECT_EQ(HumanBytes(6800), "6.8 kB");
  EXPECT_EQ(HumanBytes(6849), "6.8 kB");
  EXPECT_EQ(HumanBytes(68000), "68 kB");
  EXPECT_EQ(HumanBytes(83 * 1000 * 1000), "83 MB");
  EXPECT_EQ(HumanBytes(uint64_t{5} * 1000 * 1000 * 1000 * 1000), "5.0 TB");
}

TEST(AlignedTableTest, PadsColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(AlignedTable({{"", "Subjects", "Bytes"}, {"1) a", "x.>", "0 B"}, {"2) long", "y", ""}}),
            "         Subjects  Bytes\n"
            "1) a     x.>       0 B\n"
            "2) long  y\n");
}

v1::StreamInfo DevicesEvents(uint64_t messages, uint64_t bytes, uint64_t first, uint64_t last) {
  v1::StreamInfo info;
  info.mutable_config()->set_name("devices-events");
  info.mutable_config()->add_subjects("devices.*.events");
  info.mutable_config()->set_max_msgs(-1);
  info.mutable_config()->set_max_bytes(-1);
  info.mutable_state()->set_messages(messages);
  info.mutable_state()->set_bytes(bytes);
  info.mutable_state()->set_first_seq(first);
  info.mutable_state()->set_last_seq(last);
  return info;
}

TEST(StreamInfoTextTest, StartsWithTheSeedsFourLines) {
  EXPECT_EQ(StreamInfoText(DevicesEvents(72, 6800, 1, 72)),
            "\n"
            "Messages: 72\n"
            "Bytes:    6.8 kB\n"
            "FirstSeq: 1\n"
            "LastSeq:  72\n"
            "\n"
            "Name:      devices-events\n"
            "Subjects:  devices.*.events\n"
            "Storage:   file\n"
            "Retention: limits\n"
            "MaxMsgs:   unlimited\n"
            "MaxBytes:  unlimited\n"
            "MaxAge:    unlimited\n"
            "Consumers: 0\n"
            "\n");
}

TEST(StreamInfoTextTest, ShowsLostMessagesAfterTheSeedsLines) {
  v1::StreamInfo info = DevicesEvents(70, 6600, 1, 72);
  info.mutable_state()->mutable_lost()->add_msgs(7);
  info.mutable_state()->mutable_lost()->add_msgs(9);
  info.mutable_state()->mutable_lost()->set_bytes(200);
  EXPECT_NE(StreamInfoText(info).find("LastSeq:  72\n"
                                      "Lost:     2 messages (200 B), sequences 7 to 9\n"
                                      "\n"),
            std::string::npos)
      << StreamInfoText(info);
}

TEST(StreamInfoTextTest, ShowsMirrorAndSourcesProgress) {
  v1::StreamInfo info = DevicesEvents(3, 300, 1, 3);
  info.mutable_mirror()->set_name("O");
  info.mutable_mirror()->set_lag(1200);
  info.mutable_mirror()->set_active_ns(12'000'000);
  v1::StreamSourceInfo* source = info.add_sources();
  source->set_name("A");
  source->set_filter_subject("a.>");
  source->set_active_ns(-1);
  const std::string text = StreamInfoText(info);
  EXPECT_NE(text.find("Consumers: 0\n"
                      "Mirror:    O, lag 1,200, active 12ms\n"
                      "Source:    A (filter a.>), lag 0, active never\n"),
            std::string::npos)
      << text;
}

TEST(StreamInfoTextTest, ShowsLimitsThatAreSet) {
  v1::StreamInfo info = DevicesEvents(0, 0, 0, 0);
  info.mutable_config()->set_max_msgs(1000);
  info.mutable_config()->set_max_bytes(1000000);
  info.mutable_config()->set_max_age_ns(3600LL * 1000 * 1000 * 1000);
  info.mutable_config()->set_storage(v1::STORAGE_MEMORY);
  const std::string text = StreamInfoText(info);
  EXPECT_NE(text.find("MaxMsgs:   1,000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("MaxBytes:  1.0 MB\n"), std::string::npos) << text;
  EXPECT_NE(text.find("MaxAge:    1h0m0s\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Storage:   memory\n"), std::string::npos) << text;
}

TEST(AccountInfoTextTest, SumsMemoryAndFileStreamsAsTheSeed) {
  v1::StreamInfo memory = DevicesEvents(5, 180, 1, 5);
  memory.mutable_config()->set_storage(v1::STORAGE_MEMORY);
  EXPECT_EQ(AccountInfoText({DevicesEvents(72, 6800, 1, 72), memory, DevicesEvents(1, 200, 1, 1)}),
            "\n"
            "Memory:  180 B of unlimited\n"
            "Storage: 7.0 kB of unlimited\n"
            "MsgSets: 3 of unlimited\n"
            "\n");
}

TEST(StreamListTextTest, NumbersStreamsAsTheSeedInAnAlignedTable) {
  v1::StreamInfo other = DevicesEvents(5, 180, 1, 5);
  other.mutable_config()->set_name("wc");
  other.mutable_config()->set_subjects(0, "*");
  other.mutable_config()->set_storage(v1::STORAGE_MEMORY);
  v1::StreamInfo devices = DevicesEvents(72, 6800, 1, 72);
  devices.mutable_state()->set_consumer_count(1);
  EXPECT_EQ(StreamListText({devices, other}),
            "\n"
            "                   Subjects          Storage  Messages  Bytes   Consumers\n"
            "1) devices-events  devices.*.events  file     72        6.8 kB  1\n"
            "2) wc              *                 memory   5         180 B   0\n"
            "\n");
  EXPECT_EQ(StreamListText({}), "\nNone\n\n");
}

v1::ConsumerInfo Temperature() {
  v1::ConsumerInfo info;
  info.set_stream_name("devices-events");
  info.set_name("temperature");
  info.mutable_config()->set_durable_name("temperature");
  info.mutable_config()->set_deliver_subject("devices.events");
  info.mutable_config()->set_ack_policy(v1::ACK_EXPLICIT);
  info.mutable_delivered()->set_consumer_seq(25);
  info.mutable_delivered()->set_stream_seq(25);
  info.mutable_ack_floor()->set_consumer_seq(20);
  info.mutable_ack_floor()->set_stream_seq(20);
  info.set_num_ack_pending(5);
  info.set_num_redelivered(2);
  info.set_num_pending(1234);
  return info;
}

TEST(ConsumerInfoTextTest, ShowsDeliveredAckFloorPendingRedelivered) {
  EXPECT_EQ(ConsumerInfoText(Temperature()),
            "\n"
            "Stream:        devices-events\n"
            "Name:          temperature\n"
            "Delivery:      push to devices.events\n"
            "DeliverPolicy: all\n"
            "AckPolicy:     explicit\n"
            "ReplayPolicy:  instant\n"
            "\n"
            "Delivered:     ObsSeq 25, SetSeq 25\n"
            "AckFloor:      ObsSeq 20, SetSeq 20\n"
            "Pending:       5\n"
            "Redelivered:   2\n"
            "Unprocessed:   1,234\n"
            "\n");
}

TEST(ConsumerInfoTextTest, ShowsPullAndAFilter) {
  v1::ConsumerInfo info = Temperature();
  info.mutable_config()->clear_deliver_subject();
  info.mutable_config()->set_filter_subject("devices.3F45.events");
  const std::string text = ConsumerInfoText(info);
  EXPECT_NE(text.find("Delivery:      pull\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Filter:        devices.3F45.events\n"), std::string::npos) << text;
}

TEST(ConsumerListTextTest, NumbersConsumersInAnAlignedTable) {
  v1::ConsumerInfo pull = Temperature();
  pull.set_name("p1");
  pull.mutable_config()->clear_deliver_subject();
  pull.set_num_pending(0);
  EXPECT_EQ(ConsumerListText({Temperature(), pull}),
            "\n"
            "                Delivery                Ack       Delivered  AckFloor  Pending  "
            "Redelivered  Unprocessed\n"
            "1) temperature  push to devices.events  explicit  25         20        5        "
            "2            1,234\n"
            "2) p1           pull                    explicit  25         20        5        "
            "2            0\n"
            "\n");
  EXPECT_EQ(ConsumerListText({}), "\nNone\n\n");
}

TEST(MessageTextTest, ShowsWhereTheMessageCameFromThenItsPayload) {
  v1::StoredMessage message;
  message.set_subject("devices.3F45.events");
  message.set_seq(5);
  message.set_time_ns(1575846720000000000);  // 2019-12-08T23:12:00Z
  message.set_headers("NATS/1.0\r\nNats-Msg-Id: 7\r\n\r\n");
  message.set_data(R"({"ts": "2019-12-08T23:12:00Z", "temp": 21.3})");
  EXPECT_EQ(MessageText(message),
            "Subject:  devices.3F45.events\n"
            "Sequence: 5\n"
            "Time:     2019-12-08T23:12:00Z\n"
            "Headers:\n"
            "  NATS/1.0\n"
            "  Nats-Msg-Id: 7\n"
            "\n"
            "{\"ts\": \"2019-12-08T23:12:00Z\", \"temp\": 21.3}\n");
}

TEST(PurgeProgressTextTest, SaysHowMuchGoesFromWhichStream) {
  EXPECT_EQ(PurgeProgressText("devices-events", "", 123456, 6800000),
            "Purging 123,456 messages (6.8 MB) from devices-events...\n");
  EXPECT_EQ(PurgeProgressText("S", "", 1, 180), "Purging 1 message (180 B) from S...\n");
  EXPECT_EQ(PurgeProgressText("ORDERS", "orders.new", 2, 0),
            "Purging 2 messages on orders.new from ORDERS...\n");
}

}  // namespace
}  // namespace jsengine::tools::jsm
