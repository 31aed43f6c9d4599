#include "gateway/jetstream/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace jsengine::gateway::jetstream {

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
  return data.str();
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

}  // namespace jsengine::gateway::jetstream
