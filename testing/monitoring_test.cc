// HTTP monitoring (-m) as tools written for nats-server read it: the same
// raw HTTP requests go to nats-server and to the gateway (both with -js, then
// both without), each with one client connected, and the JSON answers must have the same fields
// (recursively: keys of objects, and of the first element of arrays).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ports_file.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

using Json = nlohmann::json;

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 GET on a fresh connection, read until the server closes it.
HttpAnswer HttpGet(int port, const std::string& target) {
  HttpAnswer answer;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return answer;
  }
  const std::string request =
      absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return answer;
  }
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) response.append(buffer, n);
  close(fd);
  const size_t space = response.find(' ');
  const size_t body = response.find("\r\n\r\n");
  if (space == std::string::npos || body == std::string::npos) return answer;
  answer.status = std::atoi(response.c_str() + space + 1);
  answer.body = response.substr(body + 4);
  return answer;
}

// "a", "a.b", "a.list[].c", ...: every field of `json`, recursively. The
// keys of maps that count things by name (http_req_stats) are data, not
// fields.
void Fields(const Json& json, const std::string& prefix, std::set<std::string>* out) {
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) {
      const std::string name = prefix.empty() ? key : absl::StrCat(prefix, ".", key);
      out->insert(name);
      if (key != "http_req_stats") Fields(value, name, out);
    }
  } else if (json.is_array() && !json.empty()) {
    Fields(json[0], prefix + "[]", out);
  }
}

struct Server {
  std::unique_ptr<harness::Process> process;
  int nats_port = 0;
  int http_port = 0;
};

Server Start(const std::string& binary, std::vector<std::string> args, bool jetstream) {
  Server server;
  const std::string ports_dir = util::MakeTempDir("ports-");
  args.insert(args.end(),
              {"-a", "127.0.0.1", "-p", "-1", "-m", "-1", "--ports_file_dir", ports_dir});
  if (jetstream) args.insert(args.end(), {"-js", "-sd", util::MakeTempDir("store-")});
  auto process = harness::Process::Start(binary, args);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return server;
  server.process = std::move(*process);
  auto ports = server.process->WaitForPortsFile(ports_dir, absl::Seconds(30));
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (!ports.ok() || ports->nats.empty() || ports->monitoring.empty()) return server;
  server.nats_port = common::PortOf(ports->nats[0]).value_or(0);
  server.http_port = common::PortOf(ports->monitoring[0]).value_or(0);
  return server;
}

// Fields nats-server has that the gateway leaves out on purpose.
const std::set<std::string> kOnlyInNatsServer = {
    "system_account",  // /varz, /accountz: there is no system account
    // /accountz?acc=$G: the global account's imports from the system account.
    "account_detail.imports",
    "account_detail.imports[].subject",
    "account_detail.imports[].account",
    "account_detail.imports[].to",
    "account_detail.imports[].type",
    "account_detail.imports[].invalid",
    "account_detail.imports[].share",
    "account_detail.imports[].tracking",
};

class MonitoringTest : public ::testing::TestWithParam<bool> {};

