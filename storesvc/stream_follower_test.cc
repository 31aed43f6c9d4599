#include "storesvc/stream_follower.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storesvc/memory_store.h"
#include "storesvc/nats_headers.h"
#include "storesvc/stream_config.h"

namespace jsengine::storesvc {
namespace {

class StreamFollowerTest : public ::testing::Test {
 protected:
  Stream& Make(v1::StreamConfig cfg) {
    absl::StatusOr<v1::StreamConfig> checked = CheckStreamConfig(cfg);
    EXPECT_TRUE(checked.ok()) << checked.status();
    auto s = std::make_shared<Stream>(*checked, 1, std::make_unique<MemoryStore>());
    streams_[cfg.name()] = s;
    return *s;
  }
  void Publish(Stream& s, const std::string& subject, const std::string& data) {
    v1::AppendRequest req;
    req.set_subject(subject);
    req.set_data(data);
    v1::AppendResult result;
    s.Append(req, ++now_, &result);
    ASSERT_FALSE(result.has_error()) << result.error().description();
    ASSERT_TRUE(s.Flush().ok());
  }
  std::vector<v1::StoredMessage> All(Stream& s) {
    uint64_t next = 1, last = 0;
    return s.Read(&next, SubjectFilters(), 1000, &last).value();
  }
  void Drain(Stream& target) {
    while (follower_.Step(target, 2) > 0) {
    }
  }

  std::map<std::string, std::shared_ptr<Stream>> streams_;
  StreamFollower follower_{[this](const std::string& name) -> std::shared_ptr<Stream> {
    auto it = streams_.find(name);
    return it == streams_.end() ? nullptr : it->second;
  }};
  int64_t now_ = 1'000'000'000;
};

v1::StreamConfig Config(const std::string& name, std::vector<std::string> subjects) {
  v1::StreamConfig cfg;
  cfg.set_name(name);
  cfg.set_storage(v1::STORAGE_MEMORY);
  for (auto& s : subjects) cfg.add_subjects(s);
  return cfg;
}

TEST_F(StreamFollowerTest, MirrorKeepsOriginSequencesAcrossDeletions) {
  Stream& origin = Make(Config("O", {"o.>"}));
  for (int i = 1; i <= 6; ++i) Publish(origin, "o." + std::to_string(i), "m");
  v1::DeleteMessageRequest del;
  del.set_stream("O");
  del.set_seq(3);
  ASSERT_TRUE(origin.DeleteMessage(del).ok());
  v1::StreamConfig mcfg = Config("M", {});
  mcfg.mutable_mirror()->set_name("O");
  Stream& mirror = Make(mcfg);
  Drain(mirror);
  std::vector<uint64_t> seqs;
  for (const auto& m : All(mirror)) seqs.push_back(m.seq());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 4, 5, 6}));
  Publish(origin, "o.7", "m");
  Drain(mirror);
  EXPECT_EQ(mirror.LastSeq(), 7u);
  v1::StreamInfo info = mirror.Info(false, "");
  follower_.FillInfo(&info);
  EXPECT_EQ(info.mirror().name(), "O");
  EXPECT_EQ(info.mirror().lag(), 0u);
  EXPECT_GE(info.mirror().active_ns(), 0);
}

TEST_F(StreamFollowerTest, FilteredMirrorWithStartSequenceLeavesGaps) {
  Stream& origin = Make(Config("O", {"o.>"}));
  for (int i = 1; i <= 8; ++i) Publish(origin, i % 2 ? "o.odd" : "o.even", std::to_string(i));
  v1::StreamConfig mcfg = Config("M", {});
  mcfg.mutable_mirror()->set_name("O");
  mcfg.mutable_mirror()->set_filter_subject("o.even");
  mcfg.mutable_mirror()->set_opt_start_seq(4);
  Stream& mirror = Make(mcfg);
  Drain(mirror);
  std::vector<uint64_t> seqs;
  for (const auto& m : All(mirror)) seqs.push_back(m.seq());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{4, 6, 8}));
  EXPECT_EQ(mirror.Info(false, "").state().first_seq(), 4u);
}

TEST_F(StreamFollowerTest, MirrorRefusesPublishes) {
  Make(Config("O", {"o.>"}));
  v1::StreamConfig mcfg = Config("M", {});
  mcfg.mutable_mirror()->set_name("O");
  Stream& mirror = Make(mcfg);
  v1::AppendRequest req;
  req.set_subject("o.1");
  v1::AppendResult result;
  mirror.Append(req, 1, &result);
  EXPECT_TRUE(result.has_error());
}

