// Key-value buckets end to end through the official NATS C client (nats.c's
// kvStore), against the embedded gateway, the three processes and
// nats-server -js: buckets, revisions, delete and purge markers, history,
// keys and watchers as nats.c reads them. nats.go and nats.js cover the same
// ground in //testing/clients.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/jetstream_client.h"
#include "testing/harness/topology.h"
#include "testing/harness/topology_suite.h"

namespace jsengine::testing {
namespace {

class JetStreamKvTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override {
    auto engine = harness::Topology::Start(GetParam());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    ASSERT_TRUE(client_.Connect(engine_->nats_url()).ok());
    js_ = client_.js();
  }

  void TearDown() override {
    if (kv_ != nullptr) kvStore_Destroy(kv_);
  }

  void CreateBucket(uint8_t history, int32_t max_value_size = -1) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = "B";
    config.History = history;
    config.MaxValueSize = max_value_size;
    ASSERT_EQ(js_CreateKeyValue(&kv_, js_, &config), NATS_OK) << nats_GetLastError(nullptr);
  }

  uint64_t Put(const char* key, const char* value) {
    uint64_t rev = 0;
    EXPECT_EQ(kvStore_PutString(&rev, kv_, key, value), NATS_OK) << nats_GetLastError(nullptr);
    return rev;
  }

  // "op key=value" per entry, as the tests compare them.
  static std::string Describe(kvEntry* e) {
    static const std::map<kvOperation, std::string> kOps = {
        {kvOp_Put, "PUT"}, {kvOp_Delete, "DEL"}, {kvOp_Purge, "PURGE"}};
    std::string value(static_cast<const char*>(kvEntry_Value(e)), kvEntry_ValueLen(e));
    return kOps.at(kvEntry_Operation(e)) + " " + kvEntry_Key(e) + "=" + value;
  }

  std::vector<std::string> History(const char* key) {
    kvEntryList list;
    std::vector<std::string> out;
    if (kvStore_History(&list, kv_, key, nullptr) != NATS_OK) return out;
    for (int i = 0; i < list.Count; ++i) out.push_back(Describe(list.Entries[i]));
    kvEntryList_Destroy(&list);
    return out;
  }

  // The watcher's entries up to its end-of-initial-values marker.
  static std::vector<std::string> Initial(kvWatcher* w) {
    std::vector<std::string> out;
    for (;;) {
      kvEntry* e = nullptr;
      natsStatus s = kvWatcher_Next(&e, w, 5000);
      EXPECT_EQ(s, NATS_OK) << "no end of initial values after " << out.size();
      if (s != NATS_OK || e == nullptr) return out;
      out.push_back(Describe(e));
      kvEntry_Destroy(e);
    }
  }

  static std::string Next(kvWatcher* w) {
    kvEntry* e = nullptr;
    natsStatus s = kvWatcher_Next(&e, w, 5000);
    if (s != NATS_OK) return "error " + std::string(natsStatus_GetText(s));
    if (e == nullptr) return "marker";
    std::string out = Describe(e);
    kvEntry_Destroy(e);
    return out;
  }

  std::unique_ptr<harness::Topology> engine_;
  harness::JetStreamClient client_;
  jsCtx* js_ = nullptr;
  kvStore* kv_ = nullptr;
};

