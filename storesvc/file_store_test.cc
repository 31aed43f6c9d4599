// FileStore-specific behaviour: saved index reuse, recovery from corrupted
// and torn segments. The shared contract is in message_store_test.cc.
#include "storesvc/file_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/file_io.h"
#include "gtest/gtest.h"
#include "storesvc/saved_state.h"
#include "storesvc/segment_record.h"
#include "storesvc/store_error.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

namespace fs = std::filesystem;

std::string Payload(uint64_t seq) { return std::string(20 + seq % 50, static_cast<char>('a' + seq % 26)); }

std::unique_ptr<FileStore> OpenStore(const std::string& dir) {
  auto s = FileStore::Open(FileStoreOptions{dir, 2048});
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(s).value();
}

void Fill(FileStore* store, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t seq = store->State().last_seq + 1;
    ASSERT_EQ(store->Append(absl::StrCat("subj.", seq % 3), "", Payload(seq), 1000 + seq).value(), seq);
  }
  ASSERT_TRUE(store->Flush().ok());
}

struct RecordPos {
  uint64_t seq;  // 0 for non-message records.
  uint64_t offset;
};

// The records of a segment file, in order.
std::vector<RecordPos> ScanSegment(const std::string& path) {
  std::string buf;
  {
    std::ifstream in(path, std::ios::binary);
    buf.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<RecordPos> out;
  size_t off = 0;
  while (off < buf.size()) {
    SegmentRecord rec;
    if (!ParseSegmentRecord(buf.data() + off, buf.size() - off, &rec).ok()) break;
    out.push_back({rec.type == file_format::kMessage ? rec.seq : 0, off});
    off += rec.total_size;
  }
  return out;
}

// Deletes every saved index file, as if the store had never closed cleanly
// nor sealed a segment: Open() must replay every segment's bytes.
void RemoveSavedIndex(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name == file_format::kSavedStateFile || e.path().extension() == file_format::kIndexSuffix) {
      fs::remove(e.path());
    }
  }
}

std::vector<std::string> Segments(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every message is either served exactly as written or not at all, and
// exactly the `lost` ones are gone.
void ExpectRecovered(FileStore* store, uint64_t last, const std::set<uint64_t>& lost) {
  uint64_t present = 0;
  for (uint64_t seq = 1; seq <= last; ++seq) {
    auto m = store->Load(seq);
    if (lost.count(seq) > 0) {
      EXPECT_FALSE(m.ok()) << "seq " << seq << " should be lost";
      continue;
    }
    ASSERT_TRUE(m.ok()) << "seq " << seq << ": " << m.status();
    EXPECT_EQ(m->data(), Payload(seq));
    EXPECT_EQ(m->subject(), absl::StrCat("subj.", seq % 3));
    ++present;
  }
  EXPECT_EQ(store->State().msgs, present);
}

TEST(FileStoreTest, SavedIndexReusedAndTailReplayed) {
  std::string dir = testing::util::MakeTempDir("fs_saved-");
  {
    auto store = OpenStore(dir);
    EXPECT_FALSE(store->used_saved_index());
    Fill(store.get(), 300);
    ASSERT_TRUE(store->Remove(5).value());
    ASSERT_TRUE(store->Close().ok());
  }
  StoreState before;
  {
    auto store = OpenStore(dir);
    EXPECT_TRUE(store->used_saved_state());
    before = store->State();
    EXPECT_EQ(before.msgs, 299u);
    EXPECT_EQ(before.num_deleted, 1u);
    // Simulate a crash after more appends: copy the files while open, so the
    // copy has the old saved index and longer segments.
    Fill(store.get(), 50);
    ASSERT_TRUE(store->Remove(300).value());
    ASSERT_TRUE(store->Flush().ok());
    std::string copy = testing::util::MakeTempDir("fs_saved_copy-");
    for (const auto& e : fs::directory_iterator(dir)) {
      fs::copy_file(e.path(), copy + "/" + e.path().filename().string(),
                    fs::copy_options::overwrite_existing);
    }
    auto crashed = OpenStore(copy);
    EXPECT_TRUE(crashed->used_saved_index());
    EXPECT_FALSE(crashed->used_saved_state());
    // Only the active segment, never sealed, has no index file.
    EXPECT_EQ(crashed->scanned_segments(), 1u);
    EXPECT_EQ(crashed->State().msgs, 348u);
    EXPECT_EQ(crashed->State().last_seq, 350u);
    std::set<uint64_t> lost = {5, 300};
    ExpectRecovered(crashed.get(), 350, lost);
  }
}

TEST(FileStoreTest, SealedSegmentsAreReadFromTheirIndexFilesWithBoundedMemory) {
  const std::string dir = testing::util::MakeTempDir("fs_paged-");
  FileStoreOptions options{dir, 256 << 10};
  constexpr uint64_t kMsgs = 200'000;
  auto count_segments = [&] {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir))
      n += e.path().extension() == file_format::kSegmentSuffix;
    return n;
  };
  auto check = [&](FileStore* store, uint64_t removed_from, uint64_t removed_to) {
    EXPECT_EQ(store->paged_segments(), count_segments() - 1);
    const StoreState s = store->State();
    EXPECT_EQ(s.msgs, kMsgs - (removed_to - removed_from + 1));
    for (uint64_t seq = 1; seq <= kMsgs; seq += 97) {
      auto m = store->Load(seq);
      if (seq >= removed_from && seq <= removed_to) {
        EXPECT_FALSE(m.ok()) << seq;
        continue;
      }
      ASSERT_TRUE(m.ok()) << seq << ": " << m.status();
      EXPECT_EQ(m->subject(), absl::StrCat("subj.", seq % 7));
      EXPECT_EQ(m->data(), Payload(seq));
      EXPECT_EQ(m->time_ns(), static_cast<int64_t>(1000 + seq));
    }
    auto next = store->LoadNext("subj.3", removed_from);
    ASSERT_TRUE(next.ok());
    uint64_t want = removed_to + 1;
    while (want % 7 != 3) ++want;
    EXPECT_EQ(next->seq(), want);
    EXPECT_EQ(store->SeqForTime(1000 + removed_from), removed_to + 1);
    EXPECT_EQ(store->SeqForTime(1000 + kMsgs / 2), kMsgs / 2);
    uint64_t live3 = 0;
    for (uint64_t seq = 1; seq <= kMsgs; ++seq)
      live3 += seq % 7 == 3 && (seq < removed_from || seq > removed_to);
    EXPECT_EQ(store->Filtered(SubjectFilters("subj.3"), 1, false).msgs, live3);
    EXPECT_EQ(store->Filtered(SubjectFilters("subj.*"), kMsgs / 2, false).msgs, kMsgs / 2 + 1);
  };
  {
    auto store = FileStore::Open(options).value();
    for (uint64_t seq = 1; seq <= kMsgs; ++seq) {
      ASSERT_EQ(store->Append(absl::StrCat("subj.", seq % 7), "", Payload(seq), 1000 + seq).value(),
                seq);
    }
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_GT(count_segments(), 20u);
    // Without the paged runs the index would hold 24 bytes a message.
    EXPECT_LT(store->index_memory_bytes(), 24 * kMsgs / 8);
    for (uint64_t seq = 5000; seq <= 9000; ++seq) ASSERT_TRUE(store->Remove(seq).value());
    check(store.get(), 5000, 9000);
    // Scans read every page once: the cache stays within its bound.
    EXPECT_LE(store->index_memory_bytes(),
              24 * kMsgs / 8 + MsgIndex::kCachedPages * (MsgIndex::kPageSize * 32 + 256));
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = FileStore::Open(options).value();
  check(store.get(), 5000, 9000);
  EXPECT_LT(store->index_memory_bytes(),
            24 * kMsgs / 8 + MsgIndex::kCachedPages * (MsgIndex::kPageSize * 32 + 256));
}

