// Runs natsbench (and diskbench) with small counts against a real
// nats-server -js started on a free port, and checks every scenario prints a
// RESULT line with non-zero figures. No timing thresholds: only that the
// tools work end to end and fail when they should.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "testing/harness/harness.h"
#include "testing/harness/topology.h"
#include "testing/util/temp_dir.h"

namespace jsengine::tools::bench {
namespace {

std::string Runfile(absl::string_view name) {
  return testing::harness::RunfilePath(absl::StrCat("tools/bench/", name));
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The key=value pairs of the first `RESULT scenario=<scenario>` line.
std::map<std::string, std::string> ResultFields(const std::string& output,
                                                absl::string_view scenario) {
  std::string prefix = absl::StrCat("RESULT scenario=", scenario, " ");
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (!absl::StartsWith(line, prefix)) continue;
    std::map<std::string, std::string> fields;
    for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(word, '=');
      if (!kv.second.empty()) fields[kv.first] = kv.second;
    }
    return fields;
  }
  return {};
}

double Number(const std::map<std::string, std::string>& fields,
              const std::string& key) {
  auto it = fields.find(key);
  double v = 0;
  if (it == fields.end() || !absl::SimpleAtod(it->second, &v)) return -1;
  return v;
}

void ExpectPositive(const std::map<std::string, std::string>& fields,
                    const std::vector<std::string>& keys,
                    const std::string& output) {
  ASSERT_FALSE(fields.empty()) << output;
  for (const std::string& key : keys) {
    EXPECT_GT(Number(fields, key), 0) << key << " in: " << output;
  }
}

class NatsbenchSmokeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::harness::Topology::Start(testing::harness::Topology::kReference);
    if (server.ok()) {
      server_ = server->release();
    } else {
      start_error_ = new std::string(server.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete start_error_;
    server_ = nullptr;
    start_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "nats-server -js did not start (./bazelw installs it): "
                                << *start_error_;
  }

  static CommandResult Bench(const std::string& args) {
    return RunCommand(absl::StrCat(Runfile("natsbench"), " --url=", server_->nats_url(),
                                   " --timeout_s=120 ", args));
  }

  static testing::harness::Topology* server_;
  static std::string* start_error_;
};

testing::harness::Topology* NatsbenchSmokeTest::server_ = nullptr;
std::string* NatsbenchSmokeTest::start_error_ = nullptr;

TEST_F(NatsbenchSmokeTest, Pub) {
  CommandResult r = Bench("--scenario=pub --msgs=20000 --pubs=2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectPositive(ResultFields(r.output, "pub"), {"msgs_per_sec", "mib_per_sec"},
                 r.output);
}

TEST_F(NatsbenchSmokeTest, PubSubEverySubscriberGetsEveryMessage) {
  CommandResult r = Bench("--scenario=pubsub --msgs=20000 --pubs=2 --subs=2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto fields = ResultFields(r.output, "pubsub");
  ExpectPositive(fields,
                 {"pub_msgs_per_sec", "pub_mib_per_sec", "sub_msgs_per_sec",
                  "sub_mib_per_sec"},
                 r.output);
  EXPECT_EQ(fields["msgs"], "20000");
  EXPECT_EQ(fields["subs"], "2");
}

TEST_F(NatsbenchSmokeTest, ReqRep) {
  CommandResult r = Bench("--scenario=reqrep --msgs=200");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto fields = ResultFields(r.output, "reqrep");
  ExpectPositive(fields, {"req_per_sec", "p50_us", "p90_us", "p99_us"},
                 r.output);
  EXPECT_LE(Number(fields, "p50_us"), Number(fields, "p90_us"));
  EXPECT_LE(Number(fields, "p90_us"), Number(fields, "p99_us"));
}

TEST_F(NatsbenchSmokeTest, JsPubAsync) {
  CommandResult r =
      Bench("--scenario=js-pub-async --msgs=2000 --max_in_flight=64 "
            "--stream=SMOKE_ASYNC --subject=smoke.async");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectPositive(ResultFields(r.output, "js-pub-async"),
                 {"msgs_per_sec", "mib_per_sec"}, r.output);
  CommandResult gone = Bench("--scenario=js-count --stream=SMOKE_ASYNC");
  EXPECT_NE(gone.exit_code, 0) << "the stream should have been deleted: "
                               << gone.output;
}

TEST_F(NatsbenchSmokeTest, JsPubSync) {
  CommandResult r = Bench("--scenario=js-pub-sync --msgs=200 "
                          "--stream=SMOKE_SYNC --subject=smoke.sync");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectPositive(ResultFields(r.output, "js-pub-sync"),
                 {"msgs_per_sec", "p50_us", "p90_us", "p99_us"}, r.output);
}

TEST_F(NatsbenchSmokeTest, FillSurvivesRestartAndIsCounted) {
  CommandResult fill = Bench("--scenario=js-fill --msgs=3000 "
                             "--stream=SMOKE_FILL --subject=smoke.fill");
  ASSERT_EQ(fill.exit_code, 0) << fill.output;
  ExpectPositive(ResultFields(fill.output, "js-fill"), {"msgs_per_sec"},
                 fill.output);

  ASSERT_TRUE(server_->Restart().ok());
  CommandResult count = Bench("--scenario=js-count --stream=SMOKE_FILL "
                              "--wait_for_msgs=3000");
  ASSERT_EQ(count.exit_code, 0) << count.output;
  auto fields = ResultFields(count.output, "js-count");
  EXPECT_EQ(fields["msgs"], "3000") << count.output;
  EXPECT_GT(Number(fields, "ready_ms"), 0) << count.output;
}

TEST_F(NatsbenchSmokeTest, ConsumersReadEveryMessageAndReportServerMemory) {
  const std::string pid = absl::StrCat(" --server_pid=", server_->gateway()->pid());
  for (const char* scenario : {"--scenario=js-consume-push --msgs=2000",
                               "--scenario=js-consume-pull --msgs=2000 --batch=50",
                               "--scenario=js-consume-fanout --msgs=1000 --consumers=3"}) {
    CommandResult r =
        Bench(absl::StrCat(scenario, " --stream=SMOKE_CONSUME --subject=smoke.consume", pid));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::string name = std::string(absl::StripPrefix(
        absl::string_view(scenario).substr(0, absl::string_view(scenario).find(' ')),
        "--scenario="));
    ExpectPositive(ResultFields(r.output, name),
                   {"msgs_per_sec", "mib_per_sec", "server_peak_rss_mib"}, r.output);
  }
  CommandResult fanout = Bench(
      absl::StrCat("--scenario=js-consume-fanout --msgs=500 --consumers=2 --stream=SMOKE_CONSUME "
                   "--subject=smoke.consume"));
  ASSERT_EQ(fanout.exit_code, 0) << fanout.output;
  auto fields = ResultFields(fanout.output, "js-consume-fanout");
  EXPECT_EQ(fields["consumers"], "2");
  EXPECT_EQ(fields.count("server_peak_rss_mib"), 0u) << "without --server_pid";
}

TEST_F(NatsbenchSmokeTest, KvDirectGetOrderedAndObjectScenarios) {
  struct Case {
    const char* name;
    const char* flags;
    const char* rate;
  };
  for (const Case& c : {Case{"kv-put", "--msgs=300 --keys=50", "ops_per_sec"},
                        Case{"kv-get", "--msgs=300 --keys=50", "ops_per_sec"},
                        Case{"direct-get", "--msgs=300 --keys=50", "ops_per_sec"},
                        Case{"ordered-consume", "--msgs=3000", "msgs_per_sec"},
                        Case{"obj-put", "--msgs=2 --size=1000000", "mb_per_sec"},
                        Case{"obj-get", "--msgs=2 --size=1000000", "mb_per_sec"}}) {
    CommandResult r = Bench(
        absl::StrCat("--scenario=", c.name, " ", c.flags, " --stream=SMOKE_KV --subject=smoke.kv"));
    ASSERT_EQ(r.exit_code, 0) << c.name << "\n" << r.output;
    ExpectPositive(ResultFields(r.output, c.name), {c.rate}, r.output);
  }
}

TEST_F(NatsbenchSmokeTest, MemoryPerPendingAckAndPerConsumer) {
  const std::string pid = absl::StrCat(" --server_pid=", server_->gateway()->pid());
  CommandResult pending =
      Bench(absl::StrCat("--scenario=js-mem-pending --msgs=2000 --settle_ms=50 --stream=SMOKE_MEM "
                         "--subject=smoke.mem",
                         pid));
  ASSERT_EQ(pending.exit_code, 0) << pending.output;
  auto fields = ResultFields(pending.output, "js-mem-pending");
  ExpectPositive(fields, {"rss_before_mib", "rss_after_mib", "server_peak_rss_mib"},
                 pending.output);
  EXPECT_EQ(fields["pending_acks"], "2000");
  EXPECT_EQ(fields.count("bytes_per_pending_ack"), 1u);

  CommandResult idle =
      Bench(absl::StrCat("--scenario=js-mem-consumers --consumers=20 --msgs=100 --settle_ms=50 "
                         "--stream=SMOKE_MEM --subject=smoke.mem",
                         pid));
  ASSERT_EQ(idle.exit_code, 0) << idle.output;
  fields = ResultFields(idle.output, "js-mem-consumers");
  ExpectPositive(fields, {"rss_before_mib", "rss_after_mib", "creates_per_sec"}, idle.output);
  EXPECT_EQ(fields["consumers"], "20");

  CommandResult no_pid = Bench("--scenario=js-mem-pending --msgs=10 --stream=SMOKE_MEM");
  EXPECT_EQ(no_pid.exit_code, 1) << no_pid.output;
  CommandResult bad_pid = Bench("--scenario=js-mem-pending --msgs=10 --server_pid=x");
  EXPECT_EQ(bad_pid.exit_code, 2) << bad_pid.output;
}

TEST_F(NatsbenchSmokeTest, CountOfMissingStreamFails) {
  CommandResult r = Bench("--scenario=js-count --stream=NO_SUCH_STREAM");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_TRUE(ResultFields(r.output, "js-count").empty()) << r.output;
}

TEST_F(NatsbenchSmokeTest, UnknownScenarioIsRejected) {
  CommandResult r = Bench("--scenario=nonsense");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(NatsbenchUnreachableTest, FailsWithoutServer) {
  testing::harness::UnusedPort unused;
  ASSERT_GT(unused.port(), 0);
  CommandResult r =
      RunCommand(absl::StrCat(Runfile("natsbench"), " --url=nats://127.0.0.1:", unused.port(),
                              " --scenario=pub --msgs=10 --timeout_s=30"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(ResultFields(r.output, "pub").empty()) << r.output;
}

TEST(DiskbenchSmokeTest, ReportsWriteRateAndFsyncLatency) {
  CommandResult r = RunCommand(absl::StrCat(Runfile("diskbench"),
                                            " --dir=", testing::util::MakeTempDir("diskbench-"),
                                            " --write_mib=4 --fsyncs=20"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectPositive(ResultFields(r.output, "disk-seq-write"),
                 {"mib_per_sec", "durable_mib_per_sec"}, r.output);
  ExpectPositive(ResultFields(r.output, "disk-fsync"),
                 {"fsyncs_per_sec", "p50_us", "p99_us"}, r.output);
}

TEST(RpcbenchSmokeTest, ReportsStoreAndTcpRoundTrips) {
  auto engine = testing::harness::Topology::Start(testing::harness::Topology::kEmbedded);
  ASSERT_TRUE(engine.ok()) << engine.status();
  CommandResult r = RunCommand(absl::StrCat(Runfile("rpcbench"), " --store=",
                                            (*engine)->store_address(), " --msgs=50"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ExpectPositive(ResultFields(r.output, "store-append-rtt"), {"p50_us", "p99_us"}, r.output);
  ExpectPositive(ResultFields(r.output, "tcp-rtt"), {"p50_us", "p99_us"}, r.output);
}

TEST(RpcbenchSmokeTest, FailsWithoutStore) {
  testing::harness::UnusedPort unused;
  ASSERT_GT(unused.port(), 0);
  CommandResult r = RunCommand(
      absl::StrCat(Runfile("rpcbench"), " --store=127.0.0.1:", unused.port(), " --msgs=5"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
}

}  // namespace
}  // namespace jsengine::tools::bench
