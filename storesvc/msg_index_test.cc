#include "storesvc/msg_index.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace jsengine::storesvc {
namespace {

// What MsgIndex should answer, kept the obvious way.
struct Model {
  struct Msg {
    int64_t ts;
    uint64_t loc;
    uint32_t size;
    std::string subject;
  };
  std::map<uint64_t, Msg> live;
  std::map<uint64_t, Msg> all;          // Every message ever added, live or not.
  std::map<uint64_t, int64_t> slot_ts;  // Every sequence ever indexed, live or not.
  uint64_t last = 0;

  uint64_t FirstLive() const { return live.empty() ? last + 1 : live.begin()->first; }
};

// Sealed records kept in memory, `per_page` a page, plus an empty page.
class FakeRecords : public SealedRecords {
 public:
  FakeRecords(std::vector<SealedRecord> records, std::vector<std::string> subjects, size_t per_page)
      : records_(std::move(records)), subjects_(std::move(subjects)), per_page_(per_page) {}

  size_t num_pages() const override { return (records_.size() + per_page_ - 1) / per_page_ + 1; }
  void ReadPage(size_t p, std::vector<SealedRecord>* out) const override {
    out->clear();
    for (size_t i = p * per_page_; i < records_.size() && i < (p + 1) * per_page_; ++i)
      out->push_back(records_[i]);
  }
  std::vector<std::string> TakeSubjects() override { return std::move(subjects_); }