TEST(FileStoreTest, SavedIndexRejectedWhenSegmentChanged) {
  std::string dir = testing::util::MakeTempDir("fs_reject-");
  {
    auto store = OpenStore(dir);
    Fill(store.get(), 100);
    ASSERT_TRUE(store->Close().ok());
  }
  std::vector<std::string> segs = Segments(dir);
  ASSERT_GT(segs.size(), 2u);
  fs::resize_file(segs.back(), fs::file_size(segs.back()) - 3);
  auto store = OpenStore(dir);
  EXPECT_FALSE(store->used_saved_state());
  // The last segment's index covers bytes that are gone: only it is rescanned.
  EXPECT_EQ(store->scanned_segments(), 1u);
  EXPECT_EQ(store->truncated_records(), 1u);
  // state.snap proves message 100 was stored: it is lost, and its sequence
  // is not given out again.
  EXPECT_EQ(store->Lost().msgs, std::vector<uint64_t>{100});
  EXPECT_EQ(store->State().last_seq, 100u);
  ExpectRecovered(store.get(), 99, {});
  EXPECT_EQ(store->Append("subj.1", "", Payload(101), 1).value(), 101u);
}

// Flips one byte at a random offset of a random segment (or cuts the last
// segment at a random length), without a saved index as after a crash.
// Recovery keeps every record before the damaged one in that segment and
// every other segment.
TEST(FileStoreTest, RandomCorruptionRecoversToLastGoodRecord) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    std::string dir = testing::util::MakeTempDir("fs_corrupt-");
    {
      auto store = OpenStore(dir);
      Fill(store.get(), 200);
      ASSERT_TRUE(store->Close().ok());
    }
    RemoveSavedIndex(dir);
    std::vector<std::string> segs = Segments(dir);
    const bool truncate = round % 2 == 1;
    const std::string victim = truncate ? segs.back() : segs[rng() % segs.size()];
    const uint64_t size = fs::file_size(victim);
    const uint64_t at = rng() % size;
    std::vector<RecordPos> records = ScanSegment(victim);
    uint64_t damaged_start = 0;
    for (const RecordPos& r : records) {
      if (r.offset <= at) damaged_start = r.offset;
    }
    std::set<uint64_t> lost;
    for (const RecordPos& r : records) {
      if (r.seq != 0 && r.offset >= damaged_start) lost.insert(r.seq);
    }
    if (truncate) {
      fs::resize_file(victim, at);
      if (at == damaged_start) lost.erase(0);
    } else {
      int fd = open(victim.c_str(), O_RDWR);
      char c;
      ASSERT_EQ(pread(fd, &c, 1, at), 1);
      c ^= static_cast<char>(1 + rng() % 255);
      ASSERT_EQ(pwrite(fd, &c, 1, at), 1);
      close(fd);
    }
    auto store = OpenStore(dir);
    uint64_t expected_truncations = (truncate && at == damaged_start) ? 0 : 1;
    EXPECT_EQ(store->truncated_records(), expected_truncations);
    ExpectRecovered(store.get(), 200, lost);
    // The stream stays writable after recovery.
    uint64_t next = store->State().last_seq + 1;
    EXPECT_EQ(store->Append("subj.0", "", "after", 5000).value(), next);
    ASSERT_TRUE(store->Close().ok());
    fs::remove_all(dir);
  }
}

// With a saved index, damage inside the covered bytes is not rescanned at
// open, but reads check every record's CRC: the damaged message is refused,
// never served.
TEST(FileStoreTest, ReadsNeverServeCorruptRecords) {
  std::string dir = testing::util::MakeTempDir("fs_read_crc-");
  {
    auto store = OpenStore(dir);
    Fill(store.get(), 50);
    ASSERT_TRUE(store->Close().ok());
  }
  std::vector<std::string> segs = Segments(dir);
  std::vector<RecordPos> records = ScanSegment(segs.front());
  ASSERT_GT(records.size(), 3u);
  const RecordPos victim = records[2];
  ASSERT_NE(victim.seq, 0u);
  int fd = open(segs.front().c_str(), O_RDWR);
  char c = 'Z';
  ASSERT_EQ(pwrite(fd, &c, 1, victim.offset + file_format::kRecordHeaderSize + 25), 1);
  close(fd);
  auto store = OpenStore(dir);
  ASSERT_TRUE(store->used_saved_index());
  auto bad = store->Load(victim.seq);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(StoreErrorOf(bad.status()), StoreErrc::kChecksumMismatch);
  EXPECT_EQ(store->Load(victim.seq + 1)->data(), Payload(victim.seq + 1));
}

TEST(FileStoreTest, EraseLeavesNoPlaintext) {
  std::string dir = testing::util::MakeTempDir("fs_erase-");
  const std::string secret = "TOP-SECRET-PAYLOAD";
  {
    auto store = OpenStore(dir);
    Fill(store.get(), 3);
    ASSERT_EQ(store->Append("subj.x", "NATS/1.0\r\nS: " + secret + "\r\n\r\n", secret, 1).value(), 4u);
    Fill(store.get(), 3);
    ASSERT_TRUE(store->Erase(4).value());
    EXPECT_FALSE(store->Erase(4).value());
    ASSERT_TRUE(store->Close().ok());
  }
  for (const std::string& seg : Segments(dir)) {
    std::ifstream in(seg, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(secret), std::string::npos) << seg;
  }
  RemoveSavedIndex(dir);
  auto store = OpenStore(dir);
  EXPECT_EQ(store->truncated_records(), 0u);
  EXPECT_FALSE(store->Load(4).ok());
  EXPECT_EQ(store->Load(5)->data(), Payload(5));
  EXPECT_EQ(store->State().msgs, 6u);
}

TEST(FileStoreTest, CompressedAndPlainRecordsReadBackAndCountAsAppended) {
  std::string dir = testing::util::MakeTempDir("fs_compress-");
  const std::string big(5000, 'z');
  uint64_t bytes = 0;
  {
    auto store = OpenStore(dir);
    ASSERT_EQ(store->Append("plain", "", big, 1).value(), 1u);
    store->SetCompressData(true);
    ASSERT_EQ(store->Append("packed", "NATS/1.0\r\nA: b\r\n\r\n", big, 2).value(), 2u);
    ASSERT_EQ(store->Append("tiny", "", "x", 3).value(), 3u);
    store->SetCompressData(false);
    ASSERT_EQ(store->Append("plain", "", big, 4).value(), 4u);
    bytes = store->State().bytes;
    EXPECT_EQ(bytes, 2 * store->MsgSize("plain", "", big) +
                         store->MsgSize("packed", "NATS/1.0\r\nA: b\r\n\r\n", big) +
                         store->MsgSize("tiny", "", "x"));
    ASSERT_TRUE(store->Close().ok());
  }
  uint64_t on_disk = 0;
  for (const std::string& seg : Segments(dir)) on_disk += fs::file_size(seg);
  EXPECT_LT(on_disk, 3 * big.size() + 1000);  // Message 2 takes far less than 5000 bytes.
  RemoveSavedIndex(dir);
  auto store = OpenStore(dir);  // Replays every record.
  EXPECT_EQ(store->truncated_records(), 0u);
  EXPECT_EQ(store->State().bytes, bytes);
  for (uint64_t seq : {1, 2, 4}) EXPECT_EQ(store->Load(seq)->data(), big) << seq;
  EXPECT_EQ(store->Load(2)->headers(), "NATS/1.0\r\nA: b\r\n\r\n");
  EXPECT_EQ(store->Load(3)->data(), "x");
  ASSERT_TRUE(store->Erase(2).value());
  EXPECT_FALSE(store->Load(2).ok());
  EXPECT_EQ(store->Load(4)->data(), big);
}

TEST(FileStoreTest, EmptySegmentsAreDeleted) {
  std::string dir = testing::util::MakeTempDir("fs_drop-");
  auto store = OpenStore(dir);
  Fill(store.get(), 200);
  size_t before = Segments(dir).size();
  ASSERT_GT(before, 3u);
  ASSERT_TRUE(store->Purge("", 150, 0).ok());
  ASSERT_TRUE(store->Flush().ok());
  size_t after = Segments(dir).size();
  EXPECT_LT(after, before);
  ASSERT_TRUE(store->Purge("", 0, 0).ok());
  EXPECT_EQ(Segments(dir).size(), 1u);
  ASSERT_TRUE(store->Close().ok());
  RemoveSavedIndex(dir);
  auto reopened = OpenStore(dir);
  EXPECT_EQ(reopened->State().last_seq, 200u);
  EXPECT_EQ(reopened->State().msgs, 0u);
}


std::unique_ptr<FileStore> OpenCompacting(const std::string& dir, uint64_t compact_min = 512) {
  auto s = FileStore::Open(FileStoreOptions{dir, 2048, compact_min});
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(s).value();
}