TEST_F(StreamFollowerTest, SourcesAddHeaderAndResumeFromIt) {
  Stream& a = Make(Config("A", {"a.>"}));
  Stream& b = Make(Config("B", {"b.>"}));
  for (int i = 1; i <= 4; ++i) {
    Publish(a, i % 2 ? "a.x" : "a.y", "a");
    Publish(b, "b.z", "b");
  }
  v1::StreamConfig scfg = Config("S", {});
  v1::StreamSource* sa = scfg.add_sources();
  sa->set_name("A");
  sa->set_filter_subject("a.x");
  v1::StreamSource* sb = scfg.add_sources();
  sb->set_name("B");
  v1::SubjectTransform* tr = sb->add_subject_transforms();
  tr->set_src("b.*");
  tr->set_dest("from-b.$1");
  Stream& s = Make(scfg);
  Drain(s);
  std::vector<v1::StoredMessage> got = All(s);
  ASSERT_EQ(got.size(), 6u);
  std::map<std::string, int> subjects;
  for (const auto& m : got) ++subjects[m.subject()];
  EXPECT_EQ(subjects["a.x"], 2);
  EXPECT_EQ(subjects["from-b.z"], 4);
  EXPECT_EQ(FindHeader(got[0].headers(), "Nats-Stream-Source"), "A 1 a.x >");

  // A restart: the follower forgets, then reads where it was from headers.
  follower_.Forget("S");
  Publish(a, "a.x", "a");
  Publish(b, "b.z", "b");
  Drain(s);
  EXPECT_EQ(All(s).size(), 8u);
  v1::StreamInfo info = s.Info(false, "");
  follower_.FillInfo(&info);
  ASSERT_EQ(info.sources_size(), 2);
  EXPECT_EQ(info.sources(0).lag(), 0u);
  EXPECT_EQ(info.sources(1).lag(), 0u);
}

TEST_F(StreamFollowerTest, WithSourceHeaderReplacesOldOneAndExpectations) {
  std::string hdr =
      "NATS/1.0\r\nNats-Msg-Id: 1\r\nNats-Expected-Last-Sequence: 3\r\n"
      "Nats-Stream-Source: X 1 > >\r\n\r\n";
  EXPECT_EQ(WithSourceHeader(hdr, "A 2 > >"),
            "NATS/1.0\r\nNats-Msg-Id: 1\r\nNats-Stream-Source: A 2 > >\r\n\r\n");
  EXPECT_EQ(WithSourceHeader("", "A 2 > >"), "NATS/1.0\r\nNats-Stream-Source: A 2 > >\r\n\r\n");
}

TEST(StreamConfigSourcesTest, MirrorRulesAsNatsServer) {
  v1::StreamConfig cfg;
  cfg.set_name("M");
  cfg.mutable_mirror()->set_name("O");
  cfg.add_subjects("m");
  EXPECT_EQ(CheckStreamConfig(cfg).status().message(), "stream mirrors can not contain subjects");
  cfg.clear_subjects();
  cfg.add_sources()->set_name("P");
  EXPECT_EQ(CheckStreamConfig(cfg).status().message(),
            "stream mirrors can not also contain other sources");
  cfg.clear_sources();
  absl::StatusOr<v1::StreamConfig> ok = CheckStreamConfig(cfg);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->subjects_size(), 0);
  EXPECT_EQ(ok->duplicate_window_ns(), 0);
  v1::StreamConfig changed = *ok;
  changed.mutable_mirror()->set_name("P");
  EXPECT_EQ(CheckStreamUpdate(*ok, changed).status().message(),
            "stream mirror configuration can not be updated");
}

TEST(StreamConfigSourcesTest, DuplicateSourcesAndRepublishCycle) {
  v1::StreamConfig cfg;
  cfg.set_name("S");
  cfg.add_sources()->set_name("A");
  cfg.add_sources()->set_name("A");
  EXPECT_EQ(CheckStreamConfig(cfg).status().message(), "duplicate source configuration detected");
  v1::StreamConfig rp;
  rp.set_name("R");
  rp.add_subjects("r.>");
  rp.mutable_republish()->set_dest("r.out");
  EXPECT_EQ(CheckStreamConfig(rp).status().message(),
            "stream configuration for republish destination forms a cycle");
  rp.mutable_republish()->set_dest("out.>");
  absl::StatusOr<v1::StreamConfig> ok = CheckStreamConfig(rp);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->republish().src(), ">");
}

}  // namespace
}  // namespace jsengine::storesvc
