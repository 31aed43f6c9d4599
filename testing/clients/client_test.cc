// Runs a test program written with another official NATS client (nats.go,
// nats.js) against every deployment: the embedded gateway, the three
// processes, and nats-server -js. The program gets the server's URL in
// NATS_URL and the deployment's name in JSE_TOPOLOGY, and passes by exiting
// 0 within the time limit; what it prints is copied into the test log.
//
//   client_test [gtest flags] [--timeout_s=N] PROGRAM [ARGS...]
//
// client_test.bzl's client_test() makes such a test from a program target.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "testing/harness/harness.h"
#include "testing/harness/topology.h"
#include "testing/harness/topology_suite.h"

namespace jsengine::testing {
namespace {

// The program and its arguments, from the command line.
std::vector<std::string>* command = new std::vector<std::string>;
absl::Duration timeout = absl::Minutes(5);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ClientTest : public ::testing::TestWithParam<harness::Topology::Kind> {};

TEST_P(ClientTest, ProgramPasses) {
  ASSERT_FALSE(command->empty()) << "usage: client_test PROGRAM [ARGS...]";
  auto engine = harness::Topology::Start(GetParam());
  ASSERT_TRUE(engine.ok()) << engine.status();
  setenv("NATS_URL", (*engine)->nats_url().c_str(), 1);
  setenv("JSE_TOPOLOGY", harness::Topology::Name(GetParam()).c_str(), 1);

  std::vector<std::string> args(command->begin() + 1, command->end());
  auto program = harness::Process::Start((*command)[0], args);
  ASSERT_TRUE(program.ok()) << program.status();
  absl::Time deadline = absl::Now() + timeout;
  while ((*program)->Running() && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  bool timed_out = (*program)->Running();
  int status = (*program)->Stop(SIGKILL);
  std::string output = ReadFile((*program)->log_path());
  std::cout << output << std::flush;
  EXPECT_FALSE(timed_out) << (*command)[0] << " still running after " << timeout;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << (*command)[0] << " failed (wait status " << status << ") against "
      << harness::Topology::Name(GetParam());
}

JSE_TOPOLOGY_SUITE(ClientTest);

}  // namespace
}  // namespace jsengine::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    int seconds;
    if (jsengine::testing::command->empty() && absl::StartsWith(arg, "--timeout_s=") &&
        absl::SimpleAtoi(arg.substr(12), &seconds)) {
      jsengine::testing::timeout = absl::Seconds(seconds);
    } else {
      jsengine::testing::command->push_back(arg);
    }
  }
  return RUN_ALL_TESTS();
}
