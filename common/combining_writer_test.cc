#include "common/combining_writer.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace jsengine {
namespace {

using Ints = std::vector<int>;

void Concat(Ints& into, Ints&& from) { into.insert(into.end(), from.begin(), from.end()); }

// A sink recording every write; the first write can be held until released.
class RecordingSink {
 public:
  bool Write(const Ints& message) {
    if (concurrent_.fetch_add(1) != 0) overlapped_ = true;
    if (hold_first_ && writes_.empty()) {
      entered_.Notify();
      release_.WaitForNotification();
    }
    writes_.push_back(message);
    concurrent_.fetch_sub(1);
    return !fail_;
  }

  std::vector<Ints> writes_;
  std::atomic<int> concurrent_{0};
  bool overlapped_ = false;
  bool hold_first_ = false;
  bool fail_ = false;
  absl::Notification entered_;
  absl::Notification release_;
};

CombiningWriter<Ints> WriterTo(RecordingSink* sink) {
  return CombiningWriter<Ints>([sink](const Ints& m) { return sink->Write(m); }, Concat);
}

TEST(CombiningWriterTest, IdleWriterWritesInline) {
  RecordingSink sink;
  CombiningWriter<Ints> writer([&](const Ints& m) {
    EXPECT_EQ(sink.writes_.size(), static_cast<size_t>(m[0]));
    return sink.Write(m);
  }, Concat);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(writer.Write({i}));
    EXPECT_EQ(sink.writes_.size(), static_cast<size_t>(i + 1));
  }
  EXPECT_EQ(sink.writes_, (std::vector<Ints>{{0}, {1}, {2}}));
}

TEST(CombiningWriterTest, MergesWhatArrivesDuringAWriteIntoOneNextWrite) {
  RecordingSink sink;
  sink.hold_first_ = true;
  auto writer = WriterTo(&sink);
  std::thread first([&] { EXPECT_TRUE(writer.Write({1})); });
  sink.entered_.WaitForNotification();
  EXPECT_TRUE(writer.Write({2, 3}));
  EXPECT_TRUE(writer.Write({4}));
  sink.release_.Notify();
  first.join();
  EXPECT_EQ(sink.writes_, (std::vector<Ints>{{1}, {2, 3, 4}}));
  EXPECT_TRUE(writer.Write({5}));
  EXPECT_EQ(sink.writes_.back(), Ints{5});
}

TEST(CombiningWriterTest, RefusedAdmissionWritesNothing) {
  RecordingSink sink;
  auto writer = WriterTo(&sink);
  EXPECT_FALSE(writer.Write({1}, [] { return false; }));
  EXPECT_TRUE(sink.writes_.empty());
}

TEST(CombiningWriterTest, FailedWriteDropsQueueAndRefusesLaterWrites) {
  RecordingSink sink;
  sink.hold_first_ = true;
  sink.fail_ = true;
  auto writer = WriterTo(&sink);
  std::thread first([&] { EXPECT_TRUE(writer.Write({1})); });
  sink.entered_.WaitForNotification();
  EXPECT_TRUE(writer.Write({2}));
  sink.release_.Notify();
  first.join();
  EXPECT_TRUE(writer.failed());
  bool admitted = false;
  EXPECT_FALSE(writer.Write({3}, [&] { return admitted = true; }));
  EXPECT_FALSE(admitted);
  EXPECT_EQ(sink.writes_, (std::vector<Ints>{{1}}));
}

TEST(CombiningWriterTest, PostedMessageIsWrittenByTheBackgroundThread) {
  RecordingSink sink;
  absl::Notification written;
  std::thread::id writer_thread;
  CombiningWriter<Ints> writer([&](const Ints& m) {
    writer_thread = std::this_thread::get_id();
    sink.Write(m);
    written.Notify();
    return true;
  }, Concat);
  ASSERT_TRUE(writer.Post({7}));
  written.WaitForNotification();
  EXPECT_NE(writer_thread, std::this_thread::get_id());
  EXPECT_EQ(sink.writes_, (std::vector<Ints>{{7}}));
}

TEST(CombiningWriterTest, DestructorWritesWhatIsStillPosted) {
  RecordingSink sink;
  {
    auto writer = WriterTo(&sink);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer.Post({i}));
  }
  Ints written;
  for (const Ints& write : sink.writes_) written.insert(written.end(), write.begin(), write.end());
  EXPECT_EQ(written, (Ints{0, 1, 2}));
}

TEST(CombiningWriterTest, PostAndWriteKeepAcceptanceOrder) {
  RecordingSink sink;
  sink.hold_first_ = true;
  auto writer = WriterTo(&sink);
  std::thread first([&] { EXPECT_TRUE(writer.Write({1})); });
  sink.entered_.WaitForNotification();
  EXPECT_TRUE(writer.Post({2}));
  sink.release_.Notify();
  first.join();
  EXPECT_TRUE(writer.Write({3}));
  Ints written;
  for (const Ints& write : sink.writes_) written.insert(written.end(), write.begin(), write.end());
  EXPECT_EQ(written, (Ints{1, 2, 3}));
}

TEST(CombiningWriterTest, ManyThreadsWriteInAdmissionOrderOneAtATime) {
  RecordingSink sink;
  absl::Mutex mu;
  Ints admitted;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  {
    auto writer = WriterTo(&sink);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          int value = t * kPerThread + i;
          auto admit = [&] {
            absl::MutexLock lock(&mu);
            admitted.push_back(value);
            return true;
          };
          bool posted = (t + i) % 3 == 0;
          ASSERT_TRUE(posted ? writer.Post({value}, admit) : writer.Write({value}, admit));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  Ints written;
  for (const Ints& write : sink.writes_) written.insert(written.end(), write.begin(), write.end());
  EXPECT_FALSE(sink.overlapped_);
  ASSERT_EQ(written.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(written, admitted);
  std::vector<int> next(kThreads, 0);
  for (int value : written) {
    int t = value / kPerThread;
    EXPECT_EQ(value % kPerThread, next[t]++);
  }
}

}  // namespace
}  // namespace jsengine
