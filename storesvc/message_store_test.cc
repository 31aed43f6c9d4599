// One suite, run against both MessageStore implementations. Tests that need
// a restart reopen the FileStore; the MemoryStore skips the restart step.
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "storesvc/file_store.h"
#include "storesvc/memory_store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

struct MemoryFactory {
  static constexpr bool kPersistent = false;
  std::unique_ptr<MessageStore> Open(const std::string&) { return std::make_unique<MemoryStore>(); }
};

struct FileFactory {
  static constexpr bool kPersistent = true;
  std::unique_ptr<MessageStore> Open(const std::string& dir) {
    // Small segments so tests cross segment boundaries and compact.
    auto store = FileStore::Open(FileStoreOptions{dir, 4096, 1024});
    EXPECT_TRUE(store.ok()) << store.status();
    return std::move(store).value();
  }
};

template <typename Factory>
class MessageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::util::MakeTempDir("msgstore-");
    store_ = factory_.Open(dir_);
  }
  void TearDown() override {
    if (store_) { EXPECT_TRUE(store_->Close().ok()); }
  }
  // Closes and reopens a persistent store; a no-op for memory.
  void Reopen() {
    if (!Factory::kPersistent) return;
    ASSERT_TRUE(store_->Close().ok());
    store_ = factory_.Open(dir_);
  }
  uint64_t Add(const std::string& subject, const std::string& data = "x",
               const std::string& hdr = "", int64_t ts = 0) {
    auto seq = store_->Append(subject, hdr, data, ts);
    EXPECT_TRUE(seq.ok()) << seq.status();
    EXPECT_TRUE(store_->Flush().ok());
    return seq.value_or(0);
  }

  Factory factory_;
  std::string dir_;
  std::unique_ptr<MessageStore> store_;
};

using Factories = ::testing::Types<MemoryFactory, FileFactory>;
TYPED_TEST_SUITE(MessageStoreTest, Factories);

TYPED_TEST(MessageStoreTest, AppendAndLoadKeepBytesExact) {
  std::string hdr = "NATS/1.0\r\nNats-Msg-Id: a\r\n\r\n";
  std::string data("bin\0ary\xff", 8);
  EXPECT_EQ(this->Add("a.b", data, hdr, 100), 1u);
  EXPECT_EQ(this->Add("a.c", "", "", 50), 2u);
  for (int pass = 0; pass < 2; ++pass) {
    auto m = this->store_->Load(1);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->subject(), "a.b");
    EXPECT_EQ(m->headers(), hdr);
    EXPECT_EQ(m->data(), data);
    EXPECT_EQ(m->time_ns(), 100);
    auto m2 = this->store_->Load(2);
    ASSERT_TRUE(m2.ok());
    EXPECT_EQ(m2->time_ns(), 100) << "times never go backwards";
    EXPECT_EQ(this->store_->Load(3).status().code(), absl::StatusCode::kNotFound);
    StoreState s = this->store_->State();
    EXPECT_EQ(s.msgs, 2u);
    EXPECT_EQ(s.first_seq, 1u);
    EXPECT_EQ(s.last_seq, 2u);
    EXPECT_EQ(s.num_subjects, 2u);
    this->Reopen();
  }
}

TYPED_TEST(MessageStoreTest, RemoveTracksFirstAndDeleted) {
  for (int i = 0; i < 5; ++i) this->Add("s");
  EXPECT_TRUE(this->store_->Remove(3).value());
  EXPECT_FALSE(this->store_->Remove(3).value());
  EXPECT_FALSE(this->store_->Remove(99).value());
  EXPECT_TRUE(this->store_->Erase(1).value());
  EXPECT_FALSE(this->store_->Erase(1).value());
  ASSERT_TRUE(this->store_->Flush().ok());
  for (int pass = 0; pass < 2; ++pass) {
    StoreState s = this->store_->State();
    EXPECT_EQ(s.msgs, 3u);
    EXPECT_EQ(s.first_seq, 2u);
    EXPECT_EQ(s.last_seq, 5u);
    EXPECT_EQ(s.num_deleted, 1u);
    EXPECT_EQ(this->store_->DeletedSeqs(), std::vector<uint64_t>{3});
    EXPECT_EQ(this->store_->SubjectCount("s"), 3u);
    this->Reopen();
  }
}

