// Ctrl-C for jsm's long-running verbs (`sub`, `get --from`): once they call
// CatchInterrupts(), SIGINT and SIGTERM no longer end the process but set a
// flag that they poll with Interrupted(), so that they stop their work, keep
// what they printed whole and exit 0.
//
//   CatchInterrupts();
//   while (!Interrupted() && more) { ...wait a little for the next item... }
//
// Other verbs do not call it: a Ctrl-C during a short call ends jsm at once.
//
// Thread-safety: thread-safe; the flag is process-wide and never cleared.
#ifndef JSENGINE_TOOLS_JSM_INTERRUPT_H_
#define JSENGINE_TOOLS_JSM_INTERRUPT_H_

namespace jsengine::tools::jsm {

// Installs the handler for SIGINT and SIGTERM; idempotent.
void CatchInterrupts();

// True once SIGINT or SIGTERM came after CatchInterrupts().
bool Interrupted();

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_INTERRUPT_H_