uint64_t SegmentBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const std::string& seg : Segments(dir)) n += fs::file_size(seg);
  return n;
}

void CopyDir(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    fs::copy_file(e.path(), to + "/" + e.path().filename().string());
  }
}

// Opens a copy, in `crash`, of the files of the store in `dir` as they are
// now: what a crash at this point would leave.
std::unique_ptr<FileStore> OpenCrashImage(const std::string& dir, const std::string& crash) {
  CopyDir(dir, crash);
  return OpenStore(crash);
}

struct Stored {
  std::string subject, hdr, data;
  int64_t ts;
};

// The store holds exactly `live`, byte for byte, with their sequences and
// times; every other sequence up to `last` is gone.
void ExpectExactly(FileStore* store, uint64_t last, const std::map<uint64_t, Stored>& live) {
  for (uint64_t seq = 1; seq <= last; ++seq) {
    auto m = store->Load(seq);
    auto it = live.find(seq);
    if (it == live.end()) {
      EXPECT_FALSE(m.ok()) << "seq " << seq << " was removed";
      continue;
    }
    ASSERT_TRUE(m.ok()) << "seq " << seq << ": " << m.status();
    EXPECT_EQ(m->seq(), seq);
    EXPECT_EQ(m->subject(), it->second.subject);
    EXPECT_EQ(m->headers(), it->second.hdr);
    EXPECT_EQ(m->data(), it->second.data);
    EXPECT_EQ(m->time_ns(), it->second.ts);
  }
  StoreState st = store->State();
  EXPECT_EQ(st.msgs, live.size());
  EXPECT_EQ(st.last_seq, last);
  EXPECT_EQ(st.first_seq, live.empty() ? last + 1 : live.begin()->first);
}

// Appends `n` messages (every third with headers), recording them in `live`.
void AppendTracked(FileStore* store, uint64_t n, std::map<uint64_t, Stored>* live) {
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t seq = store->State().last_seq + 1;
    Stored m{absl::StrCat("subj.", seq % 3), seq % 3 == 0 ? "NATS/1.0\r\nK: v\r\n\r\n" : "",
             Payload(seq), static_cast<int64_t>(1000 + seq)};
    ASSERT_EQ(store->Append(m.subject, m.hdr, m.data, m.ts).value(), seq);
    (*live)[seq] = m;
  }
  ASSERT_TRUE(store->Flush().ok());
}

// Reads come from a window of each segment's bytes: after compaction moved
// messages within a segment, after a purge, and for records larger than
// the window, every read still returns the stored message.
TEST(FileStoreTest, ReadsThroughTheWindowFollowCompactionAndPurge) {
  const std::string dir = testing::util::MakeTempDir("fs_read_window-");
  auto store = OpenCompacting(dir);
  std::map<uint64_t, Stored> live;
  AppendTracked(store.get(), 300, &live);
  const Stored big{"subj.big", "", std::string(200 << 10, 'B'), 1301};
  ASSERT_EQ(store->Append(big.subject, big.hdr, big.data, big.ts).value(), 301u);
  live[301] = big;
  AppendTracked(store.get(), 20, &live);
  uint64_t last = store->State().last_seq;
  ExpectExactly(store.get(), last, live);
  for (uint64_t seq = last; seq >= 1; --seq) {
    EXPECT_EQ(store->Load(seq)->data(), live[seq].data) << seq;
  }
  for (uint64_t seq = 1; seq <= 300; ++seq) {
    if (seq % 5 == 0) continue;
    ASSERT_TRUE(store->Remove(seq).value());
    live.erase(seq);
  }
  ASSERT_TRUE(store->Flush().ok());
  store->Compact();
  EXPECT_GT(store->compactions(), 0u);
  ExpectExactly(store.get(), last, live);
  ASSERT_TRUE(store->Purge("", 0, 0).ok());
  live.clear();
  AppendTracked(store.get(), 50, &live);
  last = store->State().last_seq;
  ExpectExactly(store.get(), last, live);
}

TEST(FileStoreTest, CompactionShrinksSegmentsAndKeepsLiveMessages) {
  std::string dir = testing::util::MakeTempDir("fs_compact-");
  std::map<uint64_t, Stored> live;
  uint64_t before_bytes = 0;
  size_t before_files = 0;
  {
    auto store = OpenCompacting(dir);
    AppendTracked(store.get(), 400, &live);
    before_bytes = SegmentBytes(dir);
    before_files = Segments(dir).size();
    ASSERT_GT(before_files, 5u);
    // Keep every fifth message so no segment empties: only compaction can
    // reclaim the space. Removals go through all three paths.
    for (uint64_t seq = 1; seq <= 400; ++seq) {
      if (seq % 5 == 0) continue;
      if (seq % 7 == 0) {
        ASSERT_TRUE(store->Erase(seq).value());
      } else if (seq % 3 != 1) {
        ASSERT_TRUE(store->Remove(seq).value());
      } else {
        continue;
      }
      live.erase(seq);
    }
    ASSERT_TRUE(store->Purge("subj.1", 0, 10).ok());
    for (auto it = live.begin(); it != live.end();) {
      it = (it->second.subject == "subj.1" && it->first <= 400 - 30) ? live.erase(it) : std::next(it);
    }
    ASSERT_TRUE(store->Flush().ok());
    store->Compact();
    EXPECT_GT(store->compactions(), 0u);
    EXPECT_EQ(Segments(dir).size(), before_files);
    EXPECT_LT(SegmentBytes(dir) * 2, before_bytes);
    ExpectExactly(store.get(), 400, live);
    EXPECT_EQ(store->SubjectCount("subj.1"), 10u);
    // Appends after compaction and more removals keep working.
    AppendTracked(store.get(), 20, &live);
    ASSERT_TRUE(store->Remove(405).value());
    live.erase(405);
    ExpectExactly(store.get(), 420, live);
    ASSERT_TRUE(store->Close().ok());
  }
  {
    auto store = OpenCompacting(dir);
    EXPECT_TRUE(store->used_saved_index());
    EXPECT_EQ(store->truncated_records(), 0u);
    ExpectExactly(store.get(), 420, live);
    ASSERT_TRUE(store->Close().ok());
  }
  RemoveSavedIndex(dir);
  auto store = OpenCompacting(dir);
  EXPECT_FALSE(store->used_saved_index());
  EXPECT_EQ(store->truncated_records(), 0u);
  ExpectExactly(store.get(), 420, live);
}

