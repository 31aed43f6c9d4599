#include "gateway/jetstream/stream_bindings.h"

#include <map>
#include <set>
#include <utility>

#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

class StreamBindingsTest : public ::testing::Test {
 protected:
  std::map<uint64_t, std::string> live_;
  uint64_t next_handle_ = 1;
  StreamBindings bindings_{[this](const std::string& stream, const std::string& subject) {
                             live_.emplace(next_handle_, stream + " " + subject);
                             return next_handle_++;
                           },
                           [this](uint64_t handle) { EXPECT_EQ(live_.erase(handle), 1u); }};

  std::multiset<std::string> Live() {
    std::multiset<std::string> out;
    for (auto& [handle, what] : live_) out.insert(what);
    return out;
  }
};

v1::StreamConfig Config(const std::string& name, std::vector<std::string> subjects) {
  v1::StreamConfig config;
  config.set_name(name);
  for (auto& s : subjects) config.add_subjects(s);
  return config;
}

TEST_F(StreamBindingsTest, BindsEachSubjectOnce) {
  bindings_.Apply(Config("ORDERS", {"orders.*", "returns.>"}));
  bindings_.Apply(Config("ORDERS", {"orders.*", "returns.>"}));
  EXPECT_EQ(Live(), (std::multiset<std::string>{"ORDERS orders.*", "ORDERS returns.>"}));
}

TEST_F(StreamBindingsTest, DefaultsSubjectToStreamName) {
  bindings_.Apply(Config("EVENTS", {}));
  EXPECT_EQ(Live(), (std::multiset<std::string>{"EVENTS EVENTS"}));
}

TEST_F(StreamBindingsTest, UpdateReplacesSubjects) {
  bindings_.Apply(Config("ORDERS", {"orders.*"}));
  bindings_.Apply(Config("ORDERS", {"orders.>"}));
  EXPECT_EQ(Live(), (std::multiset<std::string>{"ORDERS orders.>"}));
  EXPECT_EQ(bindings_.SubjectsOf("ORDERS"), std::vector<std::string>{"orders.>"});
}

TEST_F(StreamBindingsTest, RemoveUnbinds) {
  bindings_.Apply(Config("A", {"a"}));
  bindings_.Apply(Config("B", {"b"}));
  bindings_.Remove("A");
  bindings_.Remove("missing");
  EXPECT_EQ(Live(), (std::multiset<std::string>{"B b"}));
  EXPECT_TRUE(bindings_.SubjectsOf("A").empty());
}

TEST_F(StreamBindingsTest, RetainOnlyUnbindsTheRest) {
  bindings_.Apply(Config("A", {"a"}));
  bindings_.Apply(Config("B", {"b.*", "b.>"}));
  bindings_.Apply(Config("C", {"c"}));
  bindings_.RetainOnly({"A", "C", "NEVER_BOUND"});
  EXPECT_EQ(Live(), (std::multiset<std::string>{"A a", "C c"}));
  EXPECT_TRUE(bindings_.SubjectsOf("B").empty());
  bindings_.RetainOnly({});
  EXPECT_TRUE(Live().empty());
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
