// Fuzz target: stream configurations as clients send them in
// $JS.API.STREAM.CREATE/UPDATE. Any config that parses must write back to
// JSON that parses to the same config.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/go_json_writer.h"
#include "gateway/jetstream/stream_json.h"
#include "google/protobuf/util/message_differencer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view payload(reinterpret_cast<const char*>(data), size);
  auto config = jsengine::gateway::jetstream::ParseStreamConfig(payload);
  if (!config.ok()) return 0;
  std::string json;
  jsengine::common::GoJsonWriter writer(&json);
  jsengine::gateway::jetstream::WriteStreamConfig(*config, &writer);
  auto again = jsengine::gateway::jetstream::ParseStreamConfig(json);
  if (!again.ok() || !google::protobuf::util::MessageDifferencer::Equals(*config, *again)) {
    abort();
  }
  return 0;
}
