#include "gateway/core/signal_command.h"

#include <errno.h>
#include <signal.h>

#include <cstring>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace jsengine::gateway::core {
namespace {

struct Named {
  const char* name;
  int signal;
};

constexpr Named kCommands[] = {
    {"stop", SIGKILL},   {"quit", SIGINT},   {"term", SIGTERM},
    {"reopen", SIGUSR1}, {"reload", SIGHUP}, {"ldm", SIGUSR2},
};

}  // namespace

absl::StatusOr<SignalCommand> ParseSignalCommand(std::string_view text) {
  const size_t eq = text.find('=');
  const std::string_view name = text.substr(0, eq);
  SignalCommand command;
  if (eq != std::string_view::npos) command.pid = std::string(text.substr(eq + 1));
  for (const Named& n : kCommands) {
    if (name == n.name) {
      command.signal = n.signal;
      return command;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown signal \"", std::string(name), "\""));
}

absl::StatusOr<pid_t> ResolvePid(const std::string& pid) {
  int n = 0;
  if (absl::SimpleAtoi(pid, &n) && n > 0) return static_cast<pid_t>(n);
  std::ifstream in(pid);
  std::string text;
  if (!in || !std::getline(in, text)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid pid: ", pid));
  }
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &n) || n <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid pid in ", pid, ": ", text));
  }
  return static_cast<pid_t>(n);
}

absl::Status SendSignalCommand(const SignalCommand& command, const std::string& pid_file) {
  const std::string& target = command.pid.empty() ? pid_file : command.pid;
  if (target.empty()) {
    return absl::InvalidArgumentError(
        "no process to signal: give --signal <signal>=<pid or PID file>, or -P <PID file>");
  }
  absl::StatusOr<pid_t> pid = ResolvePid(target);
  if (!pid.ok()) return pid.status();
  if (::kill(*pid, command.signal) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot signal process ", *pid, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
