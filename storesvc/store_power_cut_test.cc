// Power cuts (testing/util/power_cut.h: only what was fsynced survives, and
// creations, renames and removals are undone unless their directory was
// fsynced) taken while a Store runs with SyncPolicy::kAlways: every
// acknowledged append and every returned create or delete must survive.
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/power_cut.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

std::unique_ptr<Store> OpenStore(const std::string& dir) {
  StoreOptions o;
  o.data_dir = dir;
  o.sync = SyncPolicy::kAlways;
  o.segment_bytes = 8 * 1024;
  auto store = Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

void CreateStream(Store* store, const std::string& name) {
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name(name);
  create.mutable_config()->add_subjects(name + ".>");
  ASSERT_TRUE(store->CreateStream(create).ok());
}

std::string DataFor(const std::string& stream, int i) {
  return absl::StrCat(stream, "-", i, std::string(100, '.'));
}

// Appends `n` messages in batches of 10, waiting for each acknowledgement.
void AppendAcked(Store* store, const std::string& stream, int n) {
  for (int i = 0; i < n; i += 10) {
    v1::AppendBatch batch;
    for (int j = i; j < i + 10 && j < n; ++j) {
      v1::AppendRequest* r = batch.add_requests();
      r->set_stream(stream);
      r->set_subject(stream + ".x");
      r->set_data(DataFor(stream, j));
    }
    absl::Notification done;
    store->Append(batch, [&](v1::AppendResultBatch results) {
      for (const auto& r : results.results())
        EXPECT_FALSE(r.has_error()) << r.error().description();
      done.Notify();
    });
    done.WaitForNotification();
  }
}

void ExpectMessages(Store* store, const std::string& stream, int n) {
  v1::StreamInfoRequest info;
  info.set_name(stream);
  auto got = store->GetStreamInfo(info);
  ASSERT_TRUE(got.ok()) << stream << ": " << got.status();
  EXPECT_EQ(got->state().messages(), static_cast<uint64_t>(n));
  EXPECT_EQ(got->state().last_seq(), static_cast<uint64_t>(n));
  for (int i = 0; i < n; ++i) {
    v1::GetMessageRequest get;
    get.set_stream(stream);
    get.set_seq(static_cast<uint64_t>(i + 1));
    auto m = store->GetMessage(get);
    ASSERT_TRUE(m.ok()) << "acknowledged " << stream << " seq " << i + 1 << " lost: " << m.status();
    EXPECT_EQ(m->data(), DataFor(stream, i));
  }
}

TEST(StorePowerCutTest, FreshStoreKeepsEveryAcknowledgedMessage) {
  const std::string root = testing::util::MakeTempDir("power-cut-");
  const std::string image = testing::util::MakeTempDir("power-cut-image-") + "/image";
  testing::util::PowerCut power_cut(root);
  {
    std::unique_ptr<Store> store = OpenStore(root + "/data");
    ASSERT_NE(store, nullptr);
    ASSERT_NO_FATAL_FAILURE(CreateStream(store.get(), "A"));
    AppendAcked(store.get(), "A", 171);
    power_cut.Image(image);
  }
  std::unique_ptr<Store> recovered = OpenStore(image + "/data");
  ASSERT_NE(recovered, nullptr);
  ExpectMessages(recovered.get(), "A", 171);
}

TEST(StorePowerCutTest, DeletedStreamStaysDeleted) {
  const std::string root = testing::util::MakeTempDir("power-cut-");
  const std::string image = testing::util::MakeTempDir("power-cut-image-") + "/image";
  {
    std::unique_ptr<Store> store = OpenStore(root);
    ASSERT_NE(store, nullptr);
    ASSERT_NO_FATAL_FAILURE(CreateStream(store.get(), "GONE"));
    ASSERT_NO_FATAL_FAILURE(CreateStream(store.get(), "KEPT"));
    AppendAcked(store.get(), "GONE", 50);
    AppendAcked(store.get(), "KEPT", 50);
  }
  testing::util::PowerCut power_cut(root);
  {
    std::unique_ptr<Store> store = OpenStore(root);
    ASSERT_NE(store, nullptr);
    v1::DeleteStreamRequest del;
    del.set_name("GONE");
    ASSERT_TRUE(store->DeleteStream(del).ok());
    power_cut.Image(image);
  }
  std::unique_ptr<Store> recovered = OpenStore(image);
  ASSERT_NE(recovered, nullptr);
  v1::StreamInfoRequest info;
  info.set_name("GONE");
  EXPECT_FALSE(recovered->GetStreamInfo(info).ok());
  ExpectMessages(recovered.get(), "KEPT", 50);
  EXPECT_FALSE(std::filesystem::exists(image + "/quarantine"));
}

}  // namespace
}  // namespace jsengine::storesvc
