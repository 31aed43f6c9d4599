#include "gateway/jetstream/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/go_json_reader.h"

namespace jsengine::gateway::jetstream {
namespace {

void CheckGolden(const absl::Status& status, absl::string_view what) {
  if (status.ok()) return;
  std::fprintf(stderr, "bad golden %s: %s\n", std::string(what).c_str(), status.ToString().c_str());
  std::abort();
}

v1::SequenceInfo SequenceFromGolden(const common::GoJsonObject& reply, absl::string_view key) {
  common::GoJsonObject json;
  bool present = false;
  uint64_t consumer_seq = 0, stream_seq = 0;
  int64_t last_active = 0;
  CheckGolden(reply.GetObject(key, &json, &present), key);
  CheckGolden(json.GetUint64("consumer_seq", &consumer_seq), key);
  CheckGolden(json.GetUint64("stream_seq", &stream_seq), key);
  CheckGolden(json.GetTime("last_active", &last_active), key);
  v1::SequenceInfo sequence;
  sequence.set_consumer_seq(consumer_seq);
  sequence.set_stream_seq(stream_seq);
  sequence.set_last_active_ns(last_active);
  return sequence;
}

}  // namespace

std::string UpgradeTo210(const std::string& reply) {
  static const std::regex kBeforeDirect(R"((,"republish":\{[^}]*\})?,"allow_direct":)");
  static const std::regex kAfterRollup(R"("allow_rollup_hdrs":(true|false)\})");
  std::string out =
      std::regex_replace(reply, kBeforeDirect, R"(,"compression":"none"$1,"allow_direct":)");
  return std::regex_replace(out, kAfterRollup, R"("allow_rollup_hdrs":$1,"consumer_limits":{}})");
}

std::string Golden(absl::string_view name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string path = absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "",
                                  "/gateway/jetstream/testdata/", name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "missing golden file %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream data;
  data << in.rdbuf();
  return UpgradeTo210(data.str());
}

std::string Between(const std::string& s, const std::string& after, const std::string& before) {
  size_t start = s.find(after);
  if (start == std::string::npos) return "";
  start += after.size();
  size_t end = s.find(before, start);
  return end == std::string::npos ? "" : s.substr(start, end - start);
}

v1::StreamConfig OrdersConfig() {
  v1::StreamConfig c;
  c.set_name("ORDERS");
  c.add_subjects("orders.*");
  c.add_subjects("ship.>");
  c.set_max_consumers(-1);
  c.set_max_msgs(-1);
  c.set_max_bytes(-1);
  c.set_max_msgs_per_subject(-1);
  c.set_max_msg_size(-1);
  c.set_num_replicas(1);
  c.set_duplicate_window_ns(120000000000);
  c.set_allow_direct(true);
  return c;
}

v1::StreamInfo OrdersInfo() {
  v1::StreamInfo info;
  *info.mutable_config() = OrdersConfig();
  info.set_created_ns(1795537646951038088);
  v1::StreamState* s = info.mutable_state();
  s->set_messages(2);
  s->set_bytes(135);
  s->set_first_seq(2);
  s->set_first_ts_ns(1795537646954037748);
  s->set_last_seq(3);
  s->set_last_ts_ns(1795537646955296252);
  s->set_num_subjects(2);
  return info;
}

v1::StoredMessage CapturedMessage(uint64_t seq) {
  v1::StoredMessage m;
  m.set_seq(seq);
  switch (seq) {
    case 1:
      m.set_subject("orders.a");
      m.set_data("hello");
      m.set_time_ns(1795537646953633808);
      break;
    case 2:
      m.set_subject("orders.b");
      m.set_headers("NATS/1.0\r\nNats-Msg-Id: m1\r\nX-Trace: t<1>\r\n\r\n");
      m.set_data("world");
      m.set_time_ns(1795537646954037748);
      break;
    default:
      m.set_subject("ship.eu.x");
      m.set_data("third");
      m.set_time_ns(1795537646955296252);
      break;
  }
  return m;
}

v1::ConsumerInfo ConsumerStateFromGolden(const std::string& json) {
  absl::StatusOr<common::GoJsonObject> reply = common::GoJsonObject::Parse(json);
  CheckGolden(reply.status(), json);
  std::string stream, name;
  int64_t created = 0, ack_pending = 0, redelivered = 0, waiting = 0;
  uint64_t pending = 0;
  bool push_bound = false;
  CheckGolden(reply->GetString("stream_name", &stream), "stream_name");
  CheckGolden(reply->GetString("name", &name), "name");
  CheckGolden(reply->GetTime("created", &created), "created");
  CheckGolden(reply->GetInt64("num_ack_pending", &ack_pending), "num_ack_pending");
  CheckGolden(reply->GetInt64("num_redelivered", &redelivered), "num_redelivered");
  CheckGolden(reply->GetInt64("num_waiting", &waiting), "num_waiting");
  CheckGolden(reply->GetUint64("num_pending", &pending), "num_pending");
  CheckGolden(reply->GetBool("push_bound", &push_bound), "push_bound");
  if (name.empty()) CheckGolden(absl::InvalidArgumentError("no consumer info"), json);
  v1::ConsumerInfo info;
  info.set_stream_name(stream);
  info.set_name(name);
  info.set_created_ns(created);
  *info.mutable_delivered() = SequenceFromGolden(*reply, "delivered");
  *info.mutable_ack_floor() = SequenceFromGolden(*reply, "ack_floor");
  info.set_num_ack_pending(ack_pending);
  info.set_num_redelivered(redelivered);
  info.set_num_waiting(waiting);
  info.set_num_pending(pending);
  info.set_push_bound(push_bound);
  return info;
}

}  // namespace jsengine::gateway::jetstream
