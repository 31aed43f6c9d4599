// Stream configuration rules as nats-server applies them: defaults filled in
// on create (checkStreamCfg) and which fields an update may change
// (configUpdateCheck). Errors are the JetStream errors a client would get.
//
// A `subject_transform` nats-server cannot build is refused as it does
// (10049 on create, 10069 on update, its message naming src and dest).
//
// Not checked here: overlap with other streams' subjects (Store does that).
//
// Thread-safe: pure functions.
#ifndef JSENGINE_STORESVC_STREAM_CONFIG_H_
#define JSENGINE_STORESVC_STREAM_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/store.pb.h"

namespace jsengine::storesvc {

inline constexpr int kMaxDescriptionLen = 4 * 1024;  // JSMaxDescriptionLen.
inline constexpr size_t kMaxMetadataLen = 128 * 1024;  // JSMaxMetadataLen (2.10).
inline constexpr int kMaxReplicas = 5;               // StreamMaxReplicas.
inline constexpr int64_t kDefaultDuplicateWindowNs = 120'000'000'000;  // 2 minutes.
inline constexpr int64_t kMinWindowNs = 100'000'000;  // 100ms, for max_age and duplicates.

// The configuration to create a stream with: `in` validated, defaults set.
absl::StatusOr<v1::StreamConfig> CheckStreamConfig(const v1::StreamConfig& in);

// A mirror's and sources' settings, as checkStreamCfg checks them alone
// (what needs the other streams, Store checks). External streams are
// refused: this server follows local streams only.
absl::Status CheckSources(const v1::StreamConfig& cfg);

// nats-server's index name of a source, "<name> <filters> <destinations>"
// (several joined by '\f'): what tells two sources apart, and the tail of
// its Nats-Stream-Source header.
std::string SourceIndexName(const v1::StreamSource& src);

// The configuration `old` becomes when updated to `in`.
absl::StatusOr<v1::StreamConfig> CheckStreamUpdate(const v1::StreamConfig& old,
                                                   const v1::StreamConfig& in);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STREAM_CONFIG_H_
