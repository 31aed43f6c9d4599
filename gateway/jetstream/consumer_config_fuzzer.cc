// Fuzz target: consumer create requests as clients send them in
// $JS.API.CONSUMER.CREATE / DURABLE.CREATE. Any config that parses must write
// back to JSON that parses to the same config, and nats-server's rules must
// judge it without crashing.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/go_json_writer.h"
#include "consumersvc/consumer_config.h"
#include "gateway/jetstream/consumer_json.h"
#include "google/protobuf/util/message_differencer.h"

namespace {

jsengine::v1::StreamConfig Stream() {
  jsengine::v1::StreamConfig stream;
  stream.set_name("ORDERS");
  stream.add_subjects("orders.*");
  stream.add_subjects("ship.>");
  stream.set_retention(jsengine::v1::RETENTION_WORK_QUEUE);
  stream.set_num_replicas(1);
  stream.set_max_consumers(-1);
  return stream;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace js = jsengine::gateway::jetstream;
  absl::string_view payload(reinterpret_cast<const char*>(data), size);
  auto request = js::ParseCreateConsumerRequest(payload);
  if (!request.ok()) return 0;
  std::string json;
  jsengine::common::GoJsonWriter writer(&json);
  js::WriteConsumerConfig(request->config(), &writer);
  auto again = js::ParseConsumerConfig(json);
  if (!again.ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(request->config(), *again)) {
    abort();
  }
  static const jsengine::v1::StreamConfig stream = Stream();
  auto checked = jsengine::consumersvc::CheckConsumerConfig(request->config(), stream, {});
  if (checked.ok()) {
    jsengine::consumersvc::CheckNewConsumer(*checked, stream, {}, {}).status().IgnoreError();
  }
  return 0;
}