TYPED_TEST(MessageStoreTest, SubjectOfStoredMessagesOnly) {
  this->Add("a.b");
  this->Add("a.c");
  EXPECT_TRUE(this->store_->Remove(1).value());
  ASSERT_TRUE(this->store_->Flush().ok());
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(this->store_->SubjectOf(1), nullptr);
    ASSERT_NE(this->store_->SubjectOf(2), nullptr);
    EXPECT_EQ(*this->store_->SubjectOf(2), "a.c");
    EXPECT_EQ(this->store_->SubjectOf(3), nullptr);
    this->Reopen();
  }
}

TYPED_TEST(MessageStoreTest, FilteredLookups) {
  this->Add("orders.new");    // 1
  this->Add("orders.paid");   // 2
  this->Add("users.new");     // 3
  this->Add("orders.new");    // 4
  EXPECT_EQ(this->store_->LoadLast("orders.new")->seq(), 4u);
  EXPECT_EQ(this->store_->LoadLast("orders.*")->seq(), 4u);
  EXPECT_EQ(this->store_->LoadLast("*.paid")->seq(), 2u);
  EXPECT_EQ(this->store_->LoadLast("")->seq(), 4u);
  EXPECT_EQ(this->store_->LoadNext("orders.new", 2)->seq(), 4u);
  EXPECT_EQ(this->store_->LoadNext("*.new", 2)->seq(), 3u);
  EXPECT_EQ(this->store_->LoadNext(">", 0)->seq(), 1u);
  EXPECT_FALSE(this->store_->LoadNext("nope", 0).ok());
  EXPECT_FALSE(this->store_->LoadLast("orders.x").ok());
  EXPECT_EQ(this->store_->NextSeq(SubjectFilters("users.>"), 0), 3u);
  ASSERT_TRUE(this->store_->Remove(4).ok());
  EXPECT_EQ(this->store_->LoadLast("orders.new")->seq(), 1u);
  auto counts = this->store_->SubjectCounts("orders.>");
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts["orders.new"], 1u);
}

TYPED_TEST(MessageStoreTest, NextSeqWithSeveralFilters) {
  this->Add("a.1");  // 1
  this->Add("b.1");  // 2
  this->Add("c.1");  // 3
  this->Add("a.2");  // 4
  this->Add("b.1");  // 5
  const SubjectFilters literals({"b.1", "a.2", "b.1"});
  EXPECT_EQ(this->store_->NextSeq(literals, 0), 2u);
  EXPECT_EQ(this->store_->NextSeq(literals, 3), 4u);
  EXPECT_EQ(this->store_->NextSeq(literals, 5), 5u);
  EXPECT_EQ(this->store_->NextSeq(literals, 6), 0u);
  const SubjectFilters mixed({"c.*", "a.2"});
  EXPECT_EQ(this->store_->NextSeq(mixed, 0), 3u);
  EXPECT_EQ(this->store_->NextSeq(mixed, 4), 4u);
  EXPECT_EQ(this->store_->NextSeq(mixed, 5), 0u);
  EXPECT_EQ(this->store_->NextSeq(SubjectFilters({"x", "y.*"}), 0), 0u);
  EXPECT_EQ(this->store_->NextSeq(SubjectFilters({"x", ">"}), 2), 2u);
  ASSERT_TRUE(this->store_->Remove(2).ok());
  EXPECT_EQ(this->store_->NextSeq(literals, 0), 4u);
}

// What Filtered() found, printable.
std::string Str(const FilteredState& f) {
  std::string lps;
  for (uint64_t seq : f.last_per_subject) absl::StrAppend(&lps, lps.empty() ? "" : ",", seq);
  return absl::StrCat("msgs=", f.msgs, " first=", f.first, " last=", f.last, " lps=[", lps, "]");
}

