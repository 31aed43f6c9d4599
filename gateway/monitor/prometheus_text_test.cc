#include "gateway/monitor/prometheus_text.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::monitor {
namespace {

TEST(PrometheusTextTest, WritesHelpTypeAndSamples) {
  PrometheusText out;
  out.Metric("a_total", "counter", "Things.\nMore");
  out.Sample({}, 3);
  out.Metric("b", "gauge", "B.");
  out.Sample({{"stream", "x\"y\\z\n"}, {"consumer", "c"}}, 1.5);
  EXPECT_EQ(out.text(),
            "# HELP a_total Things.\\nMore\n"
            "# TYPE a_total counter\n"
            "a_total 3\n"
            "# HELP b B.\n"
            "# TYPE b gauge\n"
            "b{stream=\"x\\\"y\\\\z\\n\",consumer=\"c\"} 1.5\n");
}

}  // namespace
}  // namespace jsengine::gateway::monitor
