#include "gateway/core/parser.h"

#include <string>
#include <vector>

#include "gateway/core/parser_test_util.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

const char kStream[] =
    "CONNECT {\"verbose\":false,\"headers\":true}\r\n"
    "SUB foo.* 1\r\n"
    "SUB foo.bar workers 22\r\n"
    "PUB foo.bar 5\r\nhello\r\n"
    "PUB foo.bar _INBOX.x 0\r\n\r\n"
    "HPUB foo.bar 24 29\r\nNATS/1.0\r\nA: bcdefgh\r\n\r\nworld\r\n"
    "HPUB foo.bar rep 12 12\r\nNATS/1.0\r\n\r\n\r\n"
    "UNSUB 1\r\n"
    "UNSUB 22 5\r\n"
    "ping\r\n"
    "PONG\r\n"
    "pub\tx\t\t3 \r\nabc\r\n"
    "PUB bin 4\r\n\r\n\r\n\r\n"
    "PING\n";

const std::vector<std::string> kExpected = {
    "CONNECT {\"verbose\":false,\"headers\":true}",
    "SUB foo.* [] 1",
    "SUB foo.bar [workers] 22",
    "PUB foo.bar [] [] [hello]",
    "PUB foo.bar [_INBOX.x] [] []",
    "HPUB foo.bar [] [NATS/1.0\r\nA: bcdefgh\r\n\r\n] [world]",
    "HPUB foo.bar [rep] [NATS/1.0\r\n\r\n] []",
    "UNSUB 1 0",
    "UNSUB 22 5",
    "PING",
    "PONG",
    "PUB x [] [] [abc]",
    "PUB bin [] [] [\r\n\r\n]",
    "PING",
};

TEST(ParserTest, ParsesPipelinedStreamInOneCall) {
  RecordingHandler h;
  std::string_view stream(kStream);
  ParseResult r = Parse(stream, ParserLimits(), &h);
  EXPECT_EQ(r.error, ParseError::kNone);
  EXPECT_EQ(r.consumed, stream.size());
  EXPECT_EQ(h.ops, kExpected);
}

TEST(ParserTest, AnySplitInTwoGivesSameOperations) {
  std::string_view stream(kStream);
  for (size_t i = 0; i <= stream.size(); ++i) {
    RecordingHandler h;
    EXPECT_EQ(FeedChunks({stream.substr(0, i), stream.substr(i)}, ParserLimits(), &h),
              ParseError::kNone);
    EXPECT_EQ(h.ops, kExpected) << "split at " << i;
  }
}

TEST(ParserTest, ByteAtATimeGivesSameOperations) {
  std::string_view stream(kStream);
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < stream.size(); ++i) chunks.push_back(stream.substr(i, 1));
  RecordingHandler h;
  EXPECT_EQ(FeedChunks(chunks, ParserLimits(), &h), ParseError::kNone);
  EXPECT_EQ(h.ops, kExpected);
}

TEST(ParserTest, IncompleteOperationConsumesNothing) {
  RecordingHandler h;
  ParseResult r = Parse("PUB foo 5\r\nhel", ParserLimits(), &h);
  EXPECT_EQ(r.error, ParseError::kNone);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_TRUE(h.ops.empty());
}

struct ErrorCase {
  const char* input;
  ParseError error;
};

class ParserErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParserErrorTest, ReportsError) {
  RecordingHandler h;
  ParserLimits limits;
  limits.max_payload = 100;
  limits.max_control_line = 64;
  ParseResult r = Parse(GetParam().input, limits, &h);
  EXPECT_EQ(r.error, GetParam().error) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ParserErrorTest,
    ::testing::Values(
        ErrorCase{"FOO\r\n", ParseError::kUnknownOp},
        ErrorCase{"MSG foo 1 1\r\na\r\n", ParseError::kUnknownOp},
        ErrorCase{" PING\r\n", ParseError::kUnknownOp},
        ErrorCase{"\r\n", ParseError::kUnknownOp},
        ErrorCase{"UNSUB\r\n", ParseError::kUnknownOp},
        ErrorCase{"PUB\r\n", ParseError::kUnknownOp},
        ErrorCase{"SUBSCRIBE foo 1\r\n", ParseError::kUnknownOp},
        ErrorCase{"PUB foo 3\r\nabcd\r\n", ParseError::kUnknownOp},
        ErrorCase{"PUB foo 1\r\nab", ParseError::kUnknownOp},
        ErrorCase{"PUB foo\r\n", ParseError::kBadArguments},
        ErrorCase{"PUB foo -1\r\n", ParseError::kBadArguments},
        ErrorCase{"PUB foo a b c\r\n", ParseError::kBadArguments},
        ErrorCase{"PUB foo 99999999999999999999\r\n", ParseError::kBadArguments},
        ErrorCase{"HPUB foo 10 5\r\n", ParseError::kBadArguments},
        ErrorCase{"HPUB foo 5\r\n", ParseError::kBadArguments},
        ErrorCase{"SUB foo\r\n", ParseError::kBadArguments},
        ErrorCase{"SUB foo bar baz qux\r\n", ParseError::kBadArguments},
        ErrorCase{"UNSUB 1 x\r\n", ParseError::kBadArguments},
        ErrorCase{"PUB foo 101\r\n", ParseError::kMaxPayload},
        ErrorCase{"HPUB foo 10 101\r\n", ParseError::kMaxPayload},
        ErrorCase{"PUB foooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo 1\r\n",
                  ParseError::kMaxControlLine},
        ErrorCase{"PUB foooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo",
                  ParseError::kMaxControlLine}));

TEST(ParserTest, StopsWhenHandlerAsks) {
  RecordingHandler h;
  h.stop_after = 2;
  ParseResult r = Parse("PING\r\nPING\r\nPING\r\n", ParserLimits(), &h);
  EXPECT_EQ(r.error, ParseError::kStopped);
  EXPECT_EQ(r.consumed, 12u);
  EXPECT_EQ(h.ops.size(), 2u);
}

TEST(ParserTest, ErrorTexts) {
  EXPECT_EQ(ParseErrorText(ParseError::kUnknownOp), "Unknown Protocol Operation");
  EXPECT_EQ(ParseErrorText(ParseError::kMaxPayload), "Maximum Payload Violation");
  EXPECT_EQ(ParseErrorText(ParseError::kMaxControlLine), "maximum control line exceeded");
  EXPECT_EQ(ParseErrorText(ParseError::kBadArguments), "");
}

}  // namespace
}  // namespace jsengine::gateway::core
