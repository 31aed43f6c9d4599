// The server-wide JetStream limits, `jetstream { max_memory_store,
// max_file_store }`, run the same way against the gateway binary and the
// reference nats-server: /jsz and /varz report them; stream creates and
// updates reserve max_bytes against them (10028, 10047); publishes fail with
// 10023 once a storage holds more than its limit; accounts whose limits
// exceed the server's keep the server from starting. (nats-server has no
// command line flags for these limits.)
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/harness/harness.h"
#include "testing/util/http_get.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

using Json = nlohmann::json;

bool Has(const std::string& text, const std::string& part) { return absl::StrContains(text, part); }

class JetStreamServerLimitsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    binary_ = GetParam().binary();
    if (access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " is not installed";
    dir_ = util::MakeTempDir("jslimits-");
  }

  void TearDown() override {
    natsConnection_Destroy(nc_);
    nc_ = nullptr;
  }

  std::vector<std::string> Args(const std::string& jetstream) {
    std::ofstream(dir_ + "/server.conf")
        << "jetstream { store_dir: \"" << dir_ << "/store\", " << jetstream << " }\n";
    std::vector<std::string> args = {"-c", dir_ + "/server.conf", "-m", "-1"};
    if (GetParam().binary == &GatewayBinary) args.push_back("--grpc_listen=127.0.0.1:0");
    return args;
  }

  // Starts the server with `jetstream` inside the config's jetstream block.
  void Start(const std::string& jetstream) {
    absl::StatusOr<common::Ports> ports = StartOnFreePort(binary_, Args(jetstream), &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    ASSERT_FALSE(ports->monitoring.empty());
    const std::string& http = ports->monitoring.front();
    http_port_ = std::stoi(http.substr(http.rfind(':') + 1));
    const std::string& nats = ports->nats.front();
    natsOptions* opts = LocalClientOptions(std::stoi(nats.substr(nats.rfind(':') + 1)));
    ASSERT_EQ(natsConnection_Connect(&nc_, opts), NATS_OK);
    natsOptions_Destroy(opts);
  }

  std::string Request(const std::string& subject, const std::string& body) {
    return RequestText(nc_, subject, body);
  }

  std::string Create(const std::string& name, const std::string& storage, int64_t max_bytes = 0,
                     const char* verb = "CREATE") {
    std::string config = absl::StrCat(R"({"name":")", name, R"(","subjects":[")", name,
                                      R"("],"storage":")", storage, "\"");
    if (max_bytes != 0) absl::StrAppend(&config, R"(,"max_bytes":)", max_bytes);
    return Request(absl::StrCat("$JS.API.STREAM.", verb, ".", name), config + "}");
  }

  Json Monitor(const std::string& path) {
    util::HttpAnswer answer = util::HttpGet(http_port_, path);
    EXPECT_EQ(answer.status, 200) << path;
    return Json::parse(answer.body, nullptr, false);
  }

  std::string binary_;
  std::string dir_;
  std::unique_ptr<harness::Process> server_;
  natsConnection* nc_ = nullptr;
  int http_port_ = 0;
};

constexpr char kMemoryFull[] =
    R"("err_code":10028,"description":"insufficient memory resources available")";
constexpr char kStorageFull[] =
    R"("err_code":10047,"description":"insufficient storage resources available")";

TEST_P(JetStreamServerLimitsTest, ConfiguredLimitsAreReportedByJszAndVarz) {
  Start("max_memory_store: 1MB, max_file_store: 2MB");
  const Json jsz = Monitor("/jsz");
  EXPECT_EQ(jsz["config"]["max_memory"], 1048576) << jsz;
  EXPECT_EQ(jsz["config"]["max_storage"], 2097152) << jsz;
  const Json varz = Monitor("/varz");
  EXPECT_EQ(varz["jetstream"]["config"]["max_memory"], 1048576) << varz["jetstream"];
  EXPECT_EQ(varz["jetstream"]["config"]["max_storage"], 2097152) << varz["jetstream"];
  // The account's own limits stay unlimited.
  EXPECT_TRUE(Has(Request("$JS.API.INFO", ""), R"("limits":{"max_memory":-1,"max_storage":-1,)"));
}

