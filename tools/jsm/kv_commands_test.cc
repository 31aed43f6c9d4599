#include "tools/jsm/kv_commands.h"

#include <sstream>

#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storesvc/client/mock_store_client.h"

namespace jsengine::tools::jsm {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;

constexpr char kDeleted[] = "NATS/1.0\r\nKV-Operation: DEL\r\n\r\n";

v1::StoredMessage Revision(uint64_t seq, const std::string& key, const std::string& data,
                           const std::string& headers = "") {
  v1::StoredMessage message;
  message.set_subject("$KV.devices." + key);
  message.set_seq(seq);
  message.set_data(data);
  message.set_headers(headers);
  message.set_time_ns(1575846720000000000);  // 2019-12-08T23:12:00Z
  return message;
}

class KvCommandsTest : public ::testing::Test {
 protected:
  absl::Status Run(const std::vector<std::string>& argv) {
    absl::StatusOr<Args> args = ParseArgs(argv);
    EXPECT_TRUE(args.ok()) << args.status();
    Endpoints endpoints{"store:1", "consumer:2", "nats://n:3", std::chrono::milliseconds(500)};
    return KvCommands(store_, endpoints, out_).Run(*args);
  }

  ::testing::StrictMock<storesvc::client::MockStoreClient> store_;
  std::ostringstream out_;
};

TEST_F(KvCommandsTest, AddMakesTheStreamTheClientsExpect) {
  EXPECT_CALL(store_, CreateStream(_)).WillOnce([](const v1::CreateStreamRequest& request) {
    const v1::StreamConfig& config = request.config();
    EXPECT_EQ(config.name(), "KV_devices");
    EXPECT_EQ(config.subjects(0), "$KV.devices.>");
    EXPECT_EQ(config.max_msgs_per_subject(), 5);
    EXPECT_TRUE(config.allow_rollup_hdrs());
    EXPECT_TRUE(config.deny_delete());
    EXPECT_TRUE(config.allow_direct());
    EXPECT_EQ(config.discard(), v1::DISCARD_NEW);
    return v1::StreamInfo();
  });
  ASSERT_TRUE(Run({"kv", "add", "devices", "--history", "5"}).ok());
  EXPECT_EQ(out_.str(), "Received response of \"+OK\"\n");
  EXPECT_FALSE(Run({"kv", "add", "devices", "--history", "65"}).ok());
  EXPECT_EQ(Run({"kv", "add", "bad.name"}).message(), "invalid bucket name \"bad.name\"");
}

TEST_F(KvCommandsTest, PutAppendsToTheKeysSubjectAndPrintsTheRevision) {
  EXPECT_CALL(store_, Append(_, _))
      .WillOnce([](v1::AppendBatch batch, storesvc::client::StoreClient::AppendCallback done) {
        ASSERT_EQ(batch.requests_size(), 1);
        EXPECT_EQ(batch.requests(0).stream(), "KV_devices");
        EXPECT_EQ(batch.requests(0).subject(), "$KV.devices.3F45");
        EXPECT_EQ(batch.requests(0).data(), "online");
        v1::AppendResultBatch results;
        results.add_results()->set_seq(7);
        done(results);
      });
  ASSERT_TRUE(Run({"kv", "put", "devices", "3F45", "online"}).ok());
  EXPECT_EQ(out_.str(), "Revision: 7\n");
  EXPECT_EQ(Run({"kv", "put", "devices", ".bad", "x"}).message(), "invalid key \".bad\"");
}

TEST_F(KvCommandsTest, PutGivesUpAtTheTimeout) {
  storesvc::client::StoreClient::AppendCallback kept;
  EXPECT_CALL(store_, Append(_, _))
      .WillOnce([&](v1::AppendBatch, storesvc::client::StoreClient::AppendCallback done) {
        kept = std::move(done);
      });
  EXPECT_EQ(Run({"kv", "put", "devices", "k", "v"}).message(),
            "no answer from the store service at store:1 within 500ms");
  kept(v1::AppendResultBatch());  // A late answer is harmless.
}

TEST_F(KvCommandsTest, GetShowsTheLatestValueAndHidesDeletedKeys) {
  EXPECT_CALL(store_, GetMessage(_))
      .WillOnce([](const v1::GetMessageRequest& request) {
        EXPECT_EQ(request.stream(), "KV_devices");
        EXPECT_EQ(request.last_by_subject(), "$KV.devices.3F45");
        return Revision(3, "3F45", "online");
      })
      .WillOnce(Return(Revision(4, "3F45", "", kDeleted)))
      .WillOnce(Return(common::JsError(common::JsErrorId::kNoMessageFound)))
      .WillOnce(Return(common::JsError(common::JsErrorId::kStreamNotFound)));
  ASSERT_TRUE(Run({"kv", "get", "devices", "3F45"}).ok());
  EXPECT_EQ(out_.str(), "devices > 3F45 revision: 3 created @ 2019-12-08T23:12:00Z\n\nonline\n");
  EXPECT_EQ(Run({"kv", "get", "devices", "3F45"}).message(), "key not found");
  EXPECT_EQ(Run({"kv", "get", "devices", "28E3"}).message(), "key not found");
  EXPECT_EQ(Run({"kv", "get", "nope", "k"}).message(), "bucket not found");
}

TEST_F(KvCommandsTest, LsListsKeysWithAValue) {
  EXPECT_CALL(store_, GetStreamInfo(_)).WillOnce([](const v1::StreamInfoRequest& request) {
    EXPECT_EQ(request.subjects_filter(), "$KV.devices.>");
    v1::StreamInfo info;
    (*info.mutable_state()->mutable_subjects())["$KV.devices.b"] = 1;
    (*info.mutable_state()->mutable_subjects())["$KV.devices.a"] = 2;
    (*info.mutable_state()->mutable_subjects())["$KV.devices.gone"] = 2;
    return info;
  });
  EXPECT_CALL(store_, GetMessage(_)).WillRepeatedly([](const v1::GetMessageRequest& request) {
    const std::string key = request.last_by_subject().substr(strlen("$KV.devices."));
    return Revision(1, key, "x", key == "gone" ? kDeleted : "");
  });
  ASSERT_TRUE(Run({"kv", "ls", "devices"}).ok());
  EXPECT_EQ(out_.str(), "a\nb\n");
}

TEST_F(KvCommandsTest, HistoryWalksTheKeysRevisions) {
  EXPECT_CALL(store_, GetMessage(_))
      .WillOnce([](const v1::GetMessageRequest& request) {
        EXPECT_EQ(request.next_by_subject(), "$KV.devices.3F45");
        EXPECT_EQ(request.seq(), 1u);
        return Revision(2, "3F45", "on");
      })
      .WillOnce([](const v1::GetMessageRequest& request) {
        EXPECT_EQ(request.seq(), 3u);
        return Revision(5, "3F45", "", kDeleted);
      })
      .WillOnce([](const v1::GetMessageRequest& request) {
        EXPECT_EQ(request.seq(), 6u);
        return common::JsError(common::JsErrorId::kNoMessageFound);
      });
  ASSERT_TRUE(Run({"kv", "history", "devices", "3F45"}).ok());
  EXPECT_EQ(out_.str(),
            "Revision  Op   Created               Length  Value\n"
            "2         PUT  2019-12-08T23:12:00Z  2       on\n"
            "5         DEL  2019-12-08T23:12:00Z  0\n");
}

TEST_F(KvCommandsTest, RmWritesADeleteMarker) {
  EXPECT_CALL(store_, Append(_, _))
      .WillOnce([](v1::AppendBatch batch, storesvc::client::StoreClient::AppendCallback done) {
        EXPECT_EQ(batch.requests(0).headers(), kDeleted);
        EXPECT_EQ(batch.requests(0).data(), "");
        v1::AppendResultBatch results;
        results.add_results()->set_seq(9);
        done(results);
      });
  ASSERT_TRUE(Run({"kv", "rm", "devices", "3F45"}).ok());
  EXPECT_EQ(out_.str(), "Received response of \"+OK\"\n");
}

TEST_F(KvCommandsTest, SaysWhatIsMissing) {
  EXPECT_EQ(Run({"kv"}).message(), "missing arguments: jsm kv add|put|get|ls|history|rm ...");
  EXPECT_EQ(Run({"kv", "frob"}).message(), "unknown command \"kv frob\" (see jsm help)");
  EXPECT_EQ(Run({"kv", "get", "devices"}).message(),
            "missing arguments: jsm kv get <bucket> <key>");
}

}  // namespace
}  // namespace jsengine::tools::jsm