// A crash can stop compaction between any two steps: temporary file
// partly or fully written, renamed or not, several segments each in either
// version. Every such directory must recover exactly the live messages,
// with nothing removed coming back. Removals are spread over time so that
// sealed segments carry tombstones for messages in older segments.
TEST(FileStoreTest, CompactionIsCrashSafeAtEveryStep) {
  const std::string base = testing::util::MakeTempDir("fs_compact_crash-");
  const std::string before = base + "/before";
  const std::string after = base + "/after";
  std::map<uint64_t, Stored> live;
  std::mt19937_64 rng(11);
  {
    // No compaction while the history is written.
    auto store = OpenCompacting(before, 1ull << 40);
    for (int round = 0; round < 6; ++round) {
      AppendTracked(store.get(), 60, &live);
      for (auto it = live.begin(); it != live.end();) {
        if (it->first % 10 != 0 && rng() % 3 != 0) {
          ASSERT_TRUE(store->Remove(it->first).value());
          it = live.erase(it);
        } else {
          ++it;
        }
      }
      ASSERT_TRUE(store->Flush().ok());
    }
    ASSERT_TRUE(store->Sync().ok());
    // The crash image: files as they are while the store runs.
    CopyDir(before, after);
    ASSERT_TRUE(store->Close().ok());
  }
  RemoveSavedIndex(after);
  const uint64_t last = 360;
  std::vector<std::string> old_segs = Segments(after);
  CopyDir(after, before);
  {
    auto store = OpenCompacting(after);
    ASSERT_TRUE(store->Flush().ok());
    store->Compact();
    EXPECT_GT(store->compactions(), 2u);
    ExpectExactly(store.get(), last, live);
    CopyDir(after, base + "/compacted");
  }
  std::vector<std::string> new_segs = Segments(base + "/compacted");
  ASSERT_EQ(new_segs.size(), old_segs.size());
  const std::string crash = base + "/crash";
  auto recover = [&](const std::string& what) {
    SCOPED_TRACE(what);
    auto store = OpenCompacting(crash);
    EXPECT_EQ(store->truncated_records(), 0u);
    ExpectExactly(store.get(), last, live);
    for (const auto& e : fs::directory_iterator(crash)) {
      EXPECT_FALSE(absl::EndsWith(e.path().string(), file_format::kCompactSuffix)) << e.path();
    }
    ASSERT_TRUE(store->Close().ok());
  };
  auto segment_in = [&](const std::string& dir, const std::string& seg) {
    return dir + "/" + fs::path(seg).filename().string();
  };
  for (size_t i = 0; i < old_segs.size(); ++i) {
    const std::string name = fs::path(old_segs[i]).filename().string();
    const uint64_t new_size = fs::file_size(new_segs[i]);
    if (new_size == fs::file_size(old_segs[i])) continue;
    // Temporary file cut at a random length, or complete, beside the old segment.
    for (uint64_t cut : {rng() % new_size, new_size}) {
      CopyDir(before, crash);
      fs::copy_file(segment_in(base + "/compacted", name), crash + "/" + name + file_format::kCompactSuffix);
      fs::resize_file(crash + "/" + name + file_format::kCompactSuffix, cut);
      recover(absl::StrCat(name, ": temporary file of ", cut, " bytes"));
    }
  }
  // Any mix of compacted and original segments (renames that did or did not
  // reach the disk).
  for (int round = 0; round < 12; ++round) {
    CopyDir(before, crash);
    std::string mix;
    for (size_t i = 0; i < old_segs.size(); ++i) {
      const bool compacted = rng() % 2 == 0;
      mix += compacted ? 'C' : 'o';
      if (compacted) {
        fs::copy_file(new_segs[i], segment_in(crash, new_segs[i]), fs::copy_options::overwrite_existing);
      }
    }
    recover(absl::StrCat("segments ", mix));
  }
  CopyDir(base + "/compacted", crash);
  recover("all compacted");
}


// Random appends and removals with compaction on; now and then a clean
// reopen, and a copy of the directory taken while the store runs (a crash
// image, stale index files included when there are some) must recover to the
// model exactly.
TEST(FileStoreTest, RandomRemovalsWithCompactionMatchModel) {
  const std::string dir = testing::util::MakeTempDir("fs_compact_random-");
  const std::string crash = testing::util::MakeTempDir("fs_compact_random_crash-");
  std::map<uint64_t, Stored> live;
  std::mt19937_64 rng(5);
  auto store = OpenCompacting(dir);
  uint64_t compactions = 0;
  uint64_t last = 0;
  for (int op = 0; op < 1500; ++op) {
    const int kind = static_cast<int>(rng() % 100);
    if (kind < 55) {
      AppendTracked(store.get(), 1 + rng() % 5, &live);
      last = store->State().last_seq;
    } else if (kind < 85 && !live.empty()) {
      auto it = live.lower_bound(1 + rng() % last);
      if (it == live.end()) continue;
      uint64_t seq = it->first;
      ASSERT_TRUE((rng() % 4 == 0 ? store->Erase(seq) : store->Remove(seq)).value());
      live.erase(it);
    } else if (kind < 90) {
      const uint64_t keep = rng() % 5;
      ASSERT_TRUE(store->Purge("subj.2", 0, keep).ok());
      std::vector<uint64_t> matching;
      for (const auto& [seq, m] : live) {
        if (m.subject == "subj.2") matching.push_back(seq);
      }
      for (size_t i = 0; i + keep < matching.size(); ++i) live.erase(matching[i]);
    } else if (kind < 93) {
      compactions += store->compactions();
      ASSERT_TRUE(store->Close().ok());
      store = OpenCompacting(dir);
    } else {
      ASSERT_TRUE(store->Flush().ok());
      CopyDir(dir, crash);
      auto recovered = OpenCompacting(crash);
      EXPECT_EQ(recovered->truncated_records(), 0u);
      ExpectExactly(recovered.get(), last, live);
      ASSERT_TRUE(recovered->Close().ok());
    }
    ASSERT_TRUE(store->Flush().ok());
    store->Compact();
    ASSERT_EQ(store->State().msgs, live.size()) << "op " << op;
  }
  compactions += store->compactions();
  EXPECT_GT(compactions, 10u);
  ExpectExactly(store.get(), last, live);
}


// Index of segment 1 saved at close while it was short; segment 1 then fills
// and is compacted. With identical payloads the compacted file could match
// an old saved size and tail check, so a crash image that kept an old index
// file would be trusted with stale offsets: compaction removes state.snap
// and the segment's index file first, and writes a new one after.
TEST(FileStoreTest, CompactionInvalidatesSavedIndex) {
  const std::string dir = testing::util::MakeTempDir("fs_compact_snap-");
  const std::string crash = testing::util::MakeTempDir("fs_compact_snap_crash-");
  const std::string payload(300, 'a');
  std::map<uint64_t, Stored> live;
  auto append = [&](FileStore* store, int n) {
    for (int i = 0; i < n; ++i) {
      uint64_t seq = store->State().last_seq + 1;
      ASSERT_EQ(store->Append("s", "", payload, 7).value(), seq);
      live[seq] = Stored{"s", "", payload, 7};
    }
    ASSERT_TRUE(store->Flush().ok());
  };
  auto open = [](const std::string& d) {
    auto s = FileStore::Open(FileStoreOptions{d, 8192, 1024});
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(s).value();
  };
  {
    auto store = open(dir);
    append(store.get(), 3);
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = open(dir);
  ASSERT_TRUE(store->used_saved_index());
  append(store.get(), 40);
  ASSERT_GE(Segments(dir).size(), 2u);
  for (uint64_t seq = 2; seq <= 16; ++seq) {
    ASSERT_TRUE(store->Remove(seq).value());
    live.erase(seq);
  }
  ASSERT_TRUE(store->Flush().ok());
  store->Compact();
  ASSERT_GT(store->compactions(), 0u);
  EXPECT_FALSE(fs::exists(dir + "/" + file_format::kSavedStateFile));
  CopyDir(dir, crash);
  auto recovered = open(crash);
  EXPECT_FALSE(recovered->used_saved_state());
  EXPECT_EQ(recovered->truncated_records(), 0u);
  ExpectExactly(recovered.get(), 43, live);
}


// Everything a reader can ask of a store, for comparing two stores.
struct Snapshot {
  StoreState state;
  std::vector<uint64_t> deleted;
  std::map<std::string, uint64_t> subjects;
  std::vector<uint64_t> last_by_subject;
  std::vector<uint64_t> next_by_subject;
  std::vector<uint64_t> seq_for_time;
  std::vector<std::string> filtered;  // Filtered() of a few filters and starts.
  std::vector<std::string> payloads;  // By sequence; "" when absent.
};

// Filtered() of a few filters from a few starts, printed.
std::vector<std::string> FilteredOf(FileStore* store) {
  const std::vector<std::vector<std::string>> filter_sets = {
      {}, {"subj.1"}, {"subj.0", "subj.2"}, {"subj.*"}, {"subj.1", "x.*"}};
  std::vector<std::string> out;
  for (const std::vector<std::string>& filters : filter_sets) {
    for (uint64_t start : {0, 100, 250, 400}) {
      FilteredState f = store->Filtered(SubjectFilters(filters), start, true);
      out.push_back(absl::StrCat(f.msgs, " ", f.first, " ", f.last, " ",
                                 absl::StrJoin(f.last_per_subject, ",")));
    }
  }
  return out;
}

Snapshot Observe(FileStore* store) {
  Snapshot s;
  s.state = store->State();
  s.subjects = store->SubjectCounts("");
  s.filtered = FilteredOf(store);
  s.deleted = store->DeletedSeqs();
  for (const char* subj : {"subj.0", "subj.1", "subj.2", "subj.*"}) {
    auto last = store->LoadLast(subj);
    s.last_by_subject.push_back(last.ok() ? last->seq() : 0);
    s.next_by_subject.push_back(store->NextSeq(SubjectFilters(subj), s.state.first_seq + 7));
  }
  for (int64_t ts = 900; ts <= 1000 + static_cast<int64_t>(s.state.last_seq) + 10; ts += 17) {
    s.seq_for_time.push_back(store->SeqForTime(ts));
  }
  for (uint64_t seq = 1; seq <= s.state.last_seq; ++seq) {
    auto m = store->Load(seq);
    s.payloads.push_back(m.ok() ? absl::StrCat(m->subject(), "|", m->time_ns(), "|", m->data()) : "");
  }
  return s;
}

void ExpectSameState(const StoreState& a, const StoreState& b) {
  EXPECT_EQ(a.msgs, b.msgs);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.first_seq, b.first_seq);
  EXPECT_EQ(a.first_ts, b.first_ts);
  EXPECT_EQ(a.last_seq, b.last_seq);
  EXPECT_EQ(a.last_ts, b.last_ts);
  EXPECT_EQ(a.num_subjects, b.num_subjects);
  EXPECT_EQ(a.num_deleted, b.num_deleted);
}

