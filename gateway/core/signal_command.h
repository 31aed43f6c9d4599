// `gateway --signal <command>[=<pid>]` (-sl), as nats-server's: sends a
// running server the signal for `command` and exits. The pid is a number or
// the path of a PID file; without one, the -P PID file is used.
//
//   stop: SIGKILL   quit: SIGINT    term: SIGTERM
//   reopen: SIGUSR1 (log file)      reload: SIGHUP   ldm: SIGUSR2 (lame duck)
#ifndef JSENGINE_GATEWAY_CORE_SIGNAL_COMMAND_H_
#define JSENGINE_GATEWAY_CORE_SIGNAL_COMMAND_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jsengine::gateway::core {

struct SignalCommand {
  int signal = 0;
  std::string pid;  // a process id or a PID file; empty: none given
};

// InvalidArgument for an unknown command (nats-server's "unknown signal").
absl::StatusOr<SignalCommand> ParseSignalCommand(std::string_view text);

// The process `pid` names: a number, or a file holding one.
absl::StatusOr<pid_t> ResolvePid(const std::string& pid);

// Sends the command's signal to its pid, or else to the one in `pid_file`.
absl::Status SendSignalCommand(const SignalCommand& command, const std::string& pid_file);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SIGNAL_COMMAND_H_
