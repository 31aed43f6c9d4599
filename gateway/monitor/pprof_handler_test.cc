#include "gateway/monitor/pprof_handler.h"

#include <cstdint>
#include <cstring>
#include <ctime>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::monitor {
namespace {

using Params = std::map<std::string, std::string>;

std::string Header(const PprofAnswer& a, const std::string& name) {
  for (const auto& [key, value] : a.headers) {
    if (key == name) return value;
  }
  return "";
}

// gperftools' legacy CPU profile: a header of five machine words (0, 3, 0,
// sampling period in microseconds, 0), records (count, depth, PCs...), the
// trailer (0, 1, 0), then the process's memory map as text. The number of
// samples, or -1 when `profile` is not such a profile.
int64_t SamplesInProfile(const std::string& profile, std::string* maps) {
  const size_t words = profile.size() / sizeof(uintptr_t);
  std::vector<uintptr_t> w(words);
  std::memcpy(w.data(), profile.data(), words * sizeof(uintptr_t));
  if (words < 8 || w[0] != 0 || w[1] != 3 || w[2] != 0 || w[3] == 0 || w[4] != 0) return -1;
  int64_t samples = 0;
  for (size_t i = 5; i + 2 < words;) {
    if (w[i] == 0 && w[i + 1] == 1 && w[i + 2] == 0) {
      *maps = profile.substr((i + 3) * sizeof(uintptr_t));
      return samples;
    }
    samples += w[i];
    i += 2 + w[i + 1];
  }
  return -1;
}

// Uses `cpu` of this process's CPU time, so the profiler's timer fires.
void BurnCpu(absl::Duration cpu) {
  const std::clock_t until = std::clock() + absl::ToDoubleSeconds(cpu) * CLOCKS_PER_SEC;
  volatile uint64_t x = 0;
  while (std::clock() < until) x = x + 1;
}

TEST(PprofHandlerTest, CpuProfileIsAGperftoolsProfileWithSamples) {
  PprofHandler pprof([](absl::Duration, absl::Notification*) { BurnCpu(absl::Milliseconds(300)); });
  PprofAnswer a = pprof.Handle("profile", {{"seconds", "1"}});
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, "application/octet-stream");
  EXPECT_EQ(Header(a, "Content-Disposition"), "attachment; filename=\"profile\"");
  std::string maps;
  EXPECT_GT(SamplesInProfile(a.body, &maps), 0) << a.body.size() << " bytes";
  EXPECT_NE(maps.find("pprof_handler_test"), std::string::npos);
}

TEST(PprofHandlerTest, SecondsAsGoReadsThem) {
  absl::Duration asked;
  PprofHandler pprof([&asked](absl::Duration d, absl::Notification*) { asked = d; });
  for (const auto& [seconds, want] : std::vector<std::pair<const char*, int>>{
           {"5", 5}, {"0", 30}, {"-2", 30}, {"1.5", 30}, {"x", 30}, {"", 30}}) {
    ASSERT_EQ(pprof.Handle("profile", {{"seconds", seconds}}).status, 200) << seconds;
    EXPECT_EQ(asked, absl::Seconds(want)) << seconds;
  }
  ASSERT_EQ(pprof.Handle("profile", {}).status, 200);
  EXPECT_EQ(asked, absl::Seconds(30));
}

TEST(PprofHandlerTest, OneProfileAtATime) {
  absl::Notification started;
  absl::Notification release;
  PprofHandler pprof([&](absl::Duration, absl::Notification*) {
    if (!started.HasBeenNotified()) started.Notify();
    release.WaitForNotification();
  });
  PprofAnswer first;
  std::thread running([&] { first = pprof.Handle("profile", {{"seconds", "60"}}); });
  started.WaitForNotification();
  PprofAnswer second = pprof.Handle("profile", {{"seconds", "1"}});
  EXPECT_EQ(second.status, 500);
  EXPECT_EQ(second.body, "Could not enable CPU profiling: cpu profiling already in use\n");
  EXPECT_EQ(Header(second, "X-Go-Pprof"), "1");
  release.Notify();
  running.join();
  std::string maps;
  EXPECT_EQ(first.status, 200);
  EXPECT_GE(SamplesInProfile(first.body, &maps), 0);
  EXPECT_EQ(pprof.Handle("profile", {{"seconds", "1"}}).status, 200);
}

TEST(PprofHandlerTest, StopEndsARunningProfile) {
  PprofHandler pprof;
  PprofAnswer a;
  std::thread running([&] { a = pprof.Handle("profile", {{"seconds", "3600"}}); });
  pprof.Stop();
  running.join();
  std::string maps;
  EXPECT_EQ(a.status, 200);
  EXPECT_GE(SamplesInProfile(a.body, &maps), 0);
}

TEST(PprofHandlerTest, IndexAndCmdline) {
  PprofHandler pprof;
  PprofAnswer index = pprof.Handle("", {});
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("<a href='profile'>profile</a>"), std::string::npos) << index.body;
  EXPECT_NE(index.body.find("goroutine"), std::string::npos);
  PprofAnswer cmdline = pprof.Handle("cmdline", {});
  EXPECT_EQ(cmdline.status, 200);
  EXPECT_NE(cmdline.body.find("pprof_handler_test"), std::string::npos);
  EXPECT_NE(cmdline.body.back(), '\0');
}

TEST(PprofHandlerTest, GoOnlyPagesSayWhyTheyAreMissing) {
  PprofHandler pprof;
  for (const char* name :
       {"goroutine", "heap", "allocs", "block", "mutex", "threadcreate", "trace", "symbol"}) {
    PprofAnswer a = pprof.Handle(name, {{"debug", "1"}});
    EXPECT_EQ(a.status, 404) << name;
    EXPECT_EQ(a.body.rfind(std::string("Unknown profile: ") + name + " is ", 0), 0u) << a.body;
    EXPECT_NE(a.body.find("only a Go program has"), std::string::npos) << a.body;
    EXPECT_EQ(Header(a, "X-Go-Pprof"), "1");
  }
  PprofAnswer unknown = pprof.Handle("nothing", {});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "Unknown profile\n");
}

}  // namespace
}  // namespace jsengine::gateway::monitor
