#include "consumersvc/pull_request.h"

#include "gtest/gtest.h"

namespace jsengine::consumersvc {
namespace {

TEST(PullRequestTest, ReadsTheFormsNatsServerReads) {
  struct Case {
    const char* body;
    int64_t batch;
    int64_t max_bytes;
    int64_t expires_ns;
    bool no_wait;
    int64_t heartbeat_ns;
  };
  for (const Case& c : {
           Case{"", 1, 0, 0, false, 0},
           Case{"  \r\n", 1, 0, 0, false, 0},
           Case{"10", 10, 0, 0, false, 0},
           Case{" +7 ", 7, 0, 0, false, 0},
           Case{"-3", -3, 0, 0, false, 0},
           Case{"ten", 1, 0, 0, false, 0},
           Case{"99999999999999999999", 1, 0, 0, false, 0},
           Case{R"({"batch":5,"max_bytes":100,"expires":2000000000,"no_wait":true})", 5, 100,
                2000000000, true, 0},
           Case{R"({"expires":3000000000,"idle_heartbeat":1000000000})", 0, 0, 3000000000, false,
                1000000000},
           Case{R"({"batch":2,"unknown":"x"})", 2, 0, 0, false, 0},
           Case{R"({"batch":1,"expires":-1})", 1, 0, 1, false, 0},
           Case{R"({"expires":-5000000000,"no_wait":true})", 0, 0, 1, true, 0},
       }) {
    auto r = ParsePullRequest(c.body);
    ASSERT_TRUE(r.ok()) << c.body << ": " << r.status();
    EXPECT_EQ(r->batch, c.batch) << c.body;
    EXPECT_EQ(r->max_bytes, c.max_bytes) << c.body;
    EXPECT_EQ(r->expires_ns, c.expires_ns) << c.body;
    EXPECT_EQ(r->no_wait, c.no_wait) << c.body;
    EXPECT_EQ(r->heartbeat_ns, c.heartbeat_ns) << c.body;
  }
}

TEST(PullRequestTest, RefusesWhatNatsServerRefuses) {
  for (const char* body : {R"({"batch":)", R"({"batch":"5"})", R"({"no_wait":1})", "{} x",
                           R"({"idle_heartbeat":1000000000})",
                           R"({"expires":1000000000,"idle_heartbeat":600000000})"}) {
    EXPECT_FALSE(ParsePullRequest(body).ok()) << body;
  }
  EXPECT_EQ(ParsePullRequest(R"({"expires":10,"idle_heartbeat":6})").status().message(),
            "heartbeat value too large");
}

}  // namespace
}  // namespace jsengine::consumersvc
