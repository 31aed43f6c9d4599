#include "gateway/core/signal_command.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(SignalCommandTest, ParsesNatsServerCommands) {
  EXPECT_EQ(ParseSignalCommand("ldm")->signal, SIGUSR2);
  EXPECT_EQ(ParseSignalCommand("reload")->signal, SIGHUP);
  EXPECT_EQ(ParseSignalCommand("reopen")->signal, SIGUSR1);
  EXPECT_EQ(ParseSignalCommand("quit")->signal, SIGINT);
  EXPECT_EQ(ParseSignalCommand("term")->signal, SIGTERM);
  EXPECT_EQ(ParseSignalCommand("stop")->signal, SIGKILL);
  absl::StatusOr<SignalCommand> c = ParseSignalCommand("ldm=1234");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->pid, "1234");
  EXPECT_EQ(ParseSignalCommand("nope").status().message(), "unknown signal \"nope\"");
}

TEST(SignalCommandTest, ResolvesPidsAndPidFiles) {
  EXPECT_EQ(*ResolvePid("42"), 42);
  const std::string path = ::testing::TempDir() + "/signal_command_test.pid";
  std::ofstream(path) << "4711\n";
  EXPECT_EQ(*ResolvePid(path), 4711);
  EXPECT_FALSE(ResolvePid("/nonexistent/file").ok());
  EXPECT_FALSE(ResolvePid("-3").ok());
}

TEST(SignalCommandTest, SignalsTheProcess) {
  // SIGUSR1 to ourselves, blocked so it stays pending.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  ASSERT_EQ(sigprocmask(SIG_BLOCK, &set, nullptr), 0);
  const std::string path = ::testing::TempDir() + "/signal_command_self.pid";
  std::ofstream(path) << getpid() << "\n";
  ASSERT_TRUE(SendSignalCommand(*ParseSignalCommand("reopen"), path).ok());
  int got = 0;
  ASSERT_EQ(sigwait(&set, &got), 0);
  EXPECT_EQ(got, SIGUSR1);
  EXPECT_FALSE(SendSignalCommand(*ParseSignalCommand("reopen"), "").ok());
}

}  // namespace
}  // namespace jsengine::gateway::core