TEST_P(JetStreamKvTest, BucketCreateOpenStatusDelete) {
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = "LIFE";
  config.History = 5;
  config.TTL = int64_t{3600} * 1000 * 1000 * 1000;  // nats.c takes nanoseconds, as the JSON does.
  config.MaxValueSize = 1024;
  config.Replicas = 1;
  ASSERT_EQ(js_CreateKeyValue(&kv_, js_, &config), NATS_OK) << nats_GetLastError(nullptr);
  Put("a", "1");
  Put("b", "2");

  kvStore* opened = nullptr;
  ASSERT_EQ(js_KeyValue(&opened, js_, "LIFE"), NATS_OK);
  kvStatus* status = nullptr;
  ASSERT_EQ(kvStore_Status(&status, opened), NATS_OK);
  EXPECT_STREQ(kvStatus_Bucket(status), "LIFE");
  EXPECT_EQ(kvStatus_Values(status), 2u);
  EXPECT_EQ(kvStatus_History(status), 5);
  EXPECT_EQ(kvStatus_Replicas(status), 1);
  EXPECT_EQ(kvStatus_TTL(status), int64_t{3600} * 1000 * 1000 * 1000);
  kvStatus_Destroy(status);
  kvStore_Destroy(opened);

  EXPECT_EQ(js_DeleteKeyValue(js_, "LIFE"), NATS_OK);
  kvStore* gone = nullptr;
  EXPECT_NE(js_KeyValue(&gone, js_, "LIFE"), NATS_OK);
  EXPECT_EQ(gone, nullptr);
}

TEST_P(JetStreamKvTest, RevisionsCreateUpdateAndMaxValueSize) {
  CreateBucket(3, /*max_value_size=*/100);
  const uint64_t r1 = Put("k", "v1");
  EXPECT_EQ(r1, 1u);
  const uint64_t r2 = Put("k", "v2");
  kvEntry* e = nullptr;
  ASSERT_EQ(kvStore_Get(&e, kv_, "k"), NATS_OK);
  EXPECT_EQ(Describe(e), "PUT k=v2");
  EXPECT_EQ(kvEntry_Revision(e), r2);
  EXPECT_STREQ(kvEntry_Bucket(e), "B");
  kvEntry_Destroy(e);
  ASSERT_EQ(kvStore_GetRevision(&e, kv_, "k", r1), NATS_OK);
  EXPECT_EQ(Describe(e), "PUT k=v1");
  kvEntry_Destroy(e);
  EXPECT_EQ(kvStore_Get(&e, kv_, "missing"), NATS_NOT_FOUND);

  uint64_t rev = 0;
  EXPECT_NE(kvStore_CreateString(&rev, kv_, "k", "x"), NATS_OK) << "create of an existing key";
  EXPECT_EQ(kvStore_CreateString(&rev, kv_, "new", "x"), NATS_OK);
  EXPECT_EQ(rev, r2 + 1);
  EXPECT_NE(kvStore_UpdateString(&rev, kv_, "k", "x", r1), NATS_OK) << "update of a stale revision";
  EXPECT_EQ(kvStore_UpdateString(&rev, kv_, "k", "v3", r2), NATS_OK);
  EXPECT_EQ(rev, r2 + 2);

  std::string big(200, 'x');
  EXPECT_NE(kvStore_PutString(&rev, kv_, "big", big.c_str()), NATS_OK) << "over max value size";
  EXPECT_EQ(kvStore_Get(&e, kv_, "big"), NATS_NOT_FOUND);
}

TEST_P(JetStreamKvTest, DeleteAndPurgeLeaveMarkers) {
  CreateBucket(10);
  Put("a", "1");
  Put("a", "2");
  Put("b", "1");
  ASSERT_EQ(kvStore_Delete(kv_, "a"), NATS_OK);
  kvEntry* e = nullptr;
  EXPECT_EQ(kvStore_Get(&e, kv_, "a"), NATS_NOT_FOUND);
  EXPECT_EQ(History("a"), (std::vector<std::string>{"PUT a=1", "PUT a=2", "DEL a="}));
  ASSERT_EQ(kvStore_Purge(kv_, "b", nullptr), NATS_OK);
  EXPECT_EQ(History("b"), (std::vector<std::string>{"PURGE b="}));
  uint64_t rev = 0;
  EXPECT_EQ(kvStore_CreateString(&rev, kv_, "a", "again"), NATS_OK) << "create after delete";

  kvPurgeOptions options;
  kvPurgeOptions_Init(&options);
  options.DeleteMarkersOlderThan = -1;
  ASSERT_EQ(kvStore_PurgeDeletes(kv_, &options), NATS_OK);
  kvStatus* status = nullptr;
  ASSERT_EQ(kvStore_Status(&status, kv_), NATS_OK);
  EXPECT_EQ(kvStatus_Values(status), 4u) << "a's four entries (it lives again); b's marker gone";
  kvStatus_Destroy(status);
}