TYPED_TEST(MessageStoreTest, FilteredCountsFromAStart) {
  for (const char* subject : {"orders.new", "orders.paid", "users.new", "orders.new", "orders.paid",
                              "users.old", "orders.new", "users.new"}) {
    this->Add(subject);
  }
  auto filtered = [this](std::vector<std::string> filters, uint64_t start, bool lps = false) {
    return Str(this->store_->Filtered(SubjectFilters(std::move(filters)), start, lps));
  };
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(filtered({"orders.new"}, 0), "msgs=3 first=1 last=7 lps=[]");
    EXPECT_EQ(filtered({"orders.new"}, 1), "msgs=3 first=1 last=7 lps=[]");
    EXPECT_EQ(filtered({"orders.new"}, 2), "msgs=2 first=4 last=7 lps=[]") << "start inside";
    EXPECT_EQ(filtered({"orders.new"}, 8), "msgs=0 first=0 last=7 lps=[]");
    EXPECT_EQ(filtered({"orders.new"}, 100), "msgs=0 first=0 last=7 lps=[]");
    EXPECT_EQ(filtered({"orders.*"}, 3), "msgs=3 first=4 last=7 lps=[]");
    EXPECT_EQ(filtered({"orders.paid", "users.*"}, 0), "msgs=5 first=2 last=8 lps=[]");
    EXPECT_EQ(filtered({"orders.paid", "users.*"}, 4), "msgs=3 first=5 last=8 lps=[]");
    EXPECT_EQ(filtered({"orders.paid", "users.new"}, 3), "msgs=3 first=3 last=8 lps=[]");
    EXPECT_EQ(filtered({"users.new", "users.*", "users.new"}, 0), "msgs=3 first=3 last=8 lps=[]")
        << "overlapping filters count a message once";
    EXPECT_EQ(filtered({}, 4), "msgs=5 first=4 last=8 lps=[]");
    EXPECT_EQ(filtered({">"}, 0), "msgs=8 first=1 last=8 lps=[]");
    EXPECT_EQ(filtered({"nope", "nope.*"}, 0), "msgs=0 first=0 last=0 lps=[]");
    EXPECT_EQ(filtered({"orders.*"}, 0, true), "msgs=5 first=1 last=7 lps=[5,7]");
    EXPECT_EQ(filtered({"orders.*"}, 6, true), "msgs=1 first=7 last=7 lps=[7]");
    EXPECT_EQ(filtered({}, 0, true), "msgs=8 first=1 last=8 lps=[5,6,7,8]");
    EXPECT_EQ(filtered({"users.old", "orders.new"}, 0, true), "msgs=4 first=1 last=7 lps=[6,7]");
    this->Reopen();
  }

  ASSERT_TRUE(this->store_->Remove(4).ok());
  ASSERT_TRUE(this->store_->Remove(1).ok());
  ASSERT_EQ(this->store_->Purge("users.new", 0, 0).value(), 2u);  // 3, 8
  ASSERT_TRUE(this->store_->Flush().ok());
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_EQ(filtered({"orders.new"}, 0), "msgs=1 first=7 last=7 lps=[]");
    EXPECT_EQ(filtered({"orders.new"}, 2), "msgs=1 first=7 last=7 lps=[]");
    EXPECT_EQ(filtered({"users.*"}, 0, true), "msgs=1 first=6 last=6 lps=[6]");
    EXPECT_EQ(filtered({}, 0), "msgs=4 first=2 last=7 lps=[]");
    EXPECT_EQ(filtered({}, 3), "msgs=3 first=5 last=7 lps=[]");
    EXPECT_EQ(filtered({}, 7), "msgs=1 first=7 last=7 lps=[]");
    this->Reopen();
  }
  ASSERT_EQ(this->store_->Purge("", 6, 0).value(), 2u);  // 2, 5
  EXPECT_EQ(filtered({}, 0), "msgs=2 first=6 last=7 lps=[]");
  EXPECT_EQ(filtered({"orders.paid"}, 0, true), "msgs=0 first=0 last=0 lps=[]");
  ASSERT_EQ(this->store_->Purge("", 0, 0).value(), 2u);
  EXPECT_EQ(filtered({}, 0, true), "msgs=0 first=0 last=0 lps=[]");
  EXPECT_EQ(filtered({"orders.*"}, 0, true), "msgs=0 first=0 last=0 lps=[]");
}

TYPED_TEST(MessageStoreTest, FilteredOnAnEmptyStore) {
  EXPECT_EQ(Str(this->store_->Filtered(SubjectFilters(), 0, true)), "msgs=0 first=0 last=0 lps=[]");
  EXPECT_EQ(Str(this->store_->Filtered(SubjectFilters({"a", "b.*"}), 5, true)),
            "msgs=0 first=0 last=0 lps=[]");
}

