// Kills a writer process with SIGKILL in the middle of pipelined appends
// and checks that every acknowledged message survives, under
// SyncPolicy::kAlways (fsynced before the ack) and kInterval (written to the
// OS before the ack, which a killed process does not lose). The child reports each ack (request id,
// sequence) through a pipe from the ack callback, so the parent knows exactly what was
// acknowledged.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "storesvc/store.h"
#include "testing/util/temp_dir.h"

namespace jsengine::storesvc {
namespace {

struct Ack {
  uint64_t id;
  uint64_t seq;
};

std::string DataFor(uint64_t id) { return absl::StrCat("crash-", id, std::string(100, '.')); }

StoreOptions Options(const std::string& dir, SyncPolicy sync) {
  StoreOptions o;
  o.data_dir = dir;
  o.sync = sync;
  o.segment_bytes = 256 * 1024;
  return o;
}

// Runs in the child: appends forever from several pipelined writers.
[[noreturn]] void WriterChild(const std::string& dir, SyncPolicy sync, int fd, uint64_t id_base) {
  auto store = Store::Open(Options(dir, sync));
  if (!store.ok()) _exit(2);
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name("C");
  if (!(*store)->CreateStream(create).ok()) _exit(3);
  constexpr int kWriters = 4;
  constexpr int kInFlight = 8;
  constexpr int kPerBatch = 16;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      absl::Mutex mu;
      int in_flight = 0;
      for (uint64_t n = 0;; ++n) {
        {
          absl::MutexLock lock(&mu);
          mu.Await(absl::Condition(+[](int* f) { return *f < kInFlight; }, &in_flight));
          ++in_flight;
        }
        v1::AppendBatch batch;
        for (int i = 0; i < kPerBatch; ++i) {
          uint64_t id = id_base + (static_cast<uint64_t>(w) << 40) + n * kPerBatch + i;
          v1::AppendRequest* r = batch.add_requests();
          r->set_id(id);
          r->set_stream("C");
          r->set_subject("C");
          r->set_data(DataFor(id));
        }
        (*store)->Append(batch, [&](v1::AppendResultBatch results) {
          std::vector<Ack> acks;
          for (const auto& r : results.results()) {
            if (r.has_error()) _exit(4);
            acks.push_back({r.id(), r.seq()});
          }
          // One write per batch (< PIPE_BUF), so acks never interleave.
          if (write(fd, acks.data(), acks.size() * sizeof(Ack)) < 0) _exit(5);
          absl::MutexLock lock(&mu);
          --in_flight;
        });
      }
    });
  }
  for (;;) pause();
}

// Forks a writer, kills it after `kill_after` acks and at least `min_run`
// of running, returns every ack read.
std::vector<Ack> RunAndKill(const std::string& dir, SyncPolicy sync, size_t kill_after,
                            uint64_t id_base, absl::Duration min_run = absl::ZeroDuration()) {
  const absl::Time kill_at = absl::Now() + min_run;
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    WriterChild(dir, sync, fds[1], id_base);
  }
  close(fds[1]);
  std::vector<Ack> acks;
  bool killed = false;
  Ack buf[256];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    EXPECT_EQ(n % sizeof(Ack), 0u);
    acks.insert(acks.end(), buf, buf + n / sizeof(Ack));
    if (!killed && acks.size() >= kill_after && absl::Now() >= kill_at) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer ended by itself, status " << status;
  return acks;
}

void ExpectSigkillLosesNoAcknowledgedMessage(SyncPolicy sync) {
  std::string dir = testing::util::MakeTempDir("crash-");
  std::vector<Ack> all;
  for (int round = 0; round < 5; ++round) {
    // The later rounds run long enough for checkpoints (FileStore::
    // Checkpoint, about every 250 ms) to precede the kill.
    std::vector<Ack> acks =
        RunAndKill(dir, sync, 3000, static_cast<uint64_t>(round) << 50,
                   round < 3 ? absl::ZeroDuration() : absl::Milliseconds(1500 + 400 * round));
    ASSERT_GE(acks.size(), 3000u);
    all.insert(all.end(), acks.begin(), acks.end());

    auto store = Store::Open(Options(dir, sync));
    ASSERT_TRUE(store.ok()) << store.status();
    for (const Ack& a : all) {
      v1::GetMessageRequest get;
      get.set_stream("C");
      get.set_seq(a.seq);
      auto m = (*store)->GetMessage(get);
      ASSERT_TRUE(m.ok()) << "acked seq " << a.seq << " lost: " << m.status();
      ASSERT_EQ(m->data(), DataFor(a.id));
    }
  }
}

TEST(StoreCrashTest, SigkillLosesNoAcknowledgedMessage) {
  ExpectSigkillLosesNoAcknowledgedMessage(SyncPolicy::kAlways);
}

TEST(StoreCrashTest, SigkillUnderIntervalSyncLosesNoAcknowledgedMessage) {
  ExpectSigkillLosesNoAcknowledgedMessage(SyncPolicy::kInterval);
}

}  // namespace
}  // namespace jsengine::storesvc