TEST_P(JetStreamServerLimitsTest, UnsetLimitsAreThreeQuartersOfMemoryAndDisk) {
  Start("max_mem_store: 100000");
  const Json jsz = Monitor("/jsz");
  EXPECT_EQ(jsz["config"]["max_memory"], 100000) << jsz;
  const int64_t storage = jsz["config"]["max_storage"];
  EXPECT_GT(storage, 0);
  const Json varz = Monitor("/varz");
  EXPECT_EQ(varz["jetstream"]["config"]["max_storage"], storage);
}

TEST_P(JetStreamServerLimitsTest, StreamsReserveTheirMaxBytes) {
  Start("max_mem_store: 1048576, max_file: 2M");
  EXPECT_TRUE(Has(Create("M1", "memory", 2000000), kMemoryFull));
  EXPECT_TRUE(Has(Create("F1", "file", 3000000), kStorageFull));
  EXPECT_TRUE(Has(Create("M1", "memory", 600000), R"("did_create":true)"));
  EXPECT_TRUE(Has(Create("M2", "memory", 600000), kMemoryFull));
  // Up to the limit exactly.
  EXPECT_TRUE(Has(Create("M3", "memory", 448576), R"("did_create":true)"));
  // Full: a stream without max_bytes needs one byte.
  EXPECT_TRUE(Has(Create("M4", "memory"), kMemoryFull));
  EXPECT_TRUE(Has(Create("M5", "memory", -1), kMemoryFull));
  // A create of an existing stream counts its reservation again.
  EXPECT_TRUE(Has(Create("M1", "memory", 600000), kMemoryFull));
  // File storage is apart.
  EXPECT_TRUE(Has(Create("F2", "file"), R"("did_create":true)"));
  EXPECT_TRUE(Has(Create("M1", "memory", 700000, "UPDATE"), kMemoryFull));
  const std::string lowered = Create("M1", "memory", 500000, "UPDATE");
  EXPECT_TRUE(Has(lowered, R"("max_bytes":500000)")) << lowered;
  EXPECT_EQ(Monitor("/jsz")["reserved_memory"], 948576);
  EXPECT_EQ(Monitor("/varz")["jetstream"]["stats"]["reserved_memory"], 948576);
  EXPECT_TRUE(Has(Create("M4", "memory"), R"("did_create":true)"));
  EXPECT_TRUE(Has(Request("$JS.API.STREAM.DELETE.M3", ""), R"("success":true)"));
  EXPECT_TRUE(Has(Create("M6", "memory", 448576), R"("did_create":true)"));
}

TEST_P(JetStreamServerLimitsTest, PublishesFailOnceAStorageHoldsMoreThanItsLimit) {
  Start("max_memory_store: 1000, max_file_store: 0");
  EXPECT_TRUE(Has(Create("F", "file"), kStorageFull));
  EXPECT_TRUE(Has(Create("M", "memory"), R"("did_create":true)"));
  EXPECT_TRUE(Has(Create("N", "memory"), R"("did_create":true)"));
  // 317 bytes each as stored: the fourth crosses 1000 and is kept.
  const std::string data(300, 'x');
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(Request("M", data), absl::StrCat(R"({"stream":"M", "seq":)", i, "}"));
  }
  const std::string refused =
      R"({"error":{"code":503,"err_code":10023,"description":"insufficient resources"},)";
  EXPECT_EQ(Request("M", data), refused + R"("stream":"M","seq":0})");
  EXPECT_EQ(Request("N", "y"), refused + R"("stream":"N","seq":0})");
  EXPECT_EQ(Monitor("/jsz")["memory"], 4 * 317);
  EXPECT_TRUE(Has(Request("$JS.API.STREAM.PURGE.M", ""), R"("success":true)"));
  EXPECT_TRUE(Has(Request("M", data), R"({"stream":"M", "seq":)"));
}

TEST_P(JetStreamServerLimitsTest, AccountsMustFitTheServerLimits) {
  std::vector<std::string> args = Args("max_memory_store: 1MB, max_file_store: 10MB");
  std::ofstream(dir_ + "/server.conf", std::ios::app) << R"(
accounts {
  A: { jetstream: { max_memory: 600KB, max_file: 1MB }, users: [{user: a, password: pa}] }
  B: { jetstream: { max_memory: 600KB, max_file: 1MB }, users: [{user: b, password: pb}] }
}
)";
  absl::StatusOr<std::unique_ptr<harness::Process>> started =
      harness::Process::Start(binary_, args);
  ASSERT_TRUE(started.ok()) << started.status();
  server_ = *std::move(started);
  for (int i = 0; i < 200 && server_->Running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(server_->Running()) << "started with accounts over the server's memory";
  std::stringstream log;
  log << std::ifstream(server_->log_path()).rdbuf();
  EXPECT_TRUE(Has(log.str(),
                  "Error enabling jetstream on configured accounts: insufficient "
                  "memory resources available (10028)"))
      << log.str();
}

