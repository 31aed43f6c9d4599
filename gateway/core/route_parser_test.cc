#include "gateway/core/route_parser.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

// Records each operation as a line of text.
class Recorder : public RouteParserHandler {
 public:
  bool OnRouteInfo(std::string_view json) override { return Add("INFO " + std::string(json)); }
  bool OnRouteConnect(std::string_view json) override {
    return Add("CONNECT " + std::string(json));
  }
  bool OnRoutePing() override { return Add("PING"); }
  bool OnRoutePong() override { return Add("PONG"); }
  bool OnRouteErr(std::string_view text) override { return Add("ERR " + std::string(text)); }
  bool OnRemoteSub(std::string_view account, std::string_view subject, std::string_view queue,
                   int weight) override {
    return Add("SUB " + std::string(account) + " " + std::string(subject) + " [" +
               std::string(queue) + "] " + std::to_string(weight));
  }
  bool OnRemoteUnsub(std::string_view account, std::string_view subject,
                     std::string_view queue) override {
    return Add("UNSUB " + std::string(account) + " " + std::string(subject) + " [" +
               std::string(queue) + "]");
  }
  bool OnRoutedMessage(const RoutedMessage& m) override {
    std::string q;
    for (std::string_view s : m.queues) q += std::string(s) + ",";
    return Add(std::string(m.has_headers ? "HMSG " : "MSG ") + std::string(m.account) + " " +
               std::string(m.subject) + " reply=" + std::string(m.reply) + " queues=" + q +
               " hdr=" + std::string(m.headers) + " body=" + std::string(m.payload));
  }

  std::vector<std::string> ops;
  bool stop = false;

 private:
  bool Add(std::string op) {
    ops.push_back(std::move(op));
    return !stop;
  }
};

TEST(RouteParserTest, ParsesHandshakeAndInterest) {
  Recorder r;
  const std::string in =
      "INFO {\"server_id\":\"A\"}\r\nCONNECT {}\r\nPING\r\npong\r\n"
      "RS+ $G foo.*\r\nRS+ ACC bar grp 3\r\nRS- $G foo.*\r\nRS- ACC bar grp\r\n"
      "-ERR 'Duplicate Route'\r\n+OK\r\n";
  RouteParseResult res = ParseRoute(in, RouteParserLimits(), &r);
  EXPECT_EQ(res.error, RouteParseError::kNone);
  EXPECT_EQ(res.consumed, in.size());
  EXPECT_EQ(r.ops, (std::vector<std::string>{"INFO {\"server_id\":\"A\"}", "CONNECT {}", "PING",
                                             "PONG", "SUB $G foo.* [] 0", "SUB ACC bar [grp] 3",
                                             "UNSUB $G foo.* []", "UNSUB ACC bar [grp]",
                                             "ERR 'Duplicate Route'"}));
}

TEST(RouteParserTest, ParsesMessagesWithRepliesQueuesAndHeaders) {
  Recorder r;
  const std::string in =
      "RMSG $G foo 5\r\nhello\r\n"
      "RMSG $G foo r.1 2\r\nhi\r\n"
      "RMSG $G foo + r.2 q1 q2 0\r\n\r\n"
      "RMSG $G foo | q1 1\r\nx\r\n"
      "HMSG A foo r 12 14\r\nNATS/1.0\r\n\r\nok\r\n";
  RouteParseResult res = ParseRoute(in, RouteParserLimits(), &r);
  EXPECT_EQ(res.error, RouteParseError::kNone);
  EXPECT_EQ(r.ops,
            (std::vector<std::string>{"MSG $G foo reply= queues= hdr= body=hello",
                                      "MSG $G foo reply=r.1 queues= hdr= body=hi",
                                      "MSG $G foo reply=r.2 queues=q1,q2, hdr= body=",
                                      "MSG $G foo reply= queues=q1, hdr= body=x",
                                      "HMSG A foo reply=r queues= hdr=NATS/1.0\r\n\r\n body=ok"}));
}

TEST(RouteParserTest, WaitsForTheRestOfAMessage) {
  Recorder r;
  const std::string in = "PING\r\nRMSG $G foo 5\r\nhel";
  RouteParseResult res = ParseRoute(in, RouteParserLimits(), &r);
  EXPECT_EQ(res.error, RouteParseError::kNone);
  EXPECT_EQ(res.consumed, 6u);
  EXPECT_EQ(r.ops.size(), 1u);
}

