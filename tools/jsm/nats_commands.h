// The jsm verbs that go through the gateway's NATS port rather than gRPC,
// with the official NATS C client: quick checks (`pub`, `req`, `sub`) and
// `next`, which pulls one message from a pull observable and acks it, as
// the seed's jsm did.
//
//   NatsCommands nats(endpoints, std::cout);
//   absl::Status done = nats.Run(*ParseArgs({"sub", "devices.*.events"}));
//
// `sub` prints messages as they arrive until Ctrl-C (SIGINT, SIGTERM) or
// --count messages; every other verb waits at most the --timeout.
//
// Thread-safety: not thread-safe; one per process (it handles SIGINT).
#ifndef JSENGINE_TOOLS_JSM_NATS_COMMANDS_H_
#define JSENGINE_TOOLS_JSM_NATS_COMMANDS_H_

#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "tools/jsm/args.h"

namespace jsengine::tools::jsm {

class NatsCommands {
 public:
  NatsCommands(Endpoints endpoints, std::ostream& out)
      : endpoints_(std::move(endpoints)), out_(out) {}

  absl::Status Run(const Args& args);

 private:
  absl::Status Pub(const Args& args);
  absl::Status Req(const Args& args);
  absl::Status Sub(const Args& args);
  absl::Status Next(const Args& args);
  int TimeoutMs() const;

  const Endpoints endpoints_;
  std::ostream& out_;
};

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_NATS_COMMANDS_H_
