#include "consumersvc/journal_record.h"

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "common/checksummed_record.h"
#include "common/coding.h"
#include "gtest/gtest.h"

namespace jsengine::consumersvc {
namespace {

using state_format::kAck;
using state_format::kDelivered;
using state_format::kState;

JournalRecord Delivered(uint64_t dseq, uint64_t sseq, uint64_t dc, int64_t ts, uint64_t id = 1) {
  JournalRecord r;
  r.type = kDelivered;
  r.consumer_id = id;
  r.consumer_seq = dseq;
  r.stream_seq = sseq;
  r.delivery_count = dc;
  r.delivered_ns = ts;
  return r;
}

JournalRecord Ack(uint64_t sseq, SequencePair floor, uint64_t id = 1) {
  JournalRecord r;
  r.type = kAck;
  r.consumer_id = id;
  r.stream_seq = sseq;
  r.ack_floor = floor;
  return r;
}

JournalRecord State(const ConsumerState& state, uint64_t id = 1) {
  JournalRecord r;
  r.type = kState;
  r.consumer_id = id;
  r.state = state;
  return r;
}

std::vector<JournalRecord> SomeRecords() {
  ConsumerState s;
  s.delivered = {3, 9};
  s.ack_floor = {1, 5};
  s.pending[9] = {3, 77};
  s.redelivered[9] = 4;
  return {Delivered(1, 5, 1, 100),
          Delivered(2, 7, 1, 200, 2),
          Ack(5, {1, 5}),
          Delivered(3, 7, 2, 300, 2),
          State(s, 3),
          Ack(7, {3, 7}, 2)};
}

std::string Journal(uint64_t generation, const std::vector<JournalRecord>& records,
                    std::vector<size_t>* ends = nullptr) {
  std::string file;
  AppendJournalHeader(&file, generation);
  for (const JournalRecord& r : records) {
    AppendRecord(&file, r);
    if (ends != nullptr) ends->push_back(file.size());
  }
  return file;
}

// What the records do to a state, applied one by one.
ConsumerState Replay(const std::vector<JournalRecord>& records, v1::AckPolicy policy) {
  ConsumerState state;
  for (const JournalRecord& r : records) ApplyRecord(r, policy, &state);
  return state;
}

std::vector<JournalRecord> Read(absl::string_view file, JournalRead* read) {
  std::vector<JournalRecord> records;
  *read = ReadJournal(file, [&](const JournalRecord& r) { records.push_back(r); });
  return records;
}

bool Same(const JournalRecord& a, const JournalRecord& b) {
  std::string x, y;
  AppendRecord(&x, a);
  AppendRecord(&y, b);
  return x == y;
}

TEST(JournalRecordTest, RecordsRoundTrip) {
  const std::vector<JournalRecord> records = SomeRecords();
  const std::string file = Journal(17, records);
  JournalRead read;
  const std::vector<JournalRecord> back = Read(file, &read);
  EXPECT_TRUE(read.has_header);
  EXPECT_EQ(read.generation, 17u);
  EXPECT_TRUE(read.damage.ok()) << read.damage;
  EXPECT_EQ(read.valid_size, file.size());
  ASSERT_EQ(back.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) EXPECT_TRUE(Same(back[i], records[i])) << i;
  EXPECT_EQ(back[4].state, records[4].state);
}

TEST(JournalRecordTest, EveryTruncationYieldsTheLongestValidPrefix) {
  std::vector<size_t> ends;
  const std::string file = Journal(1, SomeRecords(), &ends);
  const size_t header = state_format::kJournalHeaderSize;
  for (size_t n = 0; n <= file.size(); ++n) {
    JournalRead read;
    const std::vector<JournalRecord> got = Read(file.substr(0, n), &read);
    if (n < header) {
      EXPECT_FALSE(read.has_header) << n;
      EXPECT_TRUE(got.empty()) << n;
      continue;
    }
    size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= n) ++whole;
    const size_t valid = whole == 0 ? header : ends[whole - 1];
    EXPECT_TRUE(read.has_header) << n;
    EXPECT_EQ(got.size(), whole) << n;
    EXPECT_EQ(read.valid_size, valid) << n;
    EXPECT_EQ(read.damage.ok(), valid == n) << n << ": " << read.damage;
    if (!read.damage.ok()) {
      EXPECT_NE(read.damage.message().find("torn record"), absl::string_view::npos) << read.damage;
    }
  }
}

TEST(JournalRecordTest, AFlippedBitEndsTheJournalBeforeItsRecord) {
  std::vector<size_t> ends;
  const std::string file = Journal(1, SomeRecords(), &ends);
  for (size_t bit = 0; bit < file.size() * 8; ++bit) {
    std::string damaged = file;
    const size_t byte = bit / 8;
    damaged[byte] ^= static_cast<char>(1 << (bit % 8));
    JournalRead read;
    const std::vector<JournalRecord> got = Read(damaged, &read);
    if (byte < state_format::kJournalHeaderSize) {
      EXPECT_TRUE(!read.has_header || read.generation != 1) << "bit " << bit;
      continue;
    }
    size_t record = 0;
    while (ends[record] <= byte) ++record;
    EXPECT_EQ(got.size(), record) << "bit " << bit;
    EXPECT_EQ(read.valid_size, record == 0 ? state_format::kJournalHeaderSize : ends[record - 1])
        << "bit " << bit;
    EXPECT_FALSE(read.damage.ok()) << "bit " << bit;
  }
}

// Fed in pieces of any size, a JournalReader reads what ReadJournal reads
// from the whole: valid, torn and damaged journals alike.
TEST(JournalRecordTest, ReadingInPiecesReadsTheWhole) {
  std::vector<size_t> ends;
  const std::string file = Journal(3, SomeRecords(), &ends);
  std::string damaged = file;
  damaged[ends[1] + 2] ^= 1;
  std::string bad_header = file;
  bad_header[2] ^= 1;
  for (const std::string& input : {file, file.substr(0, file.size() - 3), file.substr(0, 5),
                                   std::string(), damaged, bad_header}) {
    JournalRead whole;
    const std::vector<JournalRecord> expected = Read(input, &whole);
    for (size_t piece = 1; piece <= input.size() + 1; ++piece) {
      std::vector<JournalRecord> got;
      JournalReader reader([&](const JournalRecord& r) { got.push_back(r); });
      for (size_t at = 0; at < input.size(); at += piece) {
        if (!reader.Feed(absl::string_view(input).substr(at, piece))) break;
      }
      const JournalRead read = reader.Finish();
      EXPECT_EQ(read.has_header, whole.has_header) << piece;
      EXPECT_EQ(read.generation, whole.generation) << piece;
      EXPECT_EQ(read.valid_size, whole.valid_size) << piece;
      EXPECT_EQ(read.damage, whole.damage) << piece;
      ASSERT_EQ(got.size(), expected.size()) << piece;
      for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(Same(got[i], expected[i])) << piece;
    }
  }
}

// A record with a valid checksum that makes no sense is damage too.
TEST(JournalRecordTest, MalformedBodiesEndTheJournal) {
  auto with = [](uint8_t type, const std::string& body) {
    std::string file = Journal(1, {Delivered(1, 1, 1, 1)});
    const size_t start = common::StartRecord(&file, type);
    file.append(body);
    common::FinishRecord(&file, start);
    AppendRecord(&file, Delivered(2, 2, 1, 2));
    return file;
  };
  for (const auto& [type, body, why] : std::vector<std::tuple<uint8_t, std::string, std::string>>{
           {kDelivered, std::string(39, 'x'), "malformed delivered record"},
           {kAck, std::string(33, 'x'), "malformed ack record"},
           {kState, std::string(7, 'x'), "malformed state record"},
           {kState, std::string(8 + 47, '\0'), "malformed state record: state too short"},
           {state_format::kJournalHeader, std::string(20, 'x'), "journal header inside"},
           {9, "", "unknown record type 9"}}) {
    JournalRead read;
    const std::vector<JournalRecord> got = Read(with(type, body), &read);
    EXPECT_EQ(got.size(), 1u) << why;
    EXPECT_EQ(read.valid_size, state_format::kJournalHeaderSize + common::kRecordHeaderSize + 40)
        << why;
    EXPECT_NE(read.damage.message().find(why), absl::string_view::npos) << read.damage;
  }
}

struct ApplyCase {
  const char* name;
  v1::AckPolicy policy;
  std::vector<JournalRecord> records;
  SequencePair delivered;
  SequencePair ack_floor;
  std::map<uint64_t, PendingAck> pending;
  std::map<uint64_t, uint64_t> redelivered;
};

TEST(JournalRecordTest, ApplyBuildsTheConsumerState) {
  const std::vector<ApplyCase> cases = {
      {"deliveries are pending",
       v1::ACK_EXPLICIT,
       {Delivered(1, 10, 1, 100), Delivered(2, 12, 1, 200)},
       {2, 12},
       {0, 0},
       {{10, {1, 100}}, {12, {2, 200}}},
       {}},
      {"a redelivery updates pending and counts",
       v1::ACK_EXPLICIT,
       {Delivered(1, 10, 1, 100), Delivered(2, 12, 1, 200), Delivered(3, 10, 3, 300)},
       {3, 12},
       {0, 0},
       {{10, {3, 300}}, {12, {2, 200}}},
       {{10, 2}}},
      {"an ack in the middle leaves the floor",
       v1::ACK_EXPLICIT,
       {Delivered(1, 10, 1, 100), Delivered(2, 12, 1, 200), Delivered(3, 15, 2, 300),
        Ack(12, {0, 0})},
       {3, 15},
       {0, 0},
       {{10, {1, 100}}, {15, {3, 300}}},
       {{15, 1}}},
      {"an ack at the floor moves it",
       v1::ACK_EXPLICIT,
       {Delivered(1, 10, 1, 100), Delivered(2, 12, 1, 200), Delivered(3, 15, 1, 300),
        Ack(12, {0, 0}), Ack(10, {2, 12})},
       {3, 15},
       {2, 12},
       {{15, {3, 300}}},
       {}},
      {"the last ack empties pending",
       v1::ACK_EXPLICIT,
       {Delivered(1, 10, 1, 100), Delivered(2, 11, 2, 200), Ack(10, {1, 10}), Ack(11, {2, 11})},
       {2, 11},
       {2, 11},
       {},
       {}},
      {"a redelivery of an acked message is not pending",
       v1::ACK_EXPLICIT,
       {Delivered(1, 10, 1, 100), Delivered(2, 11, 1, 200), Ack(11, {0, 0}),
        Delivered(3, 11, 2, 300)},
       {3, 11},
       {0, 0},
       {{10, {1, 100}}},
       {}},
      {"ack all removes everything up to the floor",
       v1::ACK_ALL,
       {Delivered(1, 10, 1, 100), Delivered(2, 11, 2, 200), Delivered(3, 12, 1, 300),
        Delivered(4, 13, 1, 400), Ack(12, {3, 12})},
       {4, 13},
       {3, 12},
       {{13, {4, 400}}},
       {}},
      {"ack none moves delivered and the floor together",
       v1::ACK_NONE,
       {Delivered(1, 10, 1, 100), Delivered(2, 12, 1, 200)},
       {2, 12},
       {2, 12},
       {},
       {}},
      {"a state record replaces everything",
       v1::ACK_EXPLICIT,
       {Delivered(1, 10, 1, 100), State([] {
          ConsumerState s;
          s.delivered = s.ack_floor = {5, 50};
          return s;
        }()),
        Delivered(6, 51, 1, 600)},
       {6, 51},
       {5, 50},
       {{51, {6, 600}}},
       {}},
      {"delivered never goes back",
       v1::ACK_EXPLICIT,
       {Delivered(5, 20, 1, 100), Delivered(6, 21, 1, 100), Delivered(7, 20, 2, 300)},
       {7, 21},
       {0, 0},
       {{20, {7, 300}}, {21, {6, 100}}},
       {{20, 1}}},
  };
  for (const ApplyCase& c : cases) {
    const ConsumerState got = Replay(c.records, c.policy);
    EXPECT_EQ(got.delivered, c.delivered) << c.name;
    EXPECT_EQ(got.ack_floor, c.ack_floor) << c.name;
    EXPECT_EQ(got.pending,
              (absl::btree_map<uint64_t, PendingAck>(c.pending.begin(), c.pending.end())))
        << c.name;
    EXPECT_EQ(got.redelivered,
              (absl::btree_map<uint64_t, uint64_t>(c.redelivered.begin(), c.redelivered.end())))
        << c.name;
  }
}

}  // namespace
}  // namespace jsengine::consumersvc