// Filtered() and NextSeq() against a std::map model, with many subjects so
// that wildcards take both the walk of the subjects and the scan of the
// entries, and starts before, inside and after the subjects' ranges.
TYPED_TEST(MessageStoreTest, FilteredMatchesModel) {
  std::map<uint64_t, std::string> model;
  uint64_t last = 0;
  std::mt19937_64 rng(7);
  auto subject = [&rng] {
    switch (rng() % 4) {
      case 0:
        return std::string(rng() % 2 ? "a.b" : "a.c");
      case 1:
        return std::string(rng() % 2 ? "b.x.y" : "c");
      default:
        return absl::StrCat("k.", rng() % 60);
    }
  };
  const std::vector<std::vector<std::string>> filter_sets = {
      {},        {">"},    {"a.b"},        {"a.b", "c"},
      {"a.*"},   {"k.*"},  {"k.3", "a.*"}, {"k.1", "k.2", "k.3"},
      {"*.x.>"}, {"nope"}, {"k.5", "k.5"}, {"k.7", "nope.*"}};
  for (int op = 0; op < 2500; ++op) {
    const int kind = static_cast<int>(rng() % 100);
    if (kind < 70) {
      std::string s = subject();
      ASSERT_EQ(this->Add(s), ++last);
      model[last] = s;
    } else if (kind < 85) {
      const uint64_t seq = 1 + rng() % (last + 1);
      ASSERT_EQ(this->store_->Remove(seq).value(), model.erase(seq) == 1);
    } else if (kind < 87) {
      const uint64_t before = last + 1 - rng() % 40;
      ASSERT_TRUE(this->store_->Purge("", before, 0).ok());
      model.erase(model.begin(), model.lower_bound(before));
    } else if (kind < 88) {
      ASSERT_TRUE(this->store_->Flush().ok());
      this->Reopen();
    } else {
      const std::vector<std::string>& set = filter_sets[rng() % filter_sets.size()];
      const SubjectFilters filters(set);
      uint64_t start = rng() % 4 == 0 ? 0 : rng() % (last + 3);
      if (rng() % 3 == 0) start = last + 1 - std::min<uint64_t>(last, rng() % 10);
      FilteredState want;
      std::map<std::string, uint64_t> newest;
      for (const auto& [seq, subj] : model) {
        if (!filters.Matches(subj)) continue;
        want.last = seq;
        newest[subj] = seq;
        if (seq < start) continue;
        if (want.first == 0) want.first = seq;
        ++want.msgs;
      }
      for (const auto& [subj, seq] : newest) {
        if (seq >= start) want.last_per_subject.push_back(seq);
      }
      std::sort(want.last_per_subject.begin(), want.last_per_subject.end());
      const std::string where =
          absl::StrCat("op ", op, " filter ", absl::StrJoin(set, ","), " start ", start);
      ASSERT_EQ(Str(this->store_->Filtered(filters, start, true)), Str(want)) << where;
      ASSERT_EQ(this->store_->NextSeq(filters, start), want.first) << where;
    }
  }
}

TYPED_TEST(MessageStoreTest, PurgeVariants) {
  for (int i = 0; i < 10; ++i) this->Add(i % 2 == 0 ? "even" : "odd");
  EXPECT_EQ(this->store_->Purge("odd", 0, 2).value(), 3u);  // odd: 2,4,6,8,10 -> keep 8,10
  EXPECT_EQ(this->store_->SubjectCount("odd"), 2u);
  EXPECT_EQ(this->store_->Purge("", 4, 0).value(), 2u);  // 1, 3
  EXPECT_EQ(this->store_->State().first_seq, 5u);
  EXPECT_EQ(this->store_->Purge("", 0, 3).value(), 2u);  // live 5,7,8,9,10 -> keep 8,9,10
  EXPECT_EQ(this->store_->State().first_seq, 8u);
  ASSERT_TRUE(this->store_->Flush().ok());
  this->Reopen();
  EXPECT_EQ(this->store_->State().msgs, 3u);
  EXPECT_EQ(this->store_->Purge("", 0, 0).value(), 3u);
  for (int pass = 0; pass < 2; ++pass) {
    StoreState s = this->store_->State();
    EXPECT_EQ(s.msgs, 0u);
    EXPECT_EQ(s.last_seq, 10u);
    EXPECT_EQ(s.first_seq, 11u);
    this->Reopen();
  }
  EXPECT_EQ(this->Add("after"), 11u);
}

