// Lame duck mode, as nats-server's (SIGUSR2): the server stops accepting
// connections and tells its clients (INFO "ldm":true), waits a grace period
// so that several servers put in lame duck mode together do not take each
// other's clients, then closes its clients one by one, spread over the rest
// of lame_duck_duration, so they do not all reconnect at once.
//
//   absl::Notification cancel;  // notified to cut it short (SIGTERM)
//   RunLameDuckMode(&server, &cancel);  // blocks; then shut the server down
#ifndef JSENGINE_GATEWAY_CORE_LAME_DUCK_H_
#define JSENGINE_GATEWAY_CORE_LAME_DUCK_H_

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gateway/core/options.h"
#include "gateway/core/server.h"

namespace jsengine::gateway::core {

constexpr absl::Duration kMinLameDuckDuration = absl::Seconds(30);

// nats-server's rules: the duration is at least kMinLameDuckDuration, the
// grace period shorter than the duration.
absl::Status CheckLameDuckOptions(const ServerOptions& options);

// How closing `clients` connections is spread over `duration` less `grace`
// (at least a second): a wait of about `interval` (each wait is random, at
// least half of it) after every `batch` closes. The interval is at most a
// second.
struct LameDuckPace {
  absl::Duration interval;
  int batch = 1;
};
LameDuckPace PaceLameDuck(int clients, absl::Duration duration, absl::Duration grace);

// Runs lame duck mode on the calling thread with the server's options and
// returns once every connection was closed, or early when `cancel` is
// notified. Does not shut the server down.
void RunLameDuckMode(Server* server, absl::Notification* cancel);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_LAME_DUCK_H_
