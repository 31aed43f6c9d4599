#include "gateway/monitor/system_json.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::monitor {
namespace {

ServerIdentity Identity() {
  ServerIdentity id;
  id.name = "alpha-1";
  id.host = "127.0.0.1";
  id.id = "NID";
  id.domain = "hub";
  return id;
}

SystemRequest Request(const char* body) {
  absl::StatusOr<SystemRequest> r = ParseSystemRequest(body);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : SystemRequest{};
}

TEST(SystemJsonTest, FiltersAsNatsServer) {
  EXPECT_FALSE(FilteredOut(Request(""), Identity()));
  EXPECT_FALSE(FilteredOut(Request(R"({"server_name":"pha"})"), Identity()));
  EXPECT_TRUE(FilteredOut(Request(R"({"server_name":"beta"})"), Identity()));
  EXPECT_TRUE(FilteredOut(Request(R"({"host":"10.0"})"), Identity()));
  EXPECT_TRUE(FilteredOut(Request(R"({"cluster":"c"})"), Identity()));
  EXPECT_TRUE(FilteredOut(Request(R"({"tags":["x"]})"), Identity()));
  EXPECT_FALSE(FilteredOut(Request(R"({"domain":"hub"})"), Identity()));
  EXPECT_TRUE(FilteredOut(Request(R"({"domain":"leaf"})"), Identity()));
}

TEST(SystemJsonTest, RejectsBodiesThatAreNotObjects) {
  EXPECT_FALSE(ParseSystemRequest("{").ok());
  EXPECT_FALSE(ParseSystemRequest("[1]").ok());
}

TEST(SystemJsonTest, MapsEndpointOptionsToQueries) {
  QueryParams connz = RequestQuery(
      "CONNZ", Request(R"({"limit":5,"sort":"bytes_to","subscriptions_detail":true,"state":"all",
                           "auth":true,"acc":"A","server_name":"x"})"));
  EXPECT_EQ(connz, (QueryParams{{"limit", "5"},
                                {"sort", "bytes_to"},
                                {"subs", "detail"},
                                {"state", "all"},
                                {"auth", "true"},
                                {"acc", "A"}}));
  QueryParams subsz =
      RequestQuery("SUBSZ", Request(R"({"subscriptions":true,"test":"a.b","account":"A"})"));
  EXPECT_EQ(subsz, (QueryParams{{"subs", "true"}, {"test", "a.b"}, {"acc", "A"}}));
  QueryParams jsz = RequestQuery("JSZ", Request(R"({"accounts":true,"consumer":true})"));
  EXPECT_EQ(jsz, (QueryParams{{"accounts", "true"}, {"consumers", "true"}}));
}

TEST(SystemJsonTest, DisconnectCountsAreTheClientsView) {
  core::ConnectionInfo info;
  info.cid = 7;
  info.account = "A";
  info.user = "u";
  info.counts = {1, 10, 2, 20};
  const OrderedJson e = DisconnectEventJson("E", absl::FromUnixSeconds(1), OrderedJson::object(),
                                            info, "Client Closed");
  EXPECT_EQ(e["type"], "io.nats.server.advisory.v1.client_disconnect");
  EXPECT_EQ(e["sent"]["msgs"], 1);
  EXPECT_EQ(e["received"]["bytes"], 20);
  EXPECT_EQ(e["client"]["acc"], "A");
  EXPECT_EQ(e["client"]["user"], "u");
  EXPECT_TRUE(e["client"].contains("stop"));
  EXPECT_EQ(e["reason"], "Client Closed");
}

TEST(SystemJsonTest, EventIdsAreNuidShaped) {
  const std::string a = NewEventId(), b = NewEventId();
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace jsengine::gateway::monitor
