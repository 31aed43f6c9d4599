// Random appends, deletes, purges and restarts of a file-backed Stream with
// max_msgs, max_bytes and max_msgs_per_subject, checked against a plain
// model of what discard-old limits must leave.
#include <map>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storesvc/file_store.h"
#include "storesvc/stream.h"
#include "storesvc/stream_config.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

struct ModelMsg {
  std::string subject;
  std::string data;
};

class Model {
 public:
  Model(int64_t max_msgs, int64_t max_bytes, int64_t max_per)
      : max_msgs_(max_msgs), max_bytes_(max_bytes), max_per_(max_per) {}

  uint64_t Append(const std::string& subject, const std::string& data) {
    uint64_t seq = ++last_;
    msgs_[seq] = {subject, data};
    while (max_per_ > 0 && Count(subject) > static_cast<uint64_t>(max_per_)) {
      for (auto it = msgs_.begin(); it != msgs_.end(); ++it) {
        if (it->second.subject == subject) {
          msgs_.erase(it);
          break;
        }
      }
    }
    while (max_msgs_ > 0 && msgs_.size() > static_cast<uint64_t>(max_msgs_)) msgs_.erase(msgs_.begin());
    while (max_bytes_ > 0 && Bytes() > static_cast<uint64_t>(max_bytes_)) msgs_.erase(msgs_.begin());
    return seq;
  }
  bool Delete(uint64_t seq) { return msgs_.erase(seq) == 1; }
  uint64_t PurgeSubject(const std::string& subject) {
    uint64_t n = 0;
    for (auto it = msgs_.begin(); it != msgs_.end();) {
      if (it->second.subject == subject) {
        it = msgs_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  uint64_t Count(const std::string& subject) const {
    uint64_t n = 0;
    for (const auto& [seq, m] : msgs_) n += m.subject == subject;
    return n;
  }
  uint64_t Bytes() const {
    uint64_t n = 0;
    for (const auto& [seq, m] : msgs_) n += 22 + m.subject.size() + m.data.size() + 8;
    return n;
  }
  const std::map<uint64_t, ModelMsg>& msgs() const { return msgs_; }
  uint64_t last() const { return last_; }

 private:
  const int64_t max_msgs_, max_bytes_, max_per_;
  std::map<uint64_t, ModelMsg> msgs_;
  uint64_t last_ = 0;
};

TEST(StreamRandomTest, LimitsMatchModelAcrossRestarts) {
  const std::string dir = testing::util::MakeTempDir("stream_random-");
  v1::StreamConfig in;
  in.set_name("R");
  in.add_subjects("r.*");
  in.set_max_msgs(60);
  in.set_max_bytes(6000);
  in.set_max_msgs_per_subject(25);
  const v1::StreamConfig cfg = *CheckStreamConfig(in);
  auto open = [&] {
    auto fs = FileStore::Open(FileStoreOptions{dir, 2048});
    EXPECT_TRUE(fs.ok()) << fs.status();
    return std::make_unique<Stream>(cfg, 1, std::move(fs).value());
  };
  std::unique_ptr<Stream> stream = open();
  Model model(cfg.max_msgs(), cfg.max_bytes(), cfg.max_msgs_per_subject());
  std::mt19937_64 rng(1234);
  const char* subjects[] = {"r.a", "r.b", "r.c", "r.d"};
  for (int op = 0; op < 2500; ++op) {
    SCOPED_TRACE(absl::StrCat("op ", op));
    int kind = static_cast<int>(rng() % 100);
    if (kind < 80) {
      v1::AppendRequest req;
      req.set_subject(subjects[rng() % 4]);
      req.set_data(std::string(rng() % 200, static_cast<char>('a' + rng() % 26)));
      v1::AppendResult res;
      stream->Append(req, 1'000'000 + op, &res);
      ASSERT_FALSE(res.has_error()) << res.error().description();
      ASSERT_EQ(res.seq(), model.Append(req.subject(), req.data()));
    } else if (kind < 90) {
      v1::DeleteMessageRequest del;
      del.set_seq(1 + rng() % (model.last() + 1));
      bool expected = model.Delete(del.seq());
      ASSERT_EQ(stream->DeleteMessage(del).ok(), expected);
    } else if (kind < 95) {
      v1::PurgeStreamRequest purge;
      purge.set_filter(subjects[rng() % 4]);
      uint64_t expected = model.PurgeSubject(purge.filter());
      ASSERT_EQ(stream->Purge(purge).value(), expected);
    } else {
      ASSERT_TRUE(stream->Close().ok());
      stream = open();
    }
    v1::StreamState st = stream->Info(false, "").state();
    ASSERT_EQ(st.messages(), model.msgs().size());
    ASSERT_EQ(st.bytes(), model.Bytes());
    ASSERT_EQ(st.last_seq(), model.last());
    ASSERT_EQ(st.first_seq(), model.msgs().empty() ? model.last() + 1 : model.msgs().begin()->first);
  }
  for (const auto& [seq, m] : model.msgs()) {
    v1::GetMessageRequest get;
    get.set_seq(seq);
    auto got = stream->GetMessage(get);
    ASSERT_TRUE(got.ok()) << seq;
    EXPECT_EQ(got->subject(), m.subject);
    EXPECT_EQ(got->data(), m.data);
  }
}

}  // namespace
}  // namespace jsengine::storesvc
