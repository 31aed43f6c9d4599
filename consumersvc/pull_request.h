// A pull request's body ($JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>, or
// the text after +NXT in an ack) read as nats-server's nextReqFromMsg reads
// it: trimmed; empty asks for one message; `{...}` is the JSON request
// {"batch", "max_bytes", "expires", "no_wait", "idle_heartbeat"} (durations
// in nanoseconds); a number is a batch size; anything else asks for one.
//
// Thread-safe: pure functions.
#ifndef JSENGINE_CONSUMERSVC_PULL_REQUEST_H_
#define JSENGINE_CONSUMERSVC_PULL_REQUEST_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jsengine::consumersvc {

struct PullRequest {
  int64_t batch = 1;
  int64_t max_bytes = 0;   // 0: no limit.
  // How long the request may wait; 0: until answered. A negative "expires"
  // (a deadline already past for nats-server, which answers 408 at once)
  // reads as 1 ns.
  int64_t expires_ns = 0;
  bool no_wait = false;
  int64_t heartbeat_ns = 0;  // Idle heartbeats to the reply while waiting; 0: none.
};

// The request, or an error whose message is what nats-server puts after
// "400 Bad Request - " (e.g. a JSON error, "heartbeat value too large").
absl::StatusOr<PullRequest> ParsePullRequest(std::string_view body);

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_PULL_REQUEST_H_
