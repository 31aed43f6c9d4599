#include "gateway/core/lame_duck.h"

#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace jsengine::gateway::core {

absl::Status CheckLameDuckOptions(const ServerOptions& o) {
  if (o.lame_duck_duration < kMinLameDuckDuration) {
    return absl::InvalidArgumentError(absl::StrCat("invalid lame_duck_duration of ",
                                                   absl::FormatDuration(o.lame_duck_duration),
                                                   ", minimum is 30 seconds"));
  }
  if (o.lame_duck_duration > absl::ZeroDuration() &&
      o.lame_duck_grace_period >= o.lame_duck_duration) {
    return absl::InvalidArgumentError(
        absl::StrCat("lame duck grace period (", absl::FormatDuration(o.lame_duck_grace_period),
                     ") should be strictly lower than lame duck duration (",
                     absl::FormatDuration(o.lame_duck_duration), ")"));
  }
  return absl::OkStatus();
}

LameDuckPace PaceLameDuck(int clients, absl::Duration duration, absl::Duration grace) {
  absl::Duration spread = duration - grace;
  if (spread <= absl::ZeroDuration()) spread = absl::Seconds(1);
  LameDuckPace pace;
  if (clients <= 0) {
    pace.interval = absl::Seconds(1);
    return pace;
  }
  pace.interval = spread / clients;
  if (pace.interval < absl::Nanoseconds(1)) {
    pace.interval = absl::Nanoseconds(1);
    pace.batch = static_cast<int>(clients / absl::ToInt64Nanoseconds(spread));
  } else if (pace.interval > absl::Seconds(1)) {
    pace.interval = absl::Seconds(1);
  }
  return pace;
}

void RunLameDuckMode(Server* server, absl::Notification* cancel) {
  const ServerOptions& o = server->options();
  const std::vector<uint64_t> clients = server->EnterLameDuckMode();
  if (clients.empty()) return;
  if (cancel->WaitForNotificationWithTimeout(o.lame_duck_grace_period)) return;
  LOG(INFO) << "Closing existing clients";
  const LameDuckPace pace = PaceLameDuck(static_cast<int>(clients.size()), o.lame_duck_duration,
                                         o.lame_duck_grace_period);
  std::mt19937_64 rng(std::random_device{}());
  const int64_t interval_ns = absl::ToInt64Nanoseconds(pace.interval);
  for (size_t i = 0; i < clients.size(); ++i) {
    server->CloseConnection(clients[i]);
    if (i + 1 == clients.size()) break;
    if (pace.batch > 1 && i % pace.batch != 0) continue;
    const int64_t wait = std::max<int64_t>(rng() % interval_ns, interval_ns / 2);
    if (cancel->WaitForNotificationWithTimeout(absl::Nanoseconds(wait))) return;
  }
}

}  // namespace jsengine::gateway::core
