// Orderly shutdown on SIGINT/SIGTERM for the service binaries.
//
// Call BlockTerminationSignals() first thing in main(), before any thread
// starts, so every thread inherits the blocked mask; then start the servers
// and call WaitForTerminationSignal(), which returns the signal received.
#ifndef JSENGINE_COMMON_SIGNALS_H_
#define JSENGINE_COMMON_SIGNALS_H_

namespace jsengine::common {

void BlockTerminationSignals();
int WaitForTerminationSignal();

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_SIGNALS_H_
