#include "common/syslog_sink.h"

#include <syslog.h>

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(SyslogSinkTest, ForwardsMessagesWithTheirPriority) {
  std::vector<std::pair<int, std::string>> got;
  SyslogSink sink([&got](int priority, std::string_view message) {
    got.emplace_back(priority, std::string(message));
  });
  google::AddLogSink(&sink);
  LOG(INFO) << "hello";
  LOG(WARNING) << "careful";
  LOG(ERROR) << "broken";
  google::RemoveLogSink(&sink);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].first, LOG_INFO);
  EXPECT_EQ(got[1].first, LOG_WARNING);
  EXPECT_EQ(got[2].first, LOG_ERR);
  EXPECT_NE(got[0].second.find("syslog_sink_test.cc:"), std::string::npos) << got[0].second;
  EXPECT_NE(got[0].second.find("] hello"), std::string::npos) << got[0].second;
  EXPECT_EQ(SyslogSink::Priority(google::GLOG_FATAL), LOG_CRIT);
}

}  // namespace
}  // namespace jsengine::common