void ExpectSame(const Snapshot& a, const Snapshot& b) {
  ExpectSameState(a.state, b.state);
  EXPECT_EQ(a.deleted, b.deleted);
  EXPECT_EQ(a.subjects, b.subjects);
  EXPECT_EQ(a.last_by_subject, b.last_by_subject);
  EXPECT_EQ(a.next_by_subject, b.next_by_subject);
  EXPECT_EQ(a.seq_for_time, b.seq_for_time);
  EXPECT_EQ(a.filtered, b.filtered);
  EXPECT_EQ(a.payloads, b.payloads);
}

// A store with several sealed segments, interior removals (tombstones in
// later segments for messages of earlier ones), a subject purge and a
// prefix purge.
void MakeHistory(FileStore* store) {
  Fill(store, 300);
  for (uint64_t seq : {7, 8, 50, 120, 121, 122, 299}) ASSERT_TRUE(store->Remove(seq).value());
  ASSERT_TRUE(store->Purge("subj.2", 200, 0).ok());
  ASSERT_TRUE(store->Purge("", 5, 0).ok());
  Fill(store, 40);
  ASSERT_TRUE(store->Erase(310).value());
  ASSERT_TRUE(store->Flush().ok());
}

// Adds MakeHistory() to the store in `dir`, closes it cleanly and returns
// what it held.
Snapshot WriteHistoryAndClose(const std::string& dir) {
  auto store = OpenStore(dir);
  MakeHistory(store.get());
  Snapshot snapshot = Observe(store.get());
  EXPECT_TRUE(store->Close().ok());
  return snapshot;
}

// After a clean close, Open() answers the state from state.snap before the
// index is loaded, and once loaded every query matches the store before
// the restart and a store rebuilt from the segments alone.
TEST(FileStoreTest, RestartFromSavedStateMatchesFullReplay) {
  const std::string dir = testing::util::MakeTempDir("fs_lazy-");
  Snapshot before = WriteHistoryAndClose(dir);
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_NE(e.path().filename().string(), file_format::kLegacyIndexFile);
  }
  {
    auto store = OpenStore(dir);
    EXPECT_TRUE(store->used_saved_state());
    StoreState early = store->State();
    EXPECT_EQ(early.msgs, before.state.msgs);
    EXPECT_EQ(early.num_deleted, before.state.num_deleted);
    EXPECT_EQ(early.first_ts, before.state.first_ts);
    EXPECT_EQ(store->SubjectCount("subj.1"), before.subjects["subj.1"]);
    EXPECT_EQ(store->SubjectCounts("subj.*"), before.subjects);
    // The first call that needs the index: it loads it.
    EXPECT_EQ(FilteredOf(store.get()), before.filtered);
    ExpectSame(before, Observe(store.get()));
    EXPECT_EQ(store->scanned_segments(), 0u);
    ASSERT_TRUE(store->Close().ok());
  }
  {
    // Reads only: the saved state is still current and still used.
    auto store = OpenStore(dir);
    EXPECT_TRUE(store->used_saved_state());
    ExpectSame(before, Observe(store.get()));
  }
  RemoveSavedIndex(dir);
  auto store = OpenStore(dir);
  EXPECT_FALSE(store->used_saved_index());
  ExpectSame(before, Observe(store.get()));
  // The rescan wrote the sealed segments' index files back.
  ASSERT_TRUE(store->Close().ok());
  size_t index_files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == file_format::kIndexSuffix) ++index_files;
  }
  EXPECT_EQ(index_files, Segments(dir).size());
}

