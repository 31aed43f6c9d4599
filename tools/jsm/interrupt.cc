#include "tools/jsm/interrupt.h"

#include <signal.h>

#include <atomic>

namespace jsengine::tools::jsm {
namespace {

std::atomic<bool> interrupted{false};

void OnInterrupt(int) { interrupted = true; }

}  // namespace

void CatchInterrupts() {
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  // A write to the terminal that the signal interrupts goes on, so that
  // what was printed stays whole.
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool Interrupted() { return interrupted; }

}  // namespace jsengine::tools::jsm
