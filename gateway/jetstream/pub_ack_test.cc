#include "gateway/jetstream/pub_ack.h"

#include "common/status.h"
#include "gateway/jetstream/testdata.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

v1::AppendResult Result(const std::string& stream, uint64_t seq, bool duplicate = false) {
  v1::AppendResult r;
  r.set_stream(stream);
  r.set_seq(seq);
  r.set_duplicate(duplicate);
  return r;
}

v1::AppendResult ErrorResult(const std::string& stream, const absl::Status& status) {
  v1::AppendResult r;
  r.set_stream(stream);
  *r.mutable_error() = common::ToErrorDetail(status);
  return r;
}

TEST(PubAckTest, MatchesNatsServerBytes) {
  EXPECT_EQ(PubAck(Result("ORDERS", 1)), Golden("pub_ack.json"));
  EXPECT_EQ(PubAck(Result("ORDERS", 2)), Golden("pub_ack_hdr.json"));
  EXPECT_EQ(PubAck(Result("ORDERS", 2, true)), Golden("pub_ack_duplicate.json"));
}

TEST(PubAckTest, ErrorsMatchNatsServerBytes) {
  EXPECT_EQ(
      PubAck(ErrorResult(
          "ORDERS", common::JsErrorF(common::JsErrorId::kStreamWrongLastSequence, {{"seq", "2"}}))),
      Golden("pub_err_wrong_last_seq.json"));
  EXPECT_EQ(PubAck(ErrorResult("ORDERS", common::JsError(common::JsErrorId::kStreamNotMatch))),
            Golden("pub_err_wrong_stream.json"));
}

TEST(PubAckTest, AppendsToExistingBuffer) {
  std::string out = "x";
  AppendPubAck(Result("S", 18446744073709551615ull), &out);
  EXPECT_EQ(out, "x{\"stream\":\"S\", \"seq\":18446744073709551615}");
}

TEST(PubAckTest, QuotesNamesAsGoFmtDoes) {
  EXPECT_EQ(PubAck(Result("a<b", 1)), "{\"stream\":\"a<b\", \"seq\":1}");
  EXPECT_EQ(PubAck(Result("q\"", 1)), "{\"stream\":\"q\\\"\", \"seq\":1}");
}

TEST(PubAckTest, NamesTheDomainWhenSet) {
  EXPECT_EQ(PubAck(Result("S", 7), "hub"), "{\"stream\":\"S\", \"domain\":\"hub\", \"seq\":7}");
  EXPECT_EQ(PubAck(Result("S", 7, true), "hub"),
            "{\"stream\":\"S\", \"domain\":\"hub\", \"seq\":7,\"duplicate\": true}");
}

TEST(PubAckTest, ErrorWithoutErrCode) {
  EXPECT_EQ(PubAck(ErrorResult("S", absl::UnavailableError("store down"))),
            "{\"error\":{\"code\":503,\"description\":\"store down\"},\"stream\":\"S\",\"seq\":0}");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
