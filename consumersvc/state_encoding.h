// Encoding of a consumer's whole files (state_format.h): the ConsumerState
// as bytes, its snapshot (state.snap) and its configuration (meta.pb). The
// state and snapshot encodings are canonical: what decodes encodes back to
// the same bytes.
//
// Decoders read untrusted bytes from disk: they fail with DataLoss saying
// what is wrong, never crash, and allocate no more than the input's size.
//
// Thread-safe: pure functions.
#ifndef JSENGINE_CONSUMERSVC_STATE_ENCODING_H_
#define JSENGINE_CONSUMERSVC_STATE_ENCODING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "consumersvc/consumer_state.h"
#include "proto/consumer.pb.h"

namespace jsengine::consumersvc {

void EncodeState(const ConsumerState& state, std::string* out);

// The state in exactly `bytes`. Pending and redelivered entries must come by
// strictly rising stream sequence.
absl::StatusOr<ConsumerState> DecodeState(absl::string_view bytes);

// A consumer's state.snap.
struct StateSnapshot {
  uint64_t consumer_id = 0;
  // The snapshot includes every record of the consumer in the stream's
  // journals up to this generation.
  uint64_t generation = 0;
  ConsumerState state;
};

std::string EncodeSnapshot(const StateSnapshot& snapshot);
absl::StatusOr<StateSnapshot> DecodeSnapshot(absl::string_view file);

// A consumer's meta.pb: `info`'s stream_name, name, config and created_ns.
std::string EncodeConsumerMeta(const v1::ConsumerInfo& info);

// The configuration in `file`, which must name consumer `name` of `stream`.
absl::StatusOr<v1::ConsumerInfo> DecodeConsumerMeta(absl::string_view file,
                                                    absl::string_view stream,
                                                    absl::string_view name);

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_STATE_ENCODING_H_
