#include "gateway/jetstream/stream_json.h"

#include <string>

#include "gateway/jetstream/testdata.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

TEST(StreamJsonTest, StreamInfoMatchesNatsServer) {
  v1::StreamInfo info = OrdersInfo();
  std::string golden = Golden("stream_list.json");
  EXPECT_EQ(ToJson(info, &WriteStreamInfo), Between(golden, "\"streams\":[", "]}"));
}

TEST(StreamJsonTest, EmptyStreamHasZeroTimes) {
  v1::StreamInfo info;
  v1::StreamConfig& c = *info.mutable_config();
  c.set_name("KV_x");
  c.add_subjects("$KV.x.>");
  c.set_retention(v1::RETENTION_WORK_QUEUE);
  c.set_max_consumers(-1);
  c.set_max_msgs(-1);
  c.set_max_bytes(-1);
  c.set_max_msgs_per_subject(1);
  c.set_max_msg_size(-1);
  c.set_discard(v1::DISCARD_NEW);
  c.set_storage(v1::STORAGE_MEMORY);
  c.set_num_replicas(1);
  c.set_duplicate_window_ns(120000000000);
  c.mutable_placement()->add_tags("a");
  c.set_deny_delete(true);
  c.set_allow_rollup_hdrs(true);
  info.set_created_ns(1795537647973959260);
  info.mutable_state();
  std::string golden = Golden("stream_create_memory.json");
  EXPECT_EQ(ToJson(info, &WriteStreamInfo),
            "{" + Between(golden, "_response\",", ",\"did_create\"") + "}");
}

TEST(StreamJsonTest, ConfigRoundTripsThroughNatsServerJson) {
  for (const char* file : {"stream_create.json", "stream_update.json", "stream_create_memory.json"}) {
    std::string config_json = Between(Golden(file), "\"config\":", ",\"created\"");
    ASSERT_FALSE(config_json.empty()) << file;
    absl::StatusOr<v1::StreamConfig> config = ParseStreamConfig(config_json);
    ASSERT_TRUE(config.ok()) << file << ": " << config.status();
    EXPECT_EQ(ToJson(*config, &WriteStreamConfig), config_json) << file;
  }
}

TEST(StreamJsonTest, SourcesAndRepublishRoundTrip) {
  std::string config_json =
      Between(Golden("x_stream_create_sourced.json"), "\"config\":", ",\"created\"");
  absl::StatusOr<v1::StreamConfig> config = ParseStreamConfig(config_json);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->sources_size(), 2);
  EXPECT_EQ(config->sources(1).opt_start_time_ns(), 1795532400500000000);
  EXPECT_EQ(config->description(), "line\nbreak");
  // Go keeps the client's UTC offset in opt_start_time; the proto keeps the
  // instant, which comes back in UTC.
  std::string expected = config_json;
  expected.replace(expected.find("2026-11-24T16:00:00.5+01:00"), 27, "2026-11-24T15:00:00.5Z");
  EXPECT_EQ(ToJson(*config, &WriteStreamConfig), expected);
}

TEST(StreamJsonTest, DeletedDetailsMatchNatsServer) {
  v1::StreamState s;
  s.set_messages(3);
  s.set_bytes(111);
  s.set_first_seq(1);
  s.set_first_ts_ns(1795538374579864883);
  s.set_last_seq(4);
  s.set_last_ts_ns(1795538377597857481);
  s.set_num_subjects(3);
  s.set_num_deleted(1);
  s.add_deleted(2);
  EXPECT_EQ(ToJson(s, &WriteStreamState),
            Between(Golden("x_stream_info_deleted.json"), "\"state\":", ",\"sources\""));
  s.clear_deleted();
  EXPECT_EQ(ToJson(s, &WriteStreamState),
            Between(Golden("x_stream_info_filter_none.json"), "\"state\":", ",\"sources\""));
}