// Opened from the saved state and closed before anything needed the index:
// nothing is rewritten and the next open still uses the saved state.
TEST(FileStoreTest, CloseBeforeIndexLoadedKeepsSavedState) {
  const std::string dir = testing::util::MakeTempDir("fs_lazy_close-");
  Snapshot before = WriteHistoryAndClose(dir);
  for (int i = 0; i < 3; ++i) {
    auto store = OpenStore(dir);
    EXPECT_TRUE(store->used_saved_state());
    EXPECT_EQ(store->State().msgs, before.state.msgs);
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenStore(dir);
  ExpectSame(before, Observe(store.get()));
  const uint64_t next = before.state.last_seq + 1;
  EXPECT_EQ(store->Append("subj.0", "", "after", 5000).value(), next);
}

// A crash after a segment was sealed but before its index file reached the
// disk, or an index file damaged or of another segment, costs a rescan of
// that segment only; the state is exact and the index file is written
// again. An index file of an older, shorter version of the segment still
// covers a prefix: only the bytes after it are read.
TEST(FileStoreTest, MissingDamagedOrStaleSegmentIndexRescansOnlyThatSegment) {
  for (const std::string damage : {"missing", "flipped", "other segment", "older prefix"}) {
    SCOPED_TRACE(damage);
    const std::string dir = testing::util::MakeTempDir("fs_idx_damage-");
    Snapshot before;
    std::string old_index;
    {
      auto store = OpenStore(dir);
      Fill(store.get(), 5);
      ASSERT_TRUE(store->Close().ok());
      // The index of segment 1 while it was short.
      std::ifstream in(dir + "/0000000001.idx", std::ios::binary);
      old_index.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      ASSERT_FALSE(old_index.empty());
    }
    {
      // Appends made once the index is loaded grow that segment.
      auto store = OpenStore(dir);
      ASSERT_TRUE(store->Load(1).ok());
      Fill(store.get(), 10);
      ASSERT_TRUE(store->Close().ok());
    }
    before = WriteHistoryAndClose(dir);
    ASSERT_GT(Segments(dir).size(), 3u);
    fs::remove(dir + "/" + file_format::kSavedStateFile);
    const std::string victim = Segments(dir)[damage == "older prefix" ? 0 : 1];
    const std::string idx = victim.substr(0, victim.size() - 4) + file_format::kIndexSuffix;
    ASSERT_TRUE(fs::exists(idx));
    if (damage == "missing") {
      fs::remove(idx);
    } else if (damage == "flipped") {
      int fd = open(idx.c_str(), O_RDWR);
      char c;
      ASSERT_EQ(pread(fd, &c, 1, 60), 1);
      c ^= 0x10;
      ASSERT_EQ(pwrite(fd, &c, 1, 60), 1);
      close(fd);
    } else {
      std::ofstream out(idx, std::ios::binary | std::ios::trunc);
      out << old_index;
    }
    auto store = OpenStore(dir);
    EXPECT_FALSE(store->used_saved_state());
    EXPECT_TRUE(store->used_saved_index());
    EXPECT_EQ(store->scanned_segments(), damage == "older prefix" ? 0u : 1u);
    EXPECT_EQ(store->truncated_records(), 0u);
    ExpectSame(before, Observe(store.get()));
    ASSERT_TRUE(store->Close().ok());
    fs::remove(dir + "/" + file_format::kSavedStateFile);
    auto again = OpenStore(dir);
    EXPECT_EQ(again->scanned_segments(), 0u);
    ExpectSame(before, Observe(again.get()));
  }
}

// A crash right after a segment roll can leave the new segment with a torn
// header and no index file: it is deleted, and the store goes on in a new
// segment after the sealed one before it (whose index file may be current).
TEST(FileStoreTest, TornNewestSegmentIsReplacedByANewOne) {
  for (bool other_index_files : {true, false}) {
    SCOPED_TRACE(other_index_files ? "with index files" : "without index files");
    const std::string dir = testing::util::MakeTempDir("fs_headerless-");
    {
      auto store = OpenStore(dir);
      Fill(store.get(), 100);
      ASSERT_TRUE(store->Close().ok());
    }
    if (!other_index_files) RemoveSavedIndex(dir);
    const std::string last = Segments(dir).back();
    std::set<uint64_t> lost;
    for (const RecordPos& r : ScanSegment(last)) {
      if (r.seq != 0) lost.insert(r.seq);
    }
    fs::resize_file(last, 5);
    fs::remove(last.substr(0, last.size() - 4) + file_format::kIndexSuffix);
    fs::remove(dir + "/" + file_format::kSavedStateFile);
    {
      // Larger segments now, so the sealed segment is not full and the
      // next append does not roll by itself.
      auto opened = FileStore::Open(FileStoreOptions{dir, 1 << 20});
      ASSERT_TRUE(opened.ok()) << opened.status();
      auto store = std::move(opened).value();
      EXPECT_EQ(store->truncated_records(), 1u);
      ExpectRecovered(store.get(), 100, lost);
      const uint64_t next = store->State().last_seq + 1;
      EXPECT_EQ(store->Append("subj.0", "", "after", 5000).value(), next);
      ASSERT_TRUE(store->Close().ok());
    }
    auto store = OpenStore(dir);
    EXPECT_EQ(store->truncated_records(), 0u);
    EXPECT_EQ(store->LoadLast("subj.0")->data(), "after");
  }
}

// A segment index file that is intact but covers more than the segment now
// holds (its tail was lost) is not used.
TEST(FileStoreTest, SegmentIndexOfLongerSegmentIsIgnored) {
  const std::string dir = testing::util::MakeTempDir("fs_idx_long-");
  {
    auto store = OpenStore(dir);
    Fill(store.get(), 100);
    ASSERT_TRUE(store->Close().ok());
  }
  const std::string victim = Segments(dir)[2];
  std::vector<RecordPos> records = ScanSegment(victim);
  ASSERT_GT(records.size(), 3u);
  fs::resize_file(victim, records.back().offset);
  auto store = OpenStore(dir);
  EXPECT_FALSE(store->used_saved_state());
  EXPECT_EQ(store->scanned_segments(), 1u);
  ExpectRecovered(store.get(), 100, {records.back().seq});
}

// state.snap that passes its checks but disagrees with the segments (here:
// forged counts) is caught when the index is loaded: the store replays
// every segment and from then on reports the true state.
TEST(FileStoreTest, SavedStateDisagreeingWithSegmentsIsReplaced) {
  const std::string dir = testing::util::MakeTempDir("fs_state_forged-");
  Snapshot before = WriteHistoryAndClose(dir);
  const std::string path = dir + "/" + file_format::kSavedStateFile;
  std::string file;
  {
    std::ifstream in(path, std::ios::binary);
    file.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  SavedState saved;
  ASSERT_TRUE(DecodeSavedState(file, &saved));
  saved.state.msgs += 1;
  saved.subjects[0].second += 1;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << EncodeSavedState(saved);
  }
  auto store = OpenStore(dir);
  EXPECT_TRUE(store->used_saved_state());
  EXPECT_EQ(store->State().msgs, before.state.msgs + 1);
  ASSERT_TRUE(store->Load(before.state.last_seq).ok());
  ExpectSame(before, Observe(store.get()));
  ASSERT_TRUE(store->Close().ok());
  auto again = OpenStore(dir);
  EXPECT_TRUE(again->used_saved_state());
  ExpectSame(before, Observe(again.get()));
}

// Crash images taken at every step of a history with segment rolls: the
// copy has index files of sealed segments and a state.snap of an earlier
// close that no longer matches; each must recover exactly.
TEST(FileStoreTest, CrashImagesWithOldSavedStateRecoverExactly) {
  const std::string dir = testing::util::MakeTempDir("fs_crash_images-");
  const std::string crash = testing::util::MakeTempDir("fs_crash_images_copy-");
  auto store = OpenStore(dir);
  Fill(store.get(), 30);
  ASSERT_TRUE(store->Close().ok());
  store = OpenStore(dir);
  for (int step = 0; step < 12; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    Fill(store.get(), 17);
    ASSERT_TRUE(store->Remove(store->State().last_seq - 5).value());
    if (step % 4 == 3) {
      ASSERT_TRUE(store->Purge("subj.1", 0, 2).ok());
    }
    ASSERT_TRUE(store->Flush().ok());
    Snapshot now = Observe(store.get());
    auto recovered = OpenCrashImage(dir, crash);
    EXPECT_FALSE(recovered->used_saved_state());
    EXPECT_EQ(recovered->truncated_records(), 0u);
    ExpectSame(now, Observe(recovered.get()));
  }
}

// A crash image taken after a checkpoint and more appends (growing the
// active segment and rolling new ones) opens from the checkpoint plus the
// appends after it, with the exact state before the index is loaded; a
// removal after the checkpoint makes Open() replay instead.
TEST(FileStoreTest, CrashRestartStartsFromTheLastCheckpoint) {
  const std::string dir = testing::util::MakeTempDir("fs_checkpoint-");
  const std::string crash = testing::util::MakeTempDir("fs_checkpoint_copy-");
  auto store = OpenStore(dir);
  Fill(store.get(), 200);
  ASSERT_TRUE(store->Remove(17).value());
  ASSERT_TRUE(store->Purge("", 9, 0).ok());
  store->Checkpoint();
  for (uint64_t appended : {0, 1, 3, 60}) {
    SCOPED_TRACE(absl::StrCat(appended, " more appends"));
    Fill(store.get(), appended);
    Snapshot now = Observe(store.get());
    auto recovered = OpenCrashImage(dir, crash);
    EXPECT_TRUE(recovered->used_saved_state());
    ExpectSameState(now.state, recovered->State());
    EXPECT_EQ(recovered->SubjectCounts(""), now.subjects);
    ExpectSame(now, Observe(recovered.get()));
    const uint64_t next = now.state.last_seq + 1;
    EXPECT_EQ(recovered->Append("subj.0", "", Payload(next), 9000).value(), next);
  }
  ASSERT_TRUE(store->Remove(150).value());
  ASSERT_TRUE(store->Flush().ok());
  Snapshot now = Observe(store.get());
  auto recovered = OpenCrashImage(dir, crash);
  EXPECT_FALSE(recovered->used_saved_state());
  ExpectSame(now, Observe(recovered.get()));
}

// Random appends, removals, purges and checkpoints, with a crash image after
// each step: whether or not Open() can start from the checkpoint, the state
// it reports at once and everything after the index loads match the store.
TEST(FileStoreTest, RandomCheckpointsAndCrashImagesRecoverExactly) {
  const std::string dir = testing::util::MakeTempDir("fs_checkpoint_random-");
  const std::string crash = testing::util::MakeTempDir("fs_checkpoint_random_copy-");
  std::mt19937_64 rng(7);
  FileStoreOptions options{dir, 2048};
  options.checkpoint_interval_ns = 0;
  auto store = FileStore::Open(options).value();
  int from_checkpoint = 0;
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    switch (rng() % 6) {
      case 0:
        if (store->State().msgs > 0) {
          const StoreState st = store->State();
          store->Remove(st.first_seq + rng() % (st.last_seq - st.first_seq + 1)).IgnoreError();
        }
        break;
      case 1:
        if (rng() % 4 == 0) {
          ASSERT_TRUE(store->Purge("", store->State().last_seq - rng() % 5, 0).ok());
        }
        break;
      case 2:
      case 3:
        store->Checkpoint();
        break;
      default:
        break;
    }
    Fill(store.get(), rng() % 30);
    Snapshot now = Observe(store.get());
    auto recovered = OpenCrashImage(dir, crash);
    from_checkpoint += recovered->used_saved_state();
    ExpectSameState(now.state, recovered->State());
    EXPECT_EQ(recovered->SubjectCounts(""), now.subjects);
    ExpectSame(now, Observe(recovered.get()));
    // Appends to both, some made before the recovered store's index is
    // loaded (rolling a segment or not), leave them holding the same.
    const uint64_t more = rng() % 40;
    Fill(recovered.get(), more);
    Fill(store.get(), more);
    ExpectSame(Observe(store.get()), Observe(recovered.get()));
  }
  EXPECT_GT(from_checkpoint, 0);
}

