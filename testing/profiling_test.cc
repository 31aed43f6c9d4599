// nats-server's profiling port (prof_port, -1: any free port) with the same
// config file on nats-server and on the gateway: each logs "profiling port:
// N", lists it as "profile" in its ports file, serves an index at
// /debug/pprof/ and a CPU profile at /debug/pprof/profile?seconds=1, and
// refuses a second profile while one runs with Go's 500. The profile formats
// differ: nats-server's is Go's (gzipped protobuf), the gateway's is
// gperftools' legacy binary format (header words 0, 3, 0, period, 0; read
// with the binary by google-pprof or `go tool pprof`). Go's runtime pages
// (goroutine, ...) exist only on nats-server; the gateway answers 404 saying
// why.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ports_file.h"
#include "gtest/gtest.h"
#include "testing/harness/harness.h"
#include "testing/util/http_get.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

using util::HttpAnswer;
using util::HttpGet;

struct Server {
  std::unique_ptr<harness::Process> process;
  int profile_port = 0;
};

Server StartWithProfPort(const std::string& binary) {
  Server server;
  const std::string dir = util::MakeTempDir("profiling-");
  const std::string conf = dir + "/prof.conf";
  std::ofstream(conf) << "listen: 127.0.0.1:-1\nprof_port: -1\n";
  auto process = harness::Process::Start(binary, {"-c", conf, "--ports_file_dir", dir});
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return server;
  server.process = std::move(*process);
  auto ports = server.process->WaitForPortsFile(dir, absl::Seconds(30));
  EXPECT_TRUE(ports.ok()) << ports.status();
  if (!ports.ok() || ports->profile.empty()) return server;
  EXPECT_TRUE(absl::StartsWith(ports->profile[0], "http://127.0.0.1:")) << ports->profile[0];
  server.profile_port = common::PortOf(ports->profile[0]).value_or(0);
  return server;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether `body` starts as gperftools' CPU profiles do.
bool IsGperftoolsProfile(const std::string& body) {
  uintptr_t w[5];
  if (body.size() < sizeof(w)) return false;
  std::memcpy(w, body.data(), sizeof(w));
  return w[0] == 0 && w[1] == 3 && w[2] == 0 && w[3] > 0 && w[4] == 0;
}

class ProfilingTest : public ::testing::TestWithParam<bool> {
 protected:
  bool gateway() const { return GetParam(); }
  std::string Binary() const {
    return gateway() ? harness::RunfilePath("gateway/gateway") : harness::NatsServerBinary();
  }
};

TEST_P(ProfilingTest, ServesACpuProfileOnProfPort) {
  Server server = StartWithProfPort(Binary());
  ASSERT_GT(server.profile_port, 0);
  EXPECT_TRUE(absl::StrContains(ReadFile(server.process->log_path()),
                                absl::StrCat("profiling port: ", server.profile_port)));

  HttpAnswer index = HttpGet(server.profile_port, "/debug/pprof/");
  EXPECT_EQ(index.status, 200);
  EXPECT_TRUE(absl::StrContains(index.body, "profile")) << index.body;

  HttpAnswer profile = HttpGet(server.profile_port, "/debug/pprof/profile?seconds=1");
  ASSERT_EQ(profile.status, 200) << profile.body;
  ASSERT_FALSE(profile.body.empty());
  if (gateway()) {
    EXPECT_TRUE(IsGperftoolsProfile(profile.body));
  } else {
    EXPECT_EQ(profile.body.substr(0, 2), "\x1f\x8b");  // gzip: Go's pprof protobuf
  }

  HttpAnswer goroutine = HttpGet(server.profile_port, "/debug/pprof/goroutine?debug=1");
  if (gateway()) {
    EXPECT_EQ(goroutine.status, 404);
    EXPECT_TRUE(absl::StrContains(goroutine.body, "only a Go program has")) << goroutine.body;
  } else {
    EXPECT_EQ(goroutine.status, 200);
  }
  EXPECT_EQ(HttpGet(server.profile_port, "/debug/pprof/nothing").status, 404);
}

// While one profile runs, another is refused with Go's error; whichever of
// two overlapping requests starts second gets it.
TEST_P(ProfilingTest, OneProfileAtATime) {
  Server server = StartWithProfPort(Binary());
  ASSERT_GT(server.profile_port, 0);
  const int port = server.profile_port;
  std::future<HttpAnswer> first = std::async(
      std::launch::async, [port] { return HttpGet(port, "/debug/pprof/profile?seconds=3"); });
  std::vector<HttpAnswer> answers;
  while (first.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    answers.push_back(HttpGet(port, "/debug/pprof/profile?seconds=1"));
    if (answers.back().status == 500) break;
  }
  answers.push_back(first.get());
  int refused = 0;
  for (const HttpAnswer& a : answers) {
    if (a.status != 500) continue;
    ++refused;
    EXPECT_EQ(a.body, "Could not enable CPU profiling: cpu profiling already in use\n");
  }
  EXPECT_GE(refused, 1);
}

INSTANTIATE_TEST_SUITE_P(Servers, ProfilingTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "gateway" : "nats_server";
                         });

}  // namespace
}  // namespace jsengine::testing
