#include "common/signals.h"

#include <pthread.h>
#include <signal.h>

namespace jsengine::common {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

sigset_t ControlSignals() {
  sigset_t set = TerminationSignals();
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  return set;
}

void Block(const sigset_t& set) {
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int Wait(const sigset_t& set) {
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  return signal_number;
}

}  // namespace

void BlockTerminationSignals() { Block(TerminationSignals()); }

int WaitForTerminationSignal() { return Wait(TerminationSignals()); }

void BlockControlSignals() { Block(ControlSignals()); }

int WaitForControlSignal() { return Wait(ControlSignals()); }

}  // namespace jsengine::common
