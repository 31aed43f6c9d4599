// Orderly shutdown on SIGINT/SIGTERM for the service binaries.
//
// Call BlockTerminationSignals() first thing in main(), before any thread
// starts, so every thread inherits the blocked mask; then start the servers
// and call WaitForTerminationSignal(), which returns the signal received.
// A server that also acts on SIGHUP (reload) and SIGUSR1 (reopen the log
// file), as nats-server does, uses the Control pair instead.
#ifndef JSENGINE_COMMON_SIGNALS_H_
#define JSENGINE_COMMON_SIGNALS_H_

namespace jsengine::common {

void BlockTerminationSignals();
int WaitForTerminationSignal();

// SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2.
void BlockControlSignals();
int WaitForControlSignal();

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_SIGNALS_H_