TEST(StreamJsonTest, ParsesEveryField) {
  absl::StatusOr<v1::StreamConfig> c = ParseStreamConfig(R"({
    "name":"S","description":"d","subjects":["a","b.>"],"retention":"interest",
    "max_consumers":3,"max_msgs":4,"max_bytes":5,"max_age":6,"max_msgs_per_subject":7,
    "max_msg_size":8,"discard":"NEW","storage":"memory","num_replicas":3,"no_ack":true,
    "template_owner":"t","duplicate_window":9,
    "placement":{"cluster":"c","tags":["x","y"]},
    "mirror":{"name":"M","opt_start_seq":10,"filter_subject":"f"},
    "sources":[{"name":"A","opt_start_time":"2026-11-24T16:27:26.951038088Z"},{"name":"B"}],
    "republish":{"src":"a.>","dest":"r.>","headers_only":true},
    "allow_direct":true,"mirror_direct":true,"discard_new_per_subject":true,"sealed":true,
    "deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":true,"metadata":{"k":"v"},
    "compression":"s2","first_seq":11,"subject_transform":{"src":"a","dest":"z"},
    "consumer_limits":{"inactive_threshold":12,"max_ack_pending":13},
    "unknown":{"deep":[1,2]}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->name(), "S");
  EXPECT_EQ(c->description(), "d");
  ASSERT_EQ(c->subjects_size(), 2);
  EXPECT_EQ(c->subjects(1), "b.>");
  EXPECT_EQ(c->retention(), v1::RETENTION_INTEREST);
  EXPECT_EQ(c->max_consumers(), 3);
  EXPECT_EQ(c->max_msgs(), 4);
  EXPECT_EQ(c->max_bytes(), 5);
  EXPECT_EQ(c->max_age_ns(), 6);
  EXPECT_EQ(c->max_msgs_per_subject(), 7);
  EXPECT_EQ(c->max_msg_size(), 8);
  EXPECT_EQ(c->discard(), v1::DISCARD_NEW);
  EXPECT_EQ(c->storage(), v1::STORAGE_MEMORY);
  EXPECT_EQ(c->num_replicas(), 3);
  EXPECT_TRUE(c->no_ack());
  EXPECT_EQ(c->template_owner(), "t");
  EXPECT_EQ(c->duplicate_window_ns(), 9);
  EXPECT_EQ(c->placement().cluster(), "c");
  EXPECT_EQ(c->placement().tags_size(), 2);
  EXPECT_EQ(c->mirror().name(), "M");
  EXPECT_EQ(c->mirror().opt_start_seq(), 10u);
  EXPECT_EQ(c->mirror().filter_subject(), "f");
  ASSERT_EQ(c->sources_size(), 2);
  EXPECT_EQ(c->sources(0).opt_start_time_ns(), 1795537646951038088);
  EXPECT_EQ(c->sources(1).name(), "B");
  EXPECT_EQ(c->republish().src(), "a.>");
  EXPECT_EQ(c->republish().dest(), "r.>");
  EXPECT_TRUE(c->republish().headers_only());
  EXPECT_TRUE(c->allow_direct());
  EXPECT_TRUE(c->mirror_direct());
  EXPECT_TRUE(c->discard_new_per_subject());
  EXPECT_TRUE(c->sealed());
  EXPECT_TRUE(c->deny_delete());
  EXPECT_TRUE(c->deny_purge());
  EXPECT_TRUE(c->allow_rollup_hdrs());
  EXPECT_EQ(c->metadata().at("k"), "v");
  EXPECT_EQ(c->compression(), v1::COMPRESSION_S2);
  EXPECT_EQ(c->first_seq(), 11u);
  EXPECT_EQ(c->subject_transform().src(), "a");
  EXPECT_EQ(c->subject_transform().dest(), "z");
  EXPECT_EQ(c->consumer_limits().inactive_threshold_ns(), 12);
  EXPECT_EQ(c->consumer_limits().max_ack_pending(), 13);

  EXPECT_EQ(
      ToJson(*c, &WriteStreamConfig),
      R"({"name":"S","description":"d","subjects":["a","b.\u003e"],"retention":"interest",)"
      R"("max_consumers":3,"max_msgs":4,"max_bytes":5,"max_age":6,"max_msgs_per_subject":7,)"
      R"("max_msg_size":8,"discard":"new","storage":"memory","num_replicas":3,"no_ack":true,)"
      R"("template_owner":"t","duplicate_window":9,"placement":{"cluster":"c","tags":["x","y"]},)"
      R"("mirror":{"name":"M","opt_start_seq":10,"filter_subject":"f"},)"
      R"("sources":[{"name":"A","opt_start_time":"2026-11-24T16:27:26.951038088Z"},{"name":"B"}],)"
      R"("compression":"s2","first_seq":11,"subject_transform":{"src":"a","dest":"z"},)"
      R"("republish":{"src":"a.\u003e","dest":"r.\u003e","headers_only":true},)"
      R"("allow_direct":true,"mirror_direct":true,"discard_new_per_subject":true,"sealed":true,)"
      R"("deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":true,)"
      R"("consumer_limits":{"inactive_threshold":12,"max_ack_pending":13},"metadata":{"k":"v"}})");
}