TEST_P(JetStreamServerLimitsTest, AReloadCannotRaiseAccountsPastTheServerLimits) {
  const auto accounts = [](const char* b_memory) {
    return absl::StrCat(R"(
accounts {
  A: { jetstream: { max_memory: 600KB }, users: [{user: a, password: pa}] }
  B: { jetstream: { max_memory: )",
                        b_memory, R"( }, users: [{user: b, password: pb}] }
}
)");
  };
  std::vector<std::string> args = Args("max_memory_store: 1MB");
  std::ofstream(dir_ + "/server.conf", std::ios::app) << accounts("400KB");
  absl::StatusOr<common::Ports> ports = StartOnFreePort(binary_, args, &server_);
  ASSERT_TRUE(ports.ok()) << ports.status();
  const std::string url = ports->nats.front();
  const std::string b_url = "nats://b:pb@" + url.substr(url.find("://") + 3);
  ASSERT_EQ(natsConnection_ConnectTo(&nc_, b_url.c_str()), NATS_OK);
  EXPECT_TRUE(Has(Request("$JS.API.INFO", ""), R"("limits":{"max_memory":409600,)"));

  Args("max_memory_store: 1MB");
  std::ofstream(dir_ + "/server.conf", std::ios::app) << accounts("600KB");
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  std::string log;
  for (int i = 0; i < 200 && !Has(log, "(10028)"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::stringstream text;
    text << std::ifstream(server_->log_path()).rdbuf();
    log = text.str();
  }
  EXPECT_TRUE(Has(log,
                  "Error enabling jetstream on configured accounts: insufficient memory "
                  "resources available (10028)"))
      << log;
  EXPECT_TRUE(Has(Request("$JS.API.INFO", ""), R"("limits":{"max_memory":409600,)"))
      << "B keeps the limits it had";
}

// nats-server restores each stream through addStream, whose limit check
// refuses one whose max_bytes no longer fits with the streams restored
// before it (in name order): it is not loaded, and its files stay for a
// later start with room for it. A stream without max_bytes needs a byte.
TEST_P(JetStreamServerLimitsTest, StreamsThatNoLongerFitAreNotLoadedAfterARestart) {
  Start("max_file_store: 10MB");
  EXPECT_TRUE(Has(Create("A", "file", 4 << 20), R"("created")"));
  EXPECT_TRUE(Has(Create("B", "file", 4 << 20), R"("created")"));
  EXPECT_TRUE(Has(Create("C", "file"), R"("created")"));
  for (const char* name : {"A", "B", "C"}) EXPECT_TRUE(Has(Request(name, "x"), R"("seq":1)"));
  const auto restart = [this](const std::string& jetstream) {
    natsConnection_Destroy(nc_);
    nc_ = nullptr;
    server_->Stop(SIGTERM);
    server_.reset();
    Start(jetstream);
  };

  restart("max_file_store: 6MB");
  EXPECT_TRUE(Has(Request("$JS.API.STREAM.INFO.A", ""), R"("messages":1,)"));
  EXPECT_TRUE(Has(Request("$JS.API.STREAM.INFO.B", ""), R"("err_code":10059,)"));
  EXPECT_TRUE(Has(Request("$JS.API.STREAM.INFO.C", ""), R"("messages":1,)"));
  std::stringstream log;
  log << std::ifstream(server_->log_path()).rdbuf();
  EXPECT_TRUE(Has(log.str(),
                  "Error recreating stream \"B\": insufficient storage resources available "
                  "(10047)"))
      << log.str();

  restart("max_file_store: 10MB");
  EXPECT_TRUE(Has(Request("$JS.API.STREAM.INFO.B", ""), R"("messages":1,)"));
}

INSTANTIATE_TEST_SUITE_P(Servers, JetStreamServerLimitsTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