TEST(RouteParserTest, RejectsMalformedInput) {
  const std::vector<std::pair<std::string, RouteParseError>> cases = {
      {"MSG foo 1 1\r\nx\r\n", RouteParseError::kUnknownOp},
      {"RS+ $G\r\n", RouteParseError::kBadArguments},
      {"RS+ $G foo grp\r\n", RouteParseError::kBadArguments},
      {"RS+ $G foo grp x\r\n", RouteParseError::kBadArguments},
      {"RS- $G foo grp extra\r\n", RouteParseError::kBadArguments},
      {"RMSG $G foo\r\n", RouteParseError::kBadArguments},
      {"RMSG $G foo x q 1\r\nx\r\n", RouteParseError::kBadArguments},
      {"RMSG $G foo 1\r\nxyz\r\n", RouteParseError::kBadArguments},
      {"HMSG $G foo 5 2\r\nxx\r\n", RouteParseError::kBadArguments},
      {"RMSG $G foo 999999999\r\n", RouteParseError::kMaxPayload},
  };
  for (const auto& [in, want] : cases) {
    Recorder r;
    RouteParserLimits limits;
    limits.max_payload = 1000;
    EXPECT_EQ(ParseRoute(in, limits, &r).error, want) << in;
  }
  Recorder r;
  RouteParserLimits limits;
  limits.max_control_line = 16;
  EXPECT_EQ(ParseRoute("RS+ $G a.very.long.subject", limits, &r).error,
            RouteParseError::kMaxControlLine);
}

TEST(RouteParserTest, StopsWhenTheHandlerSaysSo) {
  Recorder r;
  r.stop = true;
  RouteParseResult res = ParseRoute("PING\r\nPING\r\n", RouteParserLimits(), &r);
  EXPECT_EQ(res.error, RouteParseError::kStopped);
  EXPECT_EQ(res.consumed, 6u);
}

TEST(RouteParserTest, LeafDialectHasNoAccount) {
  Recorder r;
  const std::string in =
      "LS+ foo.*\r\nLS+ bar grp 3\r\nLS- foo.*\r\nLS- bar grp\r\n"
      "LMSG foo 5\r\nhello\r\n"
      "LMSG foo r.1 2\r\nhi\r\n"
      "LMSG foo + r.2 q1 q2 0\r\n\r\n"
      "LMSG foo | q1 1\r\nx\r\n"
      "HMSG foo r 12 14\r\nNATS/1.0\r\n\r\nok\r\n"
      "HMSG foo 12 12\r\nNATS/1.0\r\n\r\n\r\n";
  RouteParseResult res = ParseRoute(in, RouteParserLimits(), &r, RouteDialect::kLeaf);
  EXPECT_EQ(res.error, RouteParseError::kNone);
  EXPECT_EQ(res.consumed, in.size());
  EXPECT_EQ(
      r.ops,
      (std::vector<std::string>{
          "SUB  foo.* [] 0", "SUB  bar [grp] 3", "UNSUB  foo.* []", "UNSUB  bar [grp]",
          "MSG  foo reply= queues= hdr= body=hello", "MSG  foo reply=r.1 queues= hdr= body=hi",
          "MSG  foo reply=r.2 queues=q1,q2, hdr= body=", "MSG  foo reply= queues=q1, hdr= body=x",
          "HMSG  foo reply=r queues= hdr=NATS/1.0\r\n\r\n body=ok",
          "HMSG  foo reply= queues= hdr=NATS/1.0\r\n\r\n body="}));
}

TEST(RouteParserTest, EachDialectRefusesTheOthersOperations) {
  Recorder r;
  EXPECT_EQ(ParseRoute("RS+ $G foo\r\n", RouteParserLimits(), &r, RouteDialect::kLeaf).error,
            RouteParseError::kUnknownOp);
  EXPECT_EQ(ParseRoute("RMSG $G foo 0\r\n\r\n", RouteParserLimits(), &r, RouteDialect::kLeaf).error,
            RouteParseError::kUnknownOp);
  EXPECT_EQ(ParseRoute("LS+ foo\r\n", RouteParserLimits(), &r).error, RouteParseError::kUnknownOp);
  const std::vector<std::string> bad = {"LS+\r\n",           "LS+ foo grp\r\n",
                                        "LS+ foo grp x\r\n", "LS- foo grp extra\r\n",
                                        "LMSG foo\r\n",      "LMSG foo x q 1\r\nx\r\n"};
  for (const std::string& in : bad) {
    EXPECT_EQ(ParseRoute(in, RouteParserLimits(), &r, RouteDialect::kLeaf).error,
              RouteParseError::kBadArguments)
        << in;
  }
  EXPECT_TRUE(r.ops.empty());
}

}  // namespace
}  // namespace jsengine::gateway::core
