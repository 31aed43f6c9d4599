#include "gateway/jetstream/stream_advisory.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::jetstream {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Keys(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  return keys;
}

TEST(StreamAdvisoryTest, SubjectsAndActionsAsNatsServer) {
  const int64_t now = 1700000000123456789;
  JsApiEvent created = StreamActionAdvisory("ORDERS", StreamAction::kCreate, "", now);
  EXPECT_EQ(created.subject, "$JS.EVENT.ADVISORY.STREAM.CREATED.ORDERS");
  auto j = nlohmann::ordered_json::parse(created.payload);
  EXPECT_THAT(Keys(j), ElementsAre("type", "id", "timestamp", "stream", "action"));
  EXPECT_EQ(j["type"], "io.nats.jetstream.advisory.v1.stream_action");
  EXPECT_EQ(j["id"].get<std::string>().size(), 22u);
  EXPECT_EQ(j["timestamp"], "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(j["stream"], "ORDERS");
  EXPECT_EQ(j["action"], "create");

  JsApiEvent updated = StreamActionAdvisory("ORDERS", StreamAction::kModify, "", now);
  EXPECT_EQ(updated.subject, "$JS.EVENT.ADVISORY.STREAM.UPDATED.ORDERS");
  EXPECT_EQ(nlohmann::json::parse(updated.payload)["action"], "modify");
  JsApiEvent deleted = StreamActionAdvisory("ORDERS", StreamAction::kDelete, "", now);
  EXPECT_EQ(deleted.subject, "$JS.EVENT.ADVISORY.STREAM.DELETED.ORDERS");
  EXPECT_EQ(nlohmann::json::parse(deleted.payload)["action"], "delete");
}

TEST(StreamAdvisoryTest, DomainOnlyWhenSet) {
  JsApiEvent e = StreamActionAdvisory("S", StreamAction::kCreate, "hub", 0);
  EXPECT_EQ(nlohmann::json::parse(e.payload)["domain"], "hub");
  EXPECT_FALSE(
      nlohmann::json::parse(StreamActionAdvisory("S", StreamAction::kCreate, "", 0).payload)
          .contains("domain"));
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