 private:
  std::vector<SealedRecord> records_;
  std::vector<std::string> subjects_;
  size_t per_page_;
};

// The records of the messages of `model` in [from, to], live or not.
std::unique_ptr<FakeRecords> RecordsOf(const Model& model, uint64_t from, uint64_t to,
                                       size_t per_page) {
  std::vector<SealedRecord> records;
  std::vector<std::string> subjects;
  std::map<std::string, uint32_t> numbers;
  for (auto it = model.all.lower_bound(from); it != model.all.end() && it->first <= to; ++it) {
    auto [n, inserted] = numbers.try_emplace(it->second.subject, subjects.size());
    if (inserted) subjects.push_back(it->second.subject);
    records.push_back(
        SealedRecord{it->first, it->second.ts, it->second.loc, it->second.size, n->second});
  }
  return std::make_unique<FakeRecords>(std::move(records), std::move(subjects), per_page);
}

void ExpectSame(const MsgIndex& index, const Model& model, const SubjectFilters& filters,
                uint64_t start, int64_t ts) {
  ASSERT_EQ(index.last_seq(), model.last);
  ASSERT_EQ(index.msgs(), model.live.size());
  ASSERT_EQ(index.first_seq(), model.FirstLive());
  uint64_t bytes = 0;
  std::map<std::string, SubjectInfo> subjects;
  for (const auto& [seq, m] : model.live) {
    bytes += m.size;
    SubjectInfo& info = subjects[m.subject];
    if (info.count++ == 0) info.first = seq;
    info.last = seq;
  }
  ASSERT_EQ(index.bytes(), bytes);
  ASSERT_EQ(index.num_deleted(),
            model.live.empty() ? 0 : model.last - model.FirstLive() + 1 - model.live.size());
  ASSERT_EQ(index.subjects().size(), subjects.size());
  for (const auto& [subject, want] : subjects) {
    auto it = index.subjects().find(subject);
    ASSERT_NE(it, index.subjects().end()) << subject;
    EXPECT_EQ(it->second.count, want.count) << subject;
    EXPECT_EQ(it->second.last, want.last) << subject;
    EXPECT_LE(it->second.first, want.first) << subject;
  }

  for (uint64_t seq = model.last > 40 ? model.last - 40 : 0; seq <= model.last + 1; ++seq) {
    const std::optional<IndexEntry> e = index.Get(seq);
    auto it = model.live.find(seq);
    ASSERT_EQ(e.has_value(), it != model.live.end()) << seq;
    if (!e) continue;
    EXPECT_EQ(e->ts, it->second.ts);
    EXPECT_EQ(e->loc, it->second.loc);
    EXPECT_EQ(e->size, it->second.size);
    EXPECT_EQ(*e->subject, it->second.subject);
  }

  uint64_t next = 0;
  uint64_t last_match = 0;
  FilteredState want;
  std::map<std::string, uint64_t> newest;
  for (const auto& [seq, m] : model.live) {
    if (!filters.Matches(m.subject)) continue;
    last_match = seq;
    newest[m.subject] = seq;
    if (seq < start) continue;
    if (next == 0) next = seq;
    ++want.msgs;
  }
  want.first = next;
  want.last = last_match;
  for (const auto& [subject, seq] : newest) {
    if (seq >= start) want.last_per_subject.push_back(seq);
  }
  std::sort(want.last_per_subject.begin(), want.last_per_subject.end());
  EXPECT_EQ(index.NextMatch(filters, start), next);
  EXPECT_EQ(index.LastMatch(filters), last_match);
  const FilteredState got = index.Filtered(filters, start, true);
  EXPECT_EQ(got.msgs, want.msgs);
  EXPECT_EQ(got.first, want.first);
  EXPECT_EQ(got.last, want.last);
  EXPECT_EQ(got.last_per_subject, want.last_per_subject);
  EXPECT_EQ(index.LastLive(), model.live.empty() ? 0 : model.live.rbegin()->first);

  uint64_t at_time = model.last + 1;
  for (const auto& [seq, m] : model.live) {
    if (m.ts >= ts) {
      at_time = seq;
      break;
    }
  }
  EXPECT_EQ(index.SeqForTime(ts), at_time);

  std::vector<uint64_t> seen;
  index.ForEach(start, [&](uint64_t seq, const IndexEntry& e) {
    seen.push_back(seq);
    EXPECT_EQ(*e.subject, model.live.at(seq).subject);
    return true;
  });
  std::vector<uint64_t> expected;
  for (auto it = model.live.lower_bound(start); it != model.live.end(); ++it)
    expected.push_back(it->first);
  EXPECT_EQ(seen, expected);
}

TEST(MsgIndexTest, RandomOperationsMatchModel) {
  std::mt19937_64 rng(20261202);
  std::vector<std::string> pool;
  for (int i = 0; i < 6; ++i) pool.push_back(absl::StrCat("a.", i));
  for (int i = 0; i < 6; ++i)
    pool.push_back(absl::StrCat("b.", i, ".a-subject-too-long-to-be-inline"));
  const std::vector<SubjectFilters> filters = {
      SubjectFilters(""),
      SubjectFilters("a.1"),
      SubjectFilters("a.*"),
      SubjectFilters("b.>"),
      SubjectFilters(std::vector<std::string>{"a.2", "b.3.a-subject-too-long-to-be-inline"}),
      SubjectFilters(std::vector<std::string>{"a.0", "b.*.*"}),
  };
  int paged = 0;
  for (int round = 0; round < 20; ++round) {
    MsgIndex index;
    Model model;
    int64_t ts = 1000;
    uint64_t sealed = 0;  // Sequences up to this one are in runs.
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    for (int op = 0; op < 800; ++op) {
      const int what = static_cast<int>(rng() % 100);
      if (what < 50) {
        const uint64_t seq = model.last + 1 + (rng() % 10 == 0 ? rng() % 5 : 0);
        ts += static_cast<int64_t>(rng() % 3);
        // Few subjects live at a time early on, so numbers get reused.
        const std::string& subject = pool[rng() % (round % 2 == 0 ? 3 : pool.size())];
        const uint32_t size = static_cast<uint32_t>(rng() % 500);
        const uint64_t loc = rng();
        index.Add(seq, ts, subject, size, loc);
        for (uint64_t s = model.last + 1; s <= seq; ++s) model.slot_ts[s] = ts;
        model.live[seq] = Model::Msg{ts, loc, size, subject};
        model.all[seq] = model.live[seq];
        model.last = seq;
      } else if (what < 80) {
        const uint64_t seq = model.last == 0 ? 0 : rng() % (model.last + 2);
        IndexEntry removed;
        const bool was_live = model.live.count(seq) > 0;
        ASSERT_EQ(index.Remove(seq, &removed), was_live) << seq;
        if (was_live) {
          EXPECT_EQ(removed.size, model.live[seq].size);
          EXPECT_EQ(removed.loc, model.live[seq].loc);
          model.live.erase(seq);
        }
      } else if (what < 85) {
        const uint64_t seq = model.last + rng() % 4;
        index.AdvanceLast(seq);
        model.last = std::max(model.last, seq);
      } else if (what < 89 && !model.live.empty()) {
        auto it = std::next(model.live.begin(), static_cast<long>(rng() % model.live.size()));
        it->second.loc = rng();
        model.all[it->first].loc = it->second.loc;
        ASSERT_TRUE(index.SetLoc(it->first, it->second.loc));
      } else if (what < 93) {
        if (sealed < model.last) {
          const uint64_t through = sealed + 1 + rng() % (model.last - sealed);
          auto live = model.live.lower_bound(sealed + 1);
          const bool has_live = live != model.live.end() && live->first <= through;
          switch (rng() % 3) {
            case 0:
              EXPECT_FALSE(index.Seal(through));
              break;
            case 1:
              if (index.Seal(through, RecordsOf(model, sealed + 1, through, 1 + rng() % 6)))
                ++paged;
              break;
            default:
              if (has_live) {
                // One live message differs: the run must stay in memory.
                Model wrong = model;
                wrong.all[live->first].ts += 1;
                EXPECT_FALSE(index.Seal(through, RecordsOf(wrong, sealed + 1, through, 2)));
              } else {
                index.Seal(through);
              }
          }
          runs.emplace_back(sealed + 1, through);
          sealed = through;
        }
      } else if (what < 97) {
        if (!runs.empty()) {
          const auto [from, to] = runs[rng() % runs.size()];
          std::unique_ptr<FakeRecords> records = RecordsOf(model, from, to, 1 + rng() % 6);
          auto live = model.live.lower_bound(from);
          if (rng() % 8 == 0 && live != model.live.end() && live->first <= to) {
            // One live message differs: the run must stay as it is.
            Model wrong = model;
            wrong.all[live->first].loc ^= 1;
            EXPECT_FALSE(index.PageRun(from, RecordsOf(wrong, from, to, 3)));
          } else if (index.PageRun(from + rng() % (to - from + 1), std::move(records))) {
            ++paged;
          }
        }
      } else {
        // Everything from a bound on goes, as a purge would remove it.
        const uint64_t below = model.last == 0 ? 0 : rng() % (model.last + 1);
        for (auto it = model.live.begin(); it != model.live.end() && it->first < below;) {
          ASSERT_TRUE(index.Remove(it->first, nullptr));
          it = model.live.erase(it);
        }
      }
      const uint64_t start = rng() % (model.last + 3);
      const int64_t at = 1000 + static_cast<int64_t>(rng() % static_cast<uint64_t>(ts - 998));
      ASSERT_NO_FATAL_FAILURE(ExpectSame(index, model, filters[rng() % filters.size()], start, at))
          << "round " << round << " op " << op;
    }
  }
  EXPECT_GT(paged, 20);
}

TEST(MsgIndexTest, MemoryIsTwentyFourBytesPerSequence) {
  MsgIndex index;
  constexpr uint64_t kMsgs = 1 << 20;
  for (uint64_t seq = 1; seq <= kMsgs; ++seq) {
    index.Add(seq, static_cast<int64_t>(seq), absl::StrCat("s.", seq % 16), 100, seq);
  }
  const size_t bytes = index.MemoryBytes();
  EXPECT_GE(bytes, 24 * kMsgs);
  EXPECT_LE(bytes, 24 * kMsgs + 24 * 4096 + 4096);
  for (uint64_t seq = 1; seq <= kMsgs / 2; ++seq) ASSERT_TRUE(index.Remove(seq, nullptr));
  EXPECT_LE(index.MemoryBytes(), 24 * kMsgs / 2 + 24 * 4096 + 4096);
}

TEST(MsgIndexTest, PagedRunsKeepMemoryBounded) {
  MsgIndex index;
  Model model;
  constexpr uint64_t kMsgs = 1 << 20;
  constexpr uint64_t kRun = 100'000;
  uint64_t sealed = 0;
  for (uint64_t seq = 1; seq <= kMsgs; ++seq) {
    const std::string subject = absl::StrCat("s.", seq % 16);
    index.Add(seq, static_cast<int64_t>(seq), subject, 100, seq);
    model.all[seq] = Model::Msg{static_cast<int64_t>(seq), seq, 100, subject};
    if (seq % kRun == 0) {
      if (seq / kRun % 2 == 0) {
        ASSERT_TRUE(index.Seal(seq, RecordsOf(model, sealed + 1, seq, MsgIndex::kPageSize)));
      } else {
        EXPECT_FALSE(index.Seal(seq));
        ASSERT_TRUE(index.PageRun(seq, RecordsOf(model, sealed + 1, seq, MsgIndex::kPageSize)));
      }
      sealed = seq;
    }
  }
  EXPECT_EQ(index.paged_runs(), kMsgs / kRun);
  std::cerr << "after paging " << index.MemoryBytes() << "\n";
  // Every message read once, then some removed, filtered and looked up by time.
  uint64_t seen = 0;
  index.ForEach(1, [&](uint64_t seq, const IndexEntry& e) {
    EXPECT_EQ(e.loc, seq);
    ++seen;
    return true;
  });
  EXPECT_EQ(seen, kMsgs);
  for (uint64_t seq = 1; seq <= kMsgs; seq += 7) ASSERT_TRUE(index.Remove(seq, nullptr));
  EXPECT_EQ(index.Filtered(SubjectFilters("s.3"), 1, false).msgs, kMsgs / 16 - kMsgs / 16 / 7);
  ASSERT_FALSE(index.Get(500'004).has_value());
  EXPECT_EQ(index.SeqForTime(500'004), 500'005u);
  // The unsealed sequences (whole chunks), a bitmap of removals per run and
  // at most kCachedPages pages of at most kPageSize 32-byte messages.
  const size_t bound = 24 * (kMsgs - sealed + 4096) + kMsgs / 8 + 64 * 1024 +
                       MsgIndex::kCachedPages * (MsgIndex::kPageSize * 32 + 256);
  EXPECT_LE(index.MemoryBytes(), bound);
  EXPECT_LT(bound, 24 * kMsgs / 4);
}

TEST(MsgIndexTest, ForgottenSubjectsGiveBackTheirNumbers) {
  MsgIndex index;
  uint64_t seq = 0;
  auto churn = [&](int generation) {
    const uint64_t from = seq + 1;
    for (int i = 0; i < 1000; ++i)
      index.Add(++seq, 0, absl::StrCat("gen", generation, ".", i), 1, 0);
    for (uint64_t s = from; s <= seq; ++s) ASSERT_TRUE(index.Remove(s, nullptr));
  };
  churn(0);
  const size_t after_first = index.MemoryBytes();
  for (int generation = 1; generation < 50; ++generation) churn(generation);
  EXPECT_TRUE(index.subjects().empty());
  EXPECT_EQ(index.MemoryBytes(), after_first);
  index.Add(++seq, 0, "stays", 1, 0);
  ASSERT_TRUE(index.Get(seq).has_value());
  EXPECT_EQ(*index.Get(seq)->subject, "stays");
}

}  // namespace
}  // namespace jsengine::storesvc