TEST_P(MonitoringTest, AnswersHaveNatsServersFields) {
  const bool jetstream = GetParam();
  Server reference = Start(harness::NatsServerBinary(), {}, jetstream);
  Server ours =
      Start(harness::RunfilePath("gateway/gateway"), {"--grpc_listen=127.0.0.1:0"}, jetstream);
  ASSERT_GT(reference.http_port, 0);
  ASSERT_GT(ours.http_port, 0);

  std::vector<std::unique_ptr<core::RawClient>> clients;
  for (const Server* server : {&reference, &ours}) {
    auto client = std::make_unique<core::RawClient>(server->nats_port);
    ASSERT_TRUE(client->connected());
    client->Send(
        "CONNECT {\"verbose\":false,\"name\":\"probe\",\"lang\":\"c\",\"version\":\"3.4\"}\r\n"
        "SUB probe.x 1\r\nPUB probe.x 2\r\nhi\r\nPING\r\n");
    ASSERT_TRUE(client->ReadUntil("PONG"));
    clients.push_back(std::move(client));
  }

  for (const char* target :
       {"/varz", "/connz", "/connz?limit=1&offset=0", "/connz?subs=1", "/connz?subs=detail",
        "/connz?sort=subs&subs=true", "/connz?sort=uptime", "/connz?sort=bytes_to", "/subsz",
        "/jsz", "/accountz", "/accountz?acc=$G", "/healthz", "/healthz?js-enabled-only=true",
        "/healthz?js-server-only=true"}) {
    SCOPED_TRACE(target);
    const HttpAnswer theirs = HttpGet(reference.http_port, target);
    const HttpAnswer mine = HttpGet(ours.http_port, target);
    EXPECT_EQ(mine.status, theirs.status);
    const Json their_json = Json::parse(theirs.body, nullptr, false);
    const Json my_json = Json::parse(mine.body, nullptr, false);
    ASSERT_FALSE(their_json.is_discarded()) << theirs.body;
    ASSERT_FALSE(my_json.is_discarded()) << mine.body;
    std::set<std::string> their_fields, my_fields;
    Fields(their_json, "", &their_fields);
    Fields(my_json, "", &my_fields);
    for (const std::string& field : kOnlyInNatsServer) their_fields.erase(field);
    std::vector<std::string> missing, extra;
    for (const std::string& f : their_fields) {
      if (my_fields.count(f) == 0) missing.push_back(f);
    }
    for (const std::string& f : my_fields) {
      if (their_fields.count(f) == 0) extra.push_back(f);
    }
    EXPECT_TRUE(missing.empty()) << "missing: " << absl::StrJoin(missing, ", ");
    EXPECT_TRUE(extra.empty()) << "not in nats-server's: " << absl::StrJoin(extra, ", ");
  }

  const Json connz = Json::parse(HttpGet(ours.http_port, "/connz").body);
  ASSERT_EQ(connz["connections"].size(), 1u);
  EXPECT_EQ(connz["connections"][0]["name"], "probe");
  EXPECT_EQ(connz["connections"][0]["in_msgs"], 1);
  EXPECT_EQ(HttpGet(ours.http_port, "/healthz?js-enabled-only=maybe").status,
            HttpGet(reference.http_port, "/healthz?js-enabled-only=maybe").status);
  for (const char* target : {"/connz?sort=bogus", "/connz?sort=stop", "/connz?subs=maybe",
                             "/healthz?js-enabled-only=maybe"}) {
    SCOPED_TRACE(target);
    const HttpAnswer theirs = HttpGet(reference.http_port, target);
    const HttpAnswer mine = HttpGet(ours.http_port, target);
    EXPECT_EQ(mine.status, theirs.status);
    if (theirs.status != 200) {
      EXPECT_EQ(mine.body, theirs.body);
    }
  }

  // /metrics (ours only): counters move with publishes, and with JetStream a
  // stream's figures with the messages it stores.
  core::RawClient& client = *clients.back();
  const std::string before = HttpGet(ours.http_port, "/metrics").body;
  EXPECT_NE(before.find("\njsengine_in_msgs_total 1\n"), std::string::npos) << before;
  if (jetstream) {
    const std::string create = R"({"name":"M","subjects":["m.>"]})";
    client.Clear();
    client.Send(absl::StrCat("SUB ack.> 9\r\nPUB $JS.API.STREAM.CREATE.M ack.0 ", create.size(),
                             "\r\n", create, "\r\n"));
    ASSERT_TRUE(client.ReadUntil("MSG ack.0 ")) << client.buffer();
    client.Send("PUB m.1 ack.1 1\r\na\r\nPUB m.2 ack.2 1\r\nb\r\n");
    ASSERT_TRUE(client.ReadUntil("MSG ack.2 ")) << client.buffer();
    const std::string after = HttpGet(ours.http_port, "/metrics").body;
    EXPECT_NE(after.find("\njsengine_stream_messages{stream=\"M\"} 2\n"), std::string::npos)
        << after;
    EXPECT_NE(after.find("\njsengine_stream_last_seq{stream=\"M\"} 2\n"), std::string::npos)
        << after;
    EXPECT_NE(after.find("\njsengine_in_msgs_total 4\n"), std::string::npos) << after;
  }
}

INSTANTIATE_TEST_SUITE_P(JetStream, MonitoringTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "On" : "Off";
                         });

}  // namespace
}  // namespace jsengine::testing
