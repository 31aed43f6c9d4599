// Runs the real jsm binary as a child process for integration tests: with
// stdin from /dev/null and its output captured (RunJsm), or on a
// pseudo-terminal so that it prompts as it does for a user (TerminalSession).
//
//   absl::StatusOr<JsmResult> ls = RunJsm(binary, {"--store", address, "ls"});
//   EXPECT_EQ(ls->exit_code, 0);
//
//   auto session = TerminalSession::Start(binary, {"--store", address, "add"});
//   ASSERT_TRUE((*session)->Answer("Name: ", "devices-events").ok());
//   ...
//   EXPECT_EQ(*(*session)->Wait(absl::Seconds(10)), 0);
//
// Children that outlive their timeout are killed (SIGKILL).
//
// Thread-safety: not thread-safe. Test-only.
#ifndef JSENGINE_TOOLS_JSM_JSM_RUNNER_H_
#define JSENGINE_TOOLS_JSM_JSM_RUNNER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace jsengine::tools::jsm {

struct JsmResult {
  int exit_code = -1;  // -1: killed by a signal.
  std::string out;
  std::string err;
  absl::Duration took;
};

// Runs `binary` with `args`, `env` ("NAME=value") added to this process'
// environment; DeadlineExceeded (after killing it) when it runs longer than
// `timeout`.
absl::StatusOr<JsmResult> RunJsm(const std::string& binary, const std::vector<std::string>& args,
                                 const std::vector<std::string>& env = {},
                                 absl::Duration timeout = absl::Seconds(30));

class TerminalSession {
 public:
  static absl::StatusOr<std::unique_ptr<TerminalSession>> Start(
      const std::string& binary, const std::vector<std::string>& args);
  // Kills the child if it still runs.
  ~TerminalSession();

  TerminalSession(const TerminalSession&) = delete;
  TerminalSession& operator=(const TerminalSession&) = delete;

  // Waits until the output shows `text` after what earlier calls waited
  // for.
  absl::Status Expect(absl::string_view text, absl::Duration timeout = absl::Seconds(10));

  // Types `keys` as they are ("\x03" is Ctrl-C).
  absl::Status Type(absl::string_view keys);

  // Expect(prompt), then types `answer` and Enter.
  absl::Status Answer(absl::string_view prompt, absl::string_view answer,
                      absl::Duration timeout = absl::Seconds(10));

  // Reads the output to its end and returns the exit code.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  // Everything the terminal showed, typed answers included, with the
  // terminal's \r\n as \n.
  const std::string& transcript() const { return transcript_; }

 private:
  TerminalSession(pid_t pid, int master) : pid_(pid), master_(master) {}
  // Reads what is there within `timeout`; false at the end of the output.
  bool ReadSome(absl::Duration timeout);

  pid_t pid_;
  int master_;
  bool exited_ = false;
  std::string transcript_;
  size_t seen_ = 0;  // transcript_ up to here was waited for.
};

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_JSM_RUNNER_H_
