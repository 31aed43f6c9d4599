// Streams on the wire: nats-server's StreamConfig, StreamInfo, StreamState
// and StoredMsg JSON, to and from the store's protos.
//
// Field names, order and omit-empty rules follow nats-server 2.9's Go
// structs (stream.go, store.go), plus 2.10's `metadata`. Enums are spelled as
// nats-server spells them ("limits"/"interest"/"workqueue", "file"/"memory",
// "old"/"new"); durations are nanoseconds; times are RFC 3339 in UTC, with
// Unix time 0 standing for Go's zero time. Parsing does not apply defaults:
// the proto holds what the client sent (0 where a field was absent), and the
// store fills in nats-server's defaults when it checks the config.
//
// All functions are pure; safe from any thread.
#ifndef JSENGINE_GATEWAY_JETSTREAM_STREAM_JSON_H_
#define JSENGINE_GATEWAY_JETSTREAM_STREAM_JSON_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/go_json_reader.h"
#include "common/go_json_writer.h"
#include "proto/common.pb.h"
#include "proto/store.pb.h"

namespace jsengine::gateway::jetstream {

// A StreamConfig from its JSON; InvalidArgument naming the field when a value
// has the wrong type or an enum an unknown spelling.
absl::StatusOr<v1::StreamConfig> StreamConfigFromJson(const common::GoJsonObject& json);
absl::StatusOr<v1::StreamConfig> ParseStreamConfig(absl::string_view payload);

// Each writes one JSON value (an object).
void WriteStreamConfig(const v1::StreamConfig& config, common::GoJsonWriter* w);
void WriteStreamState(const v1::StreamState& state, common::GoJsonWriter* w);
void WriteStreamInfo(const v1::StreamInfo& info, common::GoJsonWriter* w);
// nats-server's StoredMsg: {"subject","seq","hdrs","data","time"}.
void WriteStoredMessage(const v1::StoredMessage& message, common::GoJsonWriter* w);

// The "config", "created" and "state" fields of a StreamInfo, written into
// an object the caller has open (API responses embed StreamInfo's fields).
void WriteStreamInfoFields(const v1::StreamInfo& info, common::GoJsonWriter* w);

// nats-server's spellings of the enums.
absl::string_view RetentionName(v1::RetentionPolicy retention);
absl::string_view StorageName(v1::StorageType storage);
absl::string_view DiscardName(v1::DiscardPolicy discard);

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_STREAM_JSON_H_