TEST(StreamJsonTest, CompressionIsNoneOrS2) {
  EXPECT_EQ(ParseStreamConfig(R"({"name":"S","compression":"none"})")->compression(),
            v1::COMPRESSION_NONE);
  EXPECT_FALSE(ParseStreamConfig(R"({"name":"S","compression":"S2"})").ok());
  EXPECT_FALSE(ParseStreamConfig(R"({"name":"S","compression":""})").ok());
  EXPECT_FALSE(ParseStreamConfig(R"({"name":"S","compression":null})").ok());
}

TEST(StreamJsonTest, AbsentFieldsStayZero) {
  absl::StatusOr<v1::StreamConfig> c = ParseStreamConfig(R"({"name":"S"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->max_msgs(), 0);
  EXPECT_EQ(c->storage(), v1::STORAGE_FILE);
  EXPECT_FALSE(c->has_placement());
  EXPECT_FALSE(c->has_mirror());
  EXPECT_FALSE(c->has_republish());
}

TEST(StreamJsonTest, RejectsWrongTypesAndUnknownEnums) {
  for (const char* bad :
       {R"({"name":1})", R"({"subjects":"a"})", R"({"max_msgs":"ten"})", R"({"max_age":1.5})",
        R"({"retention":"Limits"})", R"({"storage":"disk"})", R"({"discard":"oldest"})",
        R"({"max_msg_size":4294967296})", R"({"placement":"x"})", R"({"mirror":{"name":2}})",
        R"({"sources":[1]})", R"({"sources":[{"opt_start_time":"soon"}]})",
        R"({"republish":{"headers_only":"yes"}})", R"({"metadata":{"a":1}})", R"({"sealed":1})",
        R"({"storage":null})", R"({"retention":null})", R"([])", R"({"name":)"}) {
    absl::StatusOr<v1::StreamConfig> c = ParseStreamConfig(bad);
    EXPECT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(StreamJsonTest, SubjectsMapIsSortedAndDeletedListed) {
  v1::StreamState s;
  (*s.mutable_subjects())["ship.eu.x"] = 1;
  (*s.mutable_subjects())["orders.b"] = 2;
  (*s.mutable_subjects())["orders.a"] = 3;
  s.set_num_deleted(2);
  s.add_deleted(4);
  s.add_deleted(6);
  s.set_consumer_count(1);
  EXPECT_EQ(ToJson(s, &WriteStreamState),
            R"({"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z",)"
            R"("last_seq":0,"last_ts":"0001-01-01T00:00:00Z",)"
            R"("subjects":{"orders.a":3,"orders.b":2,"ship.eu.x":1},"num_deleted":2,)"
            R"("deleted":[4,6],"consumer_count":1})");
}

// As nats-server's StreamState.Lost (`json:"lost,omitempty"`), between
// "deleted" and "consumer_count".
TEST(StreamJsonTest, LostDataListedOnlyWhenSet) {
  v1::StreamState s;
  s.set_first_seq(5);
  s.set_last_seq(9);
  s.set_consumer_count(2);
  const std::string none = ToJson(s, &WriteStreamState);
  EXPECT_EQ(none.find("lost"), std::string::npos) << none;
  s.mutable_lost()->add_msgs(3);
  s.mutable_lost()->add_msgs(4);
  s.mutable_lost()->set_bytes(250);
  EXPECT_EQ(ToJson(s, &WriteStreamState),
            R"({"messages":0,"bytes":0,"first_seq":5,"first_ts":"0001-01-01T00:00:00Z",)"
            R"("last_seq":9,"last_ts":"0001-01-01T00:00:00Z",)"
            R"("lost":{"msgs":[3,4],"bytes":250},"consumer_count":2})");
}

TEST(StreamJsonTest, StoredMessageMatchesNatsServer) {
  v1::StoredMessage m = CapturedMessage(2);
  EXPECT_EQ(ToJson(m, &WriteStoredMessage),
            Between(Golden("msg_get_seq.json"), "\"message\":", "}}") + "}");

  v1::StoredMessage empty;
  empty.set_subject("a");
  empty.set_seq(1);
  empty.set_time_ns(1);
  EXPECT_EQ(ToJson(empty, &WriteStoredMessage),
            R"({"subject":"a","seq":1,"time":"1970-01-01T00:00:00.000000001Z"})");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
