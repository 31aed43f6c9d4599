#include "tools/jsm/jsm_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace jsengine::tools::jsm {
namespace {

std::vector<char*> Argv(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

// Reads everything from `fd` into `out` until EOF.
void Drain(int fd, std::string* out) {
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out->append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

absl::StatusOr<JsmResult> RunJsm(const std::string& binary, const std::vector<std::string>& args,
                                 const std::vector<std::string>& env, absl::Duration timeout) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  std::vector<std::string> environment(env);
  for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  const absl::Time start = absl::Now();
  pid_t pid = 0;
  std::vector<char*> argv = Argv(binary, args);
  const int spawned =
      posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return absl::InternalError(absl::StrCat("spawn ", binary, ": ", strerror(spawned)));
  }

  JsmResult result;
  int status = 0;
  bool timed_out = false;
  // jsm prints little, so the pipes never fill while it runs.
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (absl::Now() - start > timeout) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  result.took = absl::Now() - start;
  Drain(out_pipe[0], &result.out);
  Drain(err_pipe[0], &result.err);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (timed_out) {
    return absl::DeadlineExceededError(absl::StrCat(
        "jsm ran longer than ", absl::FormatDuration(timeout), "; stderr: ", result.err));
  }
  result.exit_code = ExitCode(status);
  return result;
}

absl::StatusOr<std::unique_ptr<TerminalSession>> TerminalSession::Start(
    const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv = Argv(binary, args);
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return absl::InternalError(absl::StrCat("forkpty: ", strerror(errno)));
  if (pid == 0) {
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return std::unique_ptr<TerminalSession>(new TerminalSession(pid, master));
}

TerminalSession::~TerminalSession() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(master_);
}

bool TerminalSession::ReadSome(absl::Duration timeout) {
  pollfd fd = {master_, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) return true;
  char buffer[4096];
  const ssize_t n = read(master_, buffer, sizeof buffer);
  if (n <= 0) return n < 0 && errno == EINTR;  // EIO: the child closed the terminal.
  for (ssize_t i = 0; i < n; ++i) {
    if (buffer[i] != '\r') transcript_.push_back(buffer[i]);
  }
  return true;
}

absl::Status TerminalSession::Expect(absl::string_view text, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  size_t found;
  while ((found = transcript_.find(text.data(), seen_, text.size())) == std::string::npos) {
    if (absl::Now() > deadline || !ReadSome(deadline - absl::Now())) {
      return absl::DeadlineExceededError(
          absl::StrCat("no \"", text, "\"; the terminal shows: ", transcript_));
    }
  }
  seen_ = found + text.size();
  return absl::OkStatus();
}

absl::Status TerminalSession::Type(absl::string_view keys) {
  if (write(master_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) {
    return absl::InternalError(absl::StrCat("typing: ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status TerminalSession::Answer(absl::string_view prompt, absl::string_view answer,
                                     absl::Duration timeout) {
  absl::Status shown = Expect(prompt, timeout);
  if (!shown.ok()) return shown;
  return Type(absl::StrCat(answer, "\n"));
}

absl::StatusOr<int> TerminalSession::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (ReadSome(absl::Milliseconds(50))) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("jsm still runs; the terminal shows: ", transcript_));
    }
  }
  int status = 0;
  waitpid(pid_, &status, 0);
  exited_ = true;
  return ExitCode(status);
}

}  // namespace jsengine::tools::jsm
