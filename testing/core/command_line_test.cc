// The gateway binary run the way nats-server is: -v, -h, -t, -P, -l with
// SIGUSR1, -T=false, SIGHUP, and JetStream only with -js. Where the
// reference nats-server is at hand, it gets the same commands.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/durable_file.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

std::string Gateway() { return harness::RunfilePath("gateway/gateway"); }

struct Ran {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a command that exits by itself. Arguments must not need quoting.
Ran RunToExit(const std::string& binary, const std::vector<std::string>& args) {
  Ran ran;
  const std::string command = absl::StrCat(binary, " ", absl::StrJoin(args, " "), " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return ran;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) ran.output.append(buffer, n);
  const int status = pclose(pipe);
  if (WIFEXITED(status)) ran.exit_code = WEXITSTATUS(status);
  return ran;
}

std::string ReadAll(const std::string& path) { return common::ReadFile(path).value_or(""); }

// Waits until the file at `path` contains `text`.
bool WaitForText(const std::string& path, const std::string& text) {
  for (int i = 0; i < 500; ++i) {
    if (absl::StrContains(ReadAll(path), text)) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

TEST(CommandLineTest, VersionIsPrintedAsNatsServerPrintsIt) {
  const Ran ours = RunToExit(Gateway(), {"-v"});
  EXPECT_EQ(ours.exit_code, 0);
  EXPECT_TRUE(std::regex_match(ours.output, std::regex("nats-server: v2\\.[0-9]+\\.[0-9]+\n")))
      << ours.output;
  EXPECT_EQ(RunToExit(Gateway(), {"--version"}).output, ours.output);
  // The reference (Debian's nats-server 2.9.10) is an older release than
  // the one announced: the same line, another version.
  const Ran reference = RunToExit(harness::NatsServerBinary(), {"--version"});
  EXPECT_TRUE(std::regex_match(reference.output, std::regex("nats-server: v2\\.[0-9]+\\.[0-9]+\n")))
      << reference.output;
  const harness::ServerVersion parsed = harness::NatsServerVersion();
  EXPECT_EQ(reference.output, absl::StrCat("nats-server: v", parsed.major, ".", parsed.minor, ".",
                                           parsed.patch, "\n"));
}

TEST(CommandLineTest, HelpListsTheFlags) {
  const Ran ran = RunToExit(Gateway(), {"-h"});
  EXPECT_EQ(ran.exit_code, 0);
  for (const char* flag : {"-js", "-sd", "-P, --pid", "-l, --log", "-t ", "-v, --version"}) {
    EXPECT_TRUE(absl::StrContains(ran.output, flag)) << flag << " missing in\n" << ran.output;
  }
  EXPECT_EQ(ran.output.find("Usage:"), ran.output.rfind("Usage:"));
}

TEST(CommandLineTest, TestsTheConfigurationAndNamesTheBadLine) {
  const std::string dir = util::MakeTempDir("check-config-");
  const std::string good = dir + "/good.conf";
  const std::string bad = dir + "/bad.conf";
  std::ofstream(good) << "port: 4333\njetstream: enabled\npid_file: " << dir << "/x.pid\n";
  std::ofstream(bad) << "port: 4333\n\ncluster { port: 6222, frobnicate: 1 }\n";

  const Ran valid = RunToExit(Gateway(), {"-t", "-c", good});
  EXPECT_EQ(valid.exit_code, 0) << valid.output;
  EXPECT_TRUE(absl::StrContains(valid.output, "is valid")) << valid.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.pid")) << "-t started a server";

  const Ran invalid = RunToExit(Gateway(), {"-t", "-c", bad});
  EXPECT_NE(invalid.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(invalid.output, "line 3")) << invalid.output;
  EXPECT_TRUE(absl::StrContains(invalid.output, "cluster")) << invalid.output;

  EXPECT_NE(RunToExit(Gateway(), {"--frobnicate"}).exit_code, 0);
}

// nats-server checks a gateway's name, port and remote URLs when it starts,
// not under -t; the gateway does the same, then refuses any gateway, since
// super-cluster connections are not implemented.
TEST(CommandLineTest, GatewayBlockIsCheckedAtStartAsByNatsServer) {
  const std::string dir = util::MakeTempDir("gateway-block-");
  const std::string no_port = dir + "/no_port.conf";
  const std::string no_url = dir + "/no_url.conf";
  const std::string complete = dir + "/complete.conf";
  std::ofstream(no_port) << "port: -1\ngateway { name: \"A\" }\n";
  std::ofstream(no_url) << "port: -1\ngateway { name: A, port: -1, gateways [ {name: B} ] }\n";
  std::ofstream(complete) << "port: -1\ngateway {\n name: A\n listen: \"127.0.0.1:-1\"\n"
                          << " gateways [ {name: B, url: \"nats://127.0.0.1:1\"} ]\n}\n";
  const std::pair<std::string, std::string> refused[] = {
      {no_port, "gateway \"A\" has no port specified (select -1 for random port)"},
      {no_url, "gateway \"B\" has no URL"},
  };
  for (const std::string& binary : {Gateway(), harness::NatsServerBinary()}) {
    for (const auto& [config, error] : refused) {
      EXPECT_EQ(RunToExit(binary, {"-t", "-c", config}).exit_code, 0) << binary << " " << config;
      const Ran ran = RunToExit(binary, {"-c", config});
      EXPECT_EQ(ran.exit_code, 1) << binary << " " << config << ": " << ran.output;
      EXPECT_TRUE(absl::StrContains(ran.output, error)) << binary << ": " << ran.output;
    }
  }
  EXPECT_EQ(RunToExit(Gateway(), {"-t", "-c", complete}).exit_code, 0);
  const Ran ran = RunToExit(Gateway(), {"-c", complete});
  EXPECT_EQ(ran.exit_code, 1) << ran.output;
  EXPECT_TRUE(
      absl::StrContains(ran.output, "super-cluster gateway connections are not implemented"))
      << ran.output;
}

TEST(CommandLineTest, PidFileLogFileAndSignals) {
  const std::string dir = util::MakeTempDir("process-");
  const std::string ports_dir = util::MakeTempDir("ports-");
  const std::string pid_path = dir + "/gateway.pid";
  const std::string log_path = dir + "/gateway.log";
  auto gateway =
      harness::Process::Start(Gateway(), {"-a", "127.0.0.1", "-p", "-1", "-P", pid_path, "-l",
                                          log_path, "-T=false", "--ports_file_dir", ports_dir});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  auto ports = (*gateway)->WaitForPortsFile(ports_dir, absl::Seconds(20));
  ASSERT_TRUE(ports.ok()) << ports.status();
  EXPECT_EQ(ReadAll(pid_path), std::to_string((*gateway)->pid()));
  ASSERT_TRUE(WaitForText(log_path, "Server is ready")) << ReadAll(log_path);
  // -T=false: "I <thread> main.cc:<line>] ...", no date.
  const std::string log = ReadAll(log_path);
  EXPECT_TRUE(std::regex_search(log, std::regex("^I [0-9]+ [a-z_]+\\.cc:[0-9]+\\] ")))
      << log.substr(0, 200);

  // logrotate: rename, then SIGUSR1.
  std::filesystem::rename(log_path, log_path + ".1");
  ASSERT_EQ(kill((*gateway)->pid(), SIGUSR1), 0);
  EXPECT_TRUE(WaitForText(log_path, "Reopened log file"));

  ASSERT_EQ(kill((*gateway)->pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitForText(log_path, "SIGHUP"));
  EXPECT_TRUE((*gateway)->Running());

  const int status = (*gateway)->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(std::filesystem::exists(pid_path)) << "the pid file outlived the gateway";
  EXPECT_TRUE(absl::StrContains(ReadAll(log_path), "shutting down"));
  EXPECT_FALSE(absl::StrContains(ReadAll(log_path + ".1"), "shutting down"));
}

// $JS.API.INFO as a client with headers asks it: the natsStatus it gets.
natsStatus JetStreamInfoRequest(const std::string& url) {
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_ConnectTo(&nc, url.c_str());
  if (s != NATS_OK) return s;
  natsMsg* reply = nullptr;
  s = natsConnection_RequestString(&reply, nc, "$JS.API.INFO", "", 5000);
  natsMsg_Destroy(reply);
  natsConnection_Destroy(nc);
  return s;
}

TEST(CommandLineTest, WithoutJetStreamNobodyAnswersTheApiAsInNatsServer) {
  for (const std::string& binary : {Gateway(), harness::NatsServerBinary()}) {
    SCOPED_TRACE(binary);
    const std::string ports_dir = util::MakeTempDir("ports-");
    std::vector<std::string> args = {"-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", ports_dir};
    if (binary == Gateway()) args.push_back("--grpc_listen=127.0.0.1:0");
    auto server = harness::Process::Start(binary, args);
    ASSERT_TRUE(server.ok()) << server.status();
    auto ports = (*server)->WaitForPortsFile(ports_dir, absl::Seconds(20));
    ASSERT_TRUE(ports.ok()) << ports.status();
    EXPECT_TRUE(ports->grpc.empty()) << "services were started";
    EXPECT_EQ(JetStreamInfoRequest(ports->nats[0]), NATS_NO_RESPONDERS);
  }
}

TEST(CommandLineTest, JetStreamFromTheConfigFile) {
  const std::string dir = util::MakeTempDir("js-config-");
  const std::string ports_dir = util::MakeTempDir("ports-");
  const std::string conf = dir + "/js.conf";
  std::ofstream(conf) << "jetstream {\n  store_dir: \"" << dir << "/store\"\n}\n";
  auto gateway = harness::Process::Start(
      Gateway(), {"-c", conf, "-a", "127.0.0.1", "-p", "-1", "--grpc_listen=127.0.0.1:0",
                  "--ports_file_dir", ports_dir});
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  auto ports = (*gateway)->WaitForPortsFile(ports_dir, absl::Seconds(20));
  ASSERT_TRUE(ports.ok()) << ports.status();
  EXPECT_EQ(JetStreamInfoRequest(ports->nats[0]), NATS_OK);
  EXPECT_TRUE(std::filesystem::exists(dir + "/store/LOCK"));
}

}  // namespace
}  // namespace jsengine::testing::core