TYPED_TEST(MessageStoreTest, PurgeBeyondLastMovesSequence) {
  this->Add("a");
  EXPECT_EQ(this->store_->Purge("", 100, 0).value(), 1u);
  ASSERT_TRUE(this->store_->Flush().ok());
  this->Reopen();
  EXPECT_EQ(this->store_->State().last_seq, 99u);
  EXPECT_EQ(this->Add("a"), 100u);
}

TYPED_TEST(MessageStoreTest, SeqForTime) {
  this->Add("a", "x", "", 10);
  this->Add("a", "x", "", 20);
  this->Add("a", "x", "", 30);
  EXPECT_EQ(this->store_->SeqForTime(0), 1u);
  EXPECT_EQ(this->store_->SeqForTime(15), 2u);
  EXPECT_EQ(this->store_->SeqForTime(20), 2u);
  EXPECT_EQ(this->store_->SeqForTime(31), 4u);
  ASSERT_TRUE(this->store_->Remove(2).ok());
  EXPECT_EQ(this->store_->SeqForTime(15), 3u);
}

// A random mix of operations checked against a std::map model, with
// restarts for the file store.
TYPED_TEST(MessageStoreTest, RandomOpsMatchModel) {
  struct Msg {
    std::string subject, hdr, data;
  };
  std::map<uint64_t, Msg> model;
  uint64_t last = 0;
  std::mt19937_64 rng(42);
  const char* subjects[] = {"a", "b.x", "b.y", "c.d.e"};
  for (int op = 0; op < 3000; ++op) {
    int kind = static_cast<int>(rng() % 100);
    if (kind < 70) {
      Msg m{subjects[rng() % 4], rng() % 3 == 0 ? "NATS/1.0\r\nK: v\r\n\r\n" : "",
            std::string(rng() % 300, static_cast<char>('a' + rng() % 26))};
      uint64_t seq = this->Add(m.subject, m.data, m.hdr);
      ASSERT_EQ(seq, ++last);
      model[seq] = m;
    } else if (kind < 88) {
      uint64_t seq = 1 + rng() % (last + 1);
      bool removed = this->store_->Remove(seq).value();
      ASSERT_EQ(removed, model.erase(seq) == 1);
    } else if (kind < 92) {
      std::string filter = rng() % 2 ? "b.*" : "";
      uint64_t keep = rng() % 3 == 0 ? rng() % 20 : 0;
      uint64_t before = keep == 0 && rng() % 2 ? last + 1 - rng() % 50 : 0;
      if (before > 0 && before < 1) before = 1;
      std::vector<uint64_t> match;
      for (const auto& [seq, m] : model) {
        bool f = filter.empty() || m.subject == "b.x" || m.subject == "b.y";
        if (f && (before == 0 || seq < before)) match.push_back(seq);
      }
      uint64_t total = 0;
      for (const auto& [seq, m] : model) {
        if (filter.empty() || m.subject == "b.x" || m.subject == "b.y") ++total;
      }
      size_t remove = match.size();
      if (keep > 0) remove = std::min<size_t>(match.size(), total - std::min<uint64_t>(keep, total));
      for (size_t i = 0; i < remove; ++i) model.erase(match[i]);
      ASSERT_EQ(this->store_->Purge(filter, before, keep).value(), remove);
    } else if (kind < 95) {
      ASSERT_TRUE(this->store_->Flush().ok());
      this->Reopen();
    } else {
      if (model.empty()) continue;
      auto it = model.lower_bound(1 + rng() % last);
      if (it == model.end()) continue;
      auto m = this->store_->Load(it->first);
      ASSERT_TRUE(m.ok()) << m.status();
      EXPECT_EQ(m->subject(), it->second.subject);
      EXPECT_EQ(m->headers(), it->second.hdr);
      EXPECT_EQ(m->data(), it->second.data);
    }
    StoreState s = this->store_->State();
    ASSERT_EQ(s.msgs, model.size()) << "op " << op;
    ASSERT_EQ(s.last_seq, last);
    ASSERT_EQ(s.first_seq, model.empty() ? last + 1 : model.begin()->first);
  }
  ASSERT_TRUE(this->store_->Flush().ok());
  this->Reopen();
  for (const auto& [seq, m] : model) {
    auto got = this->store_->Load(seq);
    ASSERT_TRUE(got.ok()) << seq << " " << got.status();
    EXPECT_EQ(got->data(), m.data);
  }
}

}  // namespace
}  // namespace jsengine::storesvc
