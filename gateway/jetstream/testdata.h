// Golden replies captured from nats-server 2.9.10 (testdata/capture.py),
// the protos that hold the same streams, and the helpers that hold them
// side by side, for the tests. Test-only.
#ifndef JSENGINE_GATEWAY_JETSTREAM_TESTDATA_H_
#define JSENGINE_GATEWAY_JETSTREAM_TESTDATA_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/go_json_writer.h"
#include "proto/common.pb.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"

namespace jsengine::gateway::jetstream {

// The bytes of gateway/jetstream/testdata/<name>, as UpgradeTo210() makes
// them; aborts the test binary when the file is missing (a broken checkout,
// not a test outcome).
std::string Golden(absl::string_view name);

// A nats-server 2.9.10 reply as 2.10 writes it: each stream config gains the
// fields 2.10 always writes, "compression":"none" (before republish and
// allow_direct) and "consumer_limits":{} (after allow_rollup_hdrs).
std::string UpgradeTo210(const std::string& reply);

// The text of `s` between the first `after` and the following `before`;
// empty when either is missing.
std::string Between(const std::string& s, const std::string& after, const std::string& before);

// `message` as `write` writes it.
template <typename T>
std::string ToJson(const T& message, void (*write)(const T&, common::GoJsonWriter*)) {
  std::string out;
  common::GoJsonWriter w(&out);
  write(message, &w);
  return out;
}

// The ORDERS stream of the capture: subjects orders.* and ship.>, limits
// -1, file storage, one replica, 2 min duplicate window, direct gets on.
v1::StreamConfig OrdersConfig();

// ORDERS as stream_list.json shows it: 2 messages (seq 2..3) on 2 subjects.
v1::StreamInfo OrdersInfo();

// The capture's messages: 1 orders.a "hello"; 2 orders.b "world" with
// headers Nats-Msg-Id and X-Trace; 3 ship.eu.x "third".
v1::StoredMessage CapturedMessage(uint64_t seq);

// The state part of a captured ConsumerInfo reply `json` (names, created,
// delivered, ack floor and the counts: what the delivery state machine, not
// the configuration, decides); its config is left to the caller. Aborts the
// test binary when `json` is no consumer info.
v1::ConsumerInfo ConsumerStateFromGolden(const std::string& json);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_TESTDATA_H_
