// Append throughput and restart time of the Store, printed as a table.
//
//   bazel run -c opt //storesvc:store_benchmark -- [dir]
//
// Appends 128-byte messages with sync=interval and sync=always (several
// pipelined appenders sharing group commits), then measures how long
// Store::Open takes with 1M stored messages, with and without the saved
// index. `dir` (default /tmp) must be on the disk to measure.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "storesvc/file_format.h"
#include "storesvc/store.h"

namespace jsengine::storesvc {
namespace {

constexpr size_t kMsgSize = 128;

std::unique_ptr<Store> OpenStore(const std::string& dir, SyncPolicy sync) {
  StoreOptions o;
  o.data_dir = dir;
  o.sync = sync;
  auto s = Store::Open(o);
  if (!s.ok()) {
    fprintf(stderr, "open: %s\n", s.status().ToString().c_str());
    exit(1);
  }
  return std::move(s).value();
}

void CreateStream(Store* store, int64_t max_msgs = 0) {
  v1::CreateStreamRequest create;
  create.mutable_config()->set_max_msgs(max_msgs);
  create.mutable_config()->set_name("BENCH");
  create.mutable_config()->add_subjects("bench.>");
  if (!store->CreateStream(create).ok()) exit(1);
}

// `threads` appenders each send `per_thread` messages in batches of `batch`,
// keeping up to `in_flight` batches unacknowledged. Returns msgs/s.
double RunAppends(Store* store, int threads, uint64_t per_thread, int batch, int in_flight) {
  const std::string payload(kMsgSize, 'x');
  absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      absl::Mutex mu;
      int outstanding = 0;
      for (uint64_t sent = 0; sent < per_thread; sent += batch) {
        v1::AppendBatch b;
        for (int i = 0; i < batch; ++i) {
          v1::AppendRequest* r = b.add_requests();
          r->set_stream("BENCH");
          r->set_subject(absl::StrCat("bench.", t));
          r->set_data(payload);
        }
        {
          absl::MutexLock lock(&mu);
          auto can_send = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return outstanding < in_flight; };
          mu.Await(absl::Condition(&can_send));
          ++outstanding;
        }
        store->Append(std::move(b), [&](v1::AppendResultBatch) {
          absl::MutexLock lock(&mu);
          --outstanding;
        });
      }
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(+[](int* n) { return *n == 0; }, &outstanding));
    });
  }
  for (auto& w : workers) w.join();
  double secs = absl::ToDoubleSeconds(absl::Now() - start);
  return threads * per_thread / secs;
}

void AppendCase(const std::string& base, const char* name, SyncPolicy sync, int threads,
                uint64_t per_thread, int batch, int in_flight, int64_t max_msgs = 0) {
  std::string dir = absl::StrCat(base, "/append_", getpid());
  std::filesystem::remove_all(dir);
  auto store = OpenStore(dir, sync);
  CreateStream(store.get(), max_msgs);
  double rate = RunAppends(store.get(), threads, per_thread, batch, in_flight);
  printf("%-48s %12.0f msgs/s %8.1f MB/s\n", name, rate, rate * kMsgSize / 1e6);
  store.reset();
  std::filesystem::remove_all(dir);
}

void RestartCase(const std::string& base) {
  constexpr uint64_t kMessages = 1'000'000;
  std::string dir = absl::StrCat(base, "/restart_", getpid());
  std::filesystem::remove_all(dir);
  {
    auto store = OpenStore(dir, SyncPolicy::kInterval);
    CreateStream(store.get());
    RunAppends(store.get(), 1, kMessages, 1000, 4);
  }
  const std::string msgs_dir = absl::StrCat(dir, "/streams/BENCH/msgs");
  // Clean restart (state.snap); as after a crash (segment index files only);
  // with no saved index at all.
  for (int pass = 0; pass < 3; ++pass) {
    if (pass > 0) {
      for (const auto& e : std::filesystem::directory_iterator(msgs_dir)) {
        const std::string name = e.path().filename().string();
        if (name == file_format::kSavedStateFile || (pass == 2 && absl::EndsWith(name, file_format::kIndexSuffix))) {
          std::filesystem::remove(e.path());
        }
      }
    }
    absl::Time start = absl::Now();
    auto store = OpenStore(dir, SyncPolicy::kInterval);
    double open_secs = absl::ToDoubleSeconds(absl::Now() - start);
    v1::StreamInfoRequest req;
    req.set_name("BENCH");
    uint64_t msgs = store->GetStreamInfo(req)->state().messages();
    v1::GetMessageRequest get;
    get.set_stream("BENCH");
    get.set_seq(kMessages / 2);
    bool read = store->GetMessage(get).ok();
    double loaded_secs = absl::ToDoubleSeconds(absl::Now() - start);
    const char* what[] = {"saved state", "segment index files", "full rescan"};
    printf("restart, %llu msgs, %-20s open %8.3f s, first read %s at %8.3f s\n",
           static_cast<unsigned long long>(msgs), what[pass], open_secs, read ? "ok" : "FAILED",
           loaded_secs);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace jsengine::storesvc

int main(int argc, char** argv) {
  using jsengine::storesvc::AppendCase;
  using jsengine::storesvc::SyncPolicy;
  std::string base = argc > 1 ? argv[1] : "/tmp";
  AppendCase(base, "interval, 1 appender, 1 msg/batch", SyncPolicy::kInterval, 1, 200'000, 1, 64);
  AppendCase(base, "interval, 1 appender, 64 msgs/batch", SyncPolicy::kInterval, 1, 2'000'000, 64, 8);
  AppendCase(base, "interval, 4 appenders, 64 msgs/batch", SyncPolicy::kInterval, 4, 500'000, 64, 8);
  AppendCase(base, "interval, 64 msgs/batch, max_msgs 100k (discard old)", SyncPolicy::kInterval,
             1, 2'000'000, 64, 8, 100'000);
  AppendCase(base, "always, 1 appender, 1 msg, 1 in flight", SyncPolicy::kAlways, 1, 5'000, 1, 1);
  AppendCase(base, "always, 4 appenders, 1 msg, 32 in flight each", SyncPolicy::kAlways, 4, 50'000, 1, 32);
  AppendCase(base, "always, 4 appenders, 64 msgs, 8 in flight each", SyncPolicy::kAlways, 4, 500'000, 64, 8);
  jsengine::storesvc::RestartCase(base);
  return 0;
}