// A FileIo whose opens of segment index files (<id>.idx) wait until
// Release(): a reopened store's background load of the sealed segments'
// index cannot finish before then. Thread-safe.
class IndexGateIo final : public common::FileIo {
 public:
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }
  int index_opens() const {
    absl::MutexLock lock(&mu_);
    return index_opens_;
  }

  int Open(const char* path, int flags, mode_t mode) override {
    if (absl::EndsWith(path, file_format::kIndexSuffix)) {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&released_));
      ++index_opens_;
    }
    return posix_->Open(path, flags, mode);
  }
  int Close(int fd) override { return posix_->Close(fd); }
  ssize_t Pread(int fd, void* buf, size_t n, off_t off) override {
    return posix_->Pread(fd, buf, n, off);
  }
  ssize_t Pwrite(int fd, const void* buf, size_t n, off_t off) override {
    return posix_->Pwrite(fd, buf, n, off);
  }
  int Fdatasync(int fd) override { return posix_->Fdatasync(fd); }
  int Fsync(int fd) override { return posix_->Fsync(fd); }
  int Ftruncate(int fd, off_t size) override { return posix_->Ftruncate(fd, size); }
  int Rename(const char* from, const char* to) override { return posix_->Rename(from, to); }
  int Unlink(const char* path) override { return posix_->Unlink(path); }

 private:
  common::FileIo* const posix_ = common::FileIo::Posix();
  mutable absl::Mutex mu_;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  int index_opens_ ABSL_GUARDED_BY(mu_) = 0;
};

// After a crash restart from a checkpoint, appends (and their flush and
// sync) complete while the load of the sealed segments' index is held
// back; they survive a crash before that load is done, and once it is, the
// store holds exactly what one that never crashed holds.
TEST(FileStoreTest, AppendsAfterCrashRestartDoNotWaitForTheIndexLoad) {
  const std::string dir = testing::util::MakeTempDir("fs_append_early-");
  const std::string crash = testing::util::MakeTempDir("fs_append_early_copy-");
  const std::string crash2 = testing::util::MakeTempDir("fs_append_early_copy2-");
  FileStoreOptions options{dir, 2048};
  options.checkpoint_interval_ns = 0;
  auto store = FileStore::Open(options).value();
  Fill(store.get(), 200);
  ASSERT_TRUE(store->Remove(150).value());
  store->Checkpoint();
  Fill(store.get(), 5);
  CopyDir(dir, crash);

  IndexGateIo gate;
  FileStoreOptions crashed{crash, 2048};
  crashed.checkpoint_interval_ns = 0;
  crashed.io = &gate;
  auto recovered = FileStore::Open(crashed).value();
  ASSERT_TRUE(recovered->used_saved_state());
  ASSERT_GT(Segments(crash).size(), 3u);
  Fill(recovered.get(), 10);
  ASSERT_TRUE(recovered->Sync().ok());
  recovered->Checkpoint();
  EXPECT_EQ(gate.index_opens(), 0);
  Fill(store.get(), 10);
  const Snapshot want = Observe(store.get());
  ExpectSameState(want.state, recovered->State());
  EXPECT_EQ(recovered->SubjectCounts(""), want.subjects);

  auto crashed_again = OpenCrashImage(crash, crash2);
  EXPECT_TRUE(crashed_again->used_saved_state());
  ExpectSame(want, Observe(crashed_again.get()));

  gate.Release();
  ExpectSame(want, Observe(recovered.get()));
  EXPECT_GT(gate.index_opens(), 0);
  EXPECT_GT(recovered->paged_segments(), 0u);
  ASSERT_TRUE(recovered->Close().ok());
  auto reopened = OpenStore(crash);
  ExpectSame(want, Observe(reopened.get()));
}

// Sync() may run on another thread while compaction replaces segments.
TEST(FileStoreTest, SyncRunsConcurrentlyWithCompaction) {
  const std::string dir = testing::util::MakeTempDir("fs_compact_sync-");
  std::map<uint64_t, Stored> live;
  auto store = OpenCompacting(dir);
  std::atomic<bool> done{false};
  std::atomic<int> sync_errors{0};
  std::thread syncer([&] {
    while (!done.load()) {
      if (!store->Sync().ok()) sync_errors.fetch_add(1);
    }
  });
  for (int round = 0; round < 40; ++round) {
    AppendTracked(store.get(), 30, &live);
    for (auto it = live.begin(); it != live.end();) {
      if (it->first % 4 != 0) {
        ASSERT_TRUE(store->Remove(it->first).value());
        it = live.erase(it);
      } else {
        ++it;
      }
    }
    ASSERT_TRUE(store->Flush().ok());
    store->Compact();
  }
  done.store(true);
  syncer.join();
  EXPECT_EQ(sync_errors.load(), 0);
  EXPECT_GT(store->compactions(), 0u);
  ExpectExactly(store.get(), 1200, live);
}

}  // namespace
}  // namespace jsengine::storesvc