TEST_P(JetStreamKvTest, HistoryIsBoundedAndKeysSkipDeleted) {
  CreateBucket(5);
  for (int i = 1; i <= 8; ++i) Put("k", std::to_string(i).c_str());
  EXPECT_EQ(History("k"),
            (std::vector<std::string>{"PUT k=4", "PUT k=5", "PUT k=6", "PUT k=7", "PUT k=8"}));
  Put("a.1", "v");
  Put("a.2", "v");
  Put("gone", "v");
  ASSERT_EQ(kvStore_Delete(kv_, "gone"), NATS_OK);
  kvKeysList keys;
  ASSERT_EQ(kvStore_Keys(&keys, kv_, nullptr), NATS_OK);
  std::vector<std::string> got(keys.Keys, keys.Keys + keys.Count);
  kvKeysList_Destroy(&keys);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"a.1", "a.2", "k"}));
}

TEST_P(JetStreamKvTest, WatchersSeeInitialValuesThenUpdates) {
  CreateBucket(5);
  kvWatcher* w = nullptr;
  ASSERT_EQ(kvStore_WatchAll(&w, kv_, nullptr), NATS_OK);
  EXPECT_EQ(Initial(w), std::vector<std::string>{}) << "an empty bucket: the marker at once";
  Put("x", "1");
  EXPECT_EQ(Next(w), "PUT x=1");
  kvWatcher_Destroy(w);

  Put("a", "1");
  Put("a", "2");
  Put("c", "1");
  ASSERT_EQ(kvStore_Delete(kv_, "c"), NATS_OK);
  ASSERT_EQ(kvStore_WatchAll(&w, kv_, nullptr), NATS_OK);
  std::vector<std::string> initial = Initial(w);
  std::sort(initial.begin(), initial.end());
  EXPECT_EQ(initial, (std::vector<std::string>{"DEL c=", "PUT a=2", "PUT x=1"}));
  Put("a", "3");
  ASSERT_EQ(kvStore_Delete(kv_, "x"), NATS_OK);
  EXPECT_EQ(Next(w), "PUT a=3");
  EXPECT_EQ(Next(w), "DEL x=");
  kvWatcher_Destroy(w);

  kvWatchOptions options;
  kvWatchOptions_Init(&options);
  options.IgnoreDeletes = true;
  ASSERT_EQ(kvStore_WatchAll(&w, kv_, &options), NATS_OK);
  EXPECT_EQ(Initial(w), std::vector<std::string>{"PUT a=3"});
  ASSERT_EQ(kvStore_Delete(kv_, "a"), NATS_OK);
  Put("d", "1");
  EXPECT_EQ(Next(w), "PUT d=1");
  kvWatcher_Destroy(w);

  kvWatchOptions_Init(&options);
  options.IncludeHistory = true;
  ASSERT_EQ(kvStore_Watch(&w, kv_, "a", &options), NATS_OK);
  EXPECT_EQ(Initial(w), (std::vector<std::string>{"PUT a=1", "PUT a=2", "PUT a=3", "DEL a="}));
  kvWatcher_Destroy(w);

  kvWatchOptions_Init(&options);
  options.MetaOnly = true;
  ASSERT_EQ(kvStore_Watch(&w, kv_, "d", &options), NATS_OK);
  EXPECT_EQ(Initial(w), std::vector<std::string>{"PUT d="});
  kvWatcher_Destroy(w);
}

JSE_TOPOLOGY_SUITE(JetStreamKvTest);

}  // namespace
}  // namespace jsengine::testing
