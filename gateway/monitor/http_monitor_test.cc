#include "gateway/monitor/http_monitor.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::monitor {
namespace {

TEST(MonitorPathTest, JoinsTheBasePathAsNatsServerDoes) {
  struct Case {
    const char* base;
    const char* path;
    const char* want;
  };
  for (const Case& c : {
           Case{"", "/varz", "/varz"},
           Case{"/", "/varz", "/varz"},
           Case{"nats", "/varz", "/nats/varz"},
           Case{"/nats/", "/connz", "/nats/connz"},
           Case{"//a//b/./c/../", "/jsz", "/a/b/jsz"},
           Case{"/../x", "/healthz", "/x/healthz"},
           Case{"/nats", "/", "/nats"},
           Case{"", "/", "/"},
       }) {
    EXPECT_EQ(MonitorPath(c.base, c.path), c.want) << c.base << " " << c.path;
  }
}

}  // namespace
}  // namespace jsengine::gateway::monitor