namespace jsengine::storesvc {
namespace {

// The message sequences in the segment file at `path`.
std::vector<uint64_t> SeqsIn(const std::string& path) {
  std::vector<uint64_t> seqs;
  for (const RecordPos& r : ScanSegment(path)) {
    if (r.seq != 0) seqs.push_back(r.seq);
  }
  return seqs;
}

// Fills a store with `n` messages, removes `removed`, closes it (a clean
// close writes state.snap and index files; `crash` deletes them again, as
// a crash that never wrote them), deletes segment file `victim` (an index
// into the sorted segments, -1: the newest) and reopens. Expects exactly the
// victim's messages not in `removed` reported lost, everything else intact,
// and no sequence reused, then again after another restart (where only a
// missing segment between others is still reported: a lost oldest segment
// is reported by the restart that finds it, which moves seq.mark past it).
void ExpectSegmentLossReported(uint64_t segment_bytes, uint64_t n,
                               const std::set<uint64_t>& removed, bool crash, int victim) {
  const std::string dir = testing::util::MakeTempDir("fs_lost-");
  {
    auto store = FileStore::Open(FileStoreOptions{dir, segment_bytes});
    ASSERT_TRUE(store.ok()) << store.status();
    Fill(store->get(), n);
    for (uint64_t seq : removed) ASSERT_TRUE((*store)->Remove(seq).value());
  }
  if (crash) RemoveSavedIndex(dir);
  const std::vector<std::string> segments = Segments(dir);
  const std::string gone = victim < 0 ? segments.back() : segments.at(static_cast<size_t>(victim));
  std::vector<uint64_t> lost;
  for (uint64_t seq : SeqsIn(gone)) {
    if (removed.count(seq) == 0) lost.push_back(seq);
  }
  ASSERT_FALSE(lost.empty());
  ASSERT_TRUE(fs::remove(gone));
  std::set<uint64_t> missing(lost.begin(), lost.end());
  missing.insert(removed.begin(), removed.end());
  for (int reopen = 0; reopen < 2; ++reopen) {
    SCOPED_TRACE(absl::StrCat("reopen ", reopen));
    auto store = FileStore::Open(FileStoreOptions{dir, segment_bytes});
    ASSERT_TRUE(store.ok()) << store.status();
    if (reopen == 0 || victim > 0) {
      EXPECT_EQ((*store)->Lost().msgs, lost);
    }
    EXPECT_EQ((*store)->State().last_seq, n + reopen);
    if (reopen == 0) ExpectRecovered(store->get(), n, missing);
    if (reopen == 1) {
      EXPECT_EQ((*store)->Load(n + 1).value().data(), "after");
    }
    ASSERT_EQ((*store)->Append("subj.new", "", "after", 5000).value(), n + reopen + 1);
  }
}

TEST(FileStoreTest, MissingMiddleSegmentIsReportedLost) {
  ExpectSegmentLossReported(2048, 300, {}, /*crash=*/false, 1);
}

TEST(FileStoreTest, MissingMiddleSegmentAfterACrashIsReportedLost) {
  ExpectSegmentLossReported(2048, 300, {}, /*crash=*/true, 1);
}

TEST(FileStoreTest, MissingNewestSegmentIsReportedLostAndItsSequencesNotReused) {
  ExpectSegmentLossReported(2048, 300, {}, /*crash=*/false, -1);
}

TEST(FileStoreTest, MissingOnlySegmentIsReportedLostAndItsSequencesNotReused) {
  ExpectSegmentLossReported(1 << 20, 50, {}, /*crash=*/false, 0);
}

TEST(FileStoreTest, DamageInASealedSegmentReportsTheMessagesCutLost) {
  const std::string dir = testing::util::MakeTempDir("fs_lost_damage-");
  {
    auto store = OpenStore(dir);
    Fill(store.get(), 300);
  }
  RemoveSavedIndex(dir);
  const std::string victim = Segments(dir).at(1);
  const std::vector<RecordPos> records = ScanSegment(victim);
  ASSERT_GT(records.size(), 5u);
  std::vector<uint64_t> cut;
  for (size_t i = 3; i < records.size(); ++i) cut.push_back(records[i].seq);
  {
    std::fstream f(victim, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(static_cast<std::streamoff>(records[3].offset + 20));
    const char c = static_cast<char>(f.get() ^ 0x10);
    f.seekp(static_cast<std::streamoff>(records[3].offset + 20));
    f.put(c);
  }
  auto store = OpenStore(dir);
  EXPECT_EQ(store->truncated_records(), 1u);
  EXPECT_EQ(store->Lost().msgs, cut);
  EXPECT_EQ(store->State().last_seq, 300u);
  ExpectRecovered(store.get(), 300, std::set<uint64_t>(cut.begin(), cut.end()));
}

// A checkpoint's state.snap names the active segment: losing it after a
// crash is reported, and its sequences (up to the checkpoint) not reused.
TEST(FileStoreTest, MissingNewestSegmentAfterACrashIsReportedUpToTheLastCheckpoint) {
  const std::string dir = testing::util::MakeTempDir("fs_lost_checkpoint-");
  const std::string crash = testing::util::MakeTempDir("fs_lost_checkpoint_copy-");
  auto store = OpenStore(dir);
  Fill(store.get(), 300);
  store->Checkpoint();
  CopyDir(dir, crash);
  ASSERT_TRUE(fs::exists(crash + "/" + file_format::kSavedStateFile));
  const std::string newest = Segments(crash).back();
  const std::vector<uint64_t> lost = SeqsIn(newest);
  ASSERT_FALSE(lost.empty());
  ASSERT_TRUE(fs::remove(newest));
  auto recovered = OpenStore(crash);
  EXPECT_EQ(recovered->Lost().msgs, lost);
  EXPECT_EQ(recovered->State().last_seq, 300u);
  ExpectRecovered(recovered.get(), 300, std::set<uint64_t>(lost.begin(), lost.end()));
  EXPECT_EQ(recovered->Append("subj.new", "", "after", 5000).value(), 301u);
}

// seq.mark names the oldest segment kept: losing it is reported, whether or
// not state.snap and the index files survived.
TEST(FileStoreTest, MissingOldestSegmentIsReportedLost) {
  ExpectSegmentLossReported(2048, 300, {}, /*crash=*/false, 0);
}

TEST(FileStoreTest, MissingOldestSegmentAfterACrashIsReportedLost) {
  ExpectSegmentLossReported(2048, 300, {}, /*crash=*/true, 0);
}

TEST(FileStoreTest, MessagesRemovedBeforeAnOldestSegmentWasLostAreNotReportedLost) {
  const std::set<uint64_t> removed = {1, 2, 5};
  for (bool crash : {false, true}) {
    SCOPED_TRACE(crash ? "after a crash" : "after a clean close");
    ExpectSegmentLossReported(2048, 300, removed, crash, 0);
  }
}

// Segments deleted because their messages were removed are not lost, even
// when a crash leaves a state.snap written before they went.
TEST(FileStoreTest, OldSegmentsDeletedOnPurposeAreNotReportedLostAfterACrash) {
  const std::string dir = testing::util::MakeTempDir("fs_dropped-");
  const std::string crash = testing::util::MakeTempDir("fs_dropped_copy-");
  auto store = OpenStore(dir);
  Fill(store.get(), 300);
  store->Checkpoint();
  const std::vector<std::string> before = Segments(dir);
  ASSERT_GT(before.size(), 3u);
  std::vector<uint64_t> gone = SeqsIn(before[0]);
  const std::vector<uint64_t> second = SeqsIn(before[1]);
  gone.insert(gone.end(), second.begin(), second.end());
  for (uint64_t seq : gone) ASSERT_TRUE(store->Remove(seq).value());
  ASSERT_EQ(Segments(dir).size(), before.size() - 2);
  auto recovered = OpenCrashImage(dir, crash);
  EXPECT_TRUE(recovered->Lost().msgs.empty());
  EXPECT_EQ(recovered->State().first_seq, gone.back() + 1);
  EXPECT_EQ(recovered->State().last_seq, 300u);
}

// seq.mark records the last sequence written: messages written after the
// last checkpoint and lost with the newest segment's tail (cut at a record
// boundary, so no torn record shows it) or with the whole newest segment
// are reported lost, and their sequences not given out again.
TEST(FileStoreTest, LostTailAfterTheLastCheckpointIsReportedAndItsSequencesNotReused) {
  for (bool whole_segment : {false, true}) {
    SCOPED_TRACE(whole_segment ? "newest segment deleted" : "newest segment cut");
    const std::string dir = testing::util::MakeTempDir("fs_lost_tail-");
    const std::string crash = testing::util::MakeTempDir("fs_lost_tail_copy-");
    auto store = OpenStore(dir);
    Fill(store.get(), 200);
    store->Checkpoint();
    const size_t segments_at_checkpoint = Segments(dir).size();
    Fill(store.get(), whole_segment ? 60 : 10);
    while (!whole_segment && ScanSegment(Segments(dir).back()).size() < 7) Fill(store.get(), 1);
    if (whole_segment) ASSERT_GT(Segments(dir).size(), segments_at_checkpoint);
    const uint64_t last = store->State().last_seq;
    CopyDir(dir, crash);
    const std::string newest = Segments(crash).back();
    std::vector<uint64_t> lost;
    if (whole_segment) {
      lost = SeqsIn(newest);
      ASSERT_TRUE(fs::remove(newest));
    } else {
      const std::vector<RecordPos> records = ScanSegment(newest);
      ASSERT_GT(records.size(), 6u);
      for (size_t i = records.size() - 5; i < records.size(); ++i) lost.push_back(records[i].seq);
      fs::resize_file(newest, records[records.size() - 5].offset);
    }
    ASSERT_EQ(lost.back(), last);
    auto recovered = OpenStore(crash);
    EXPECT_EQ(recovered->Lost().msgs, lost);
    EXPECT_EQ(recovered->State().last_seq, last);
    ExpectRecovered(recovered.get(), last, std::set<uint64_t>(lost.begin(), lost.end()));
    EXPECT_EQ(recovered->Append("subj.new", "", "after", 5000).value(), last + 1);
    recovered.reset();
    auto again = OpenStore(crash);
    EXPECT_EQ(again->State().last_seq, last + 1);
    EXPECT_EQ(again->Load(last + 1).value().data(), "after");
  }
}

// Without seq.mark (an older version's store, or the mark lost too), a lost
// newest tail written after the last checkpoint cannot be seen: recovery
// ends at what the segments hold.
TEST(FileStoreTest, LostTailWithoutTheMarkIsNotDetected) {
  const std::string dir = testing::util::MakeTempDir("fs_lost_tail_nomark-");
  const std::string crash = testing::util::MakeTempDir("fs_lost_tail_nomark_copy-");
  auto store = OpenStore(dir);
  Fill(store.get(), 200);
  store->Checkpoint();
  Fill(store.get(), 10);
  CopyDir(dir, crash);
  ASSERT_TRUE(fs::remove(crash + "/" + file_format::kSeqMarkFile));
  const std::string newest = Segments(crash).back();
  const std::vector<RecordPos> records = ScanSegment(newest);
  fs::resize_file(newest, records[records.size() - 5].offset);
  auto recovered = OpenStore(crash);
  EXPECT_TRUE(recovered->Lost().msgs.empty());
  EXPECT_EQ(recovered->State().last_seq, 205u);
}

TEST(FileStoreTest, MessagesRemovedBeforeTheLossAreNotReportedLost) {
  const std::set<uint64_t> removed = {30, 31, 33};
  for (bool crash : {false, true}) {
    SCOPED_TRACE(crash ? "after a crash" : "after a clean close");
    ExpectSegmentLossReported(2048, 300, removed, crash, 1);
  }
}

}  // namespace
}  // namespace jsengine::storesvc
