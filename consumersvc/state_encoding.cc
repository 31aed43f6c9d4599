#include "consumersvc/state_encoding.h"

#include "absl/strings/str_cat.h"
#include "common/coding.h"
#include "common/framed_file.h"
#include "common/status.h"
#include "consumersvc/state_format.h"

namespace jsengine::consumersvc {

using common::Fixed64;
using common::PutFixed64;
using namespace state_format;  // NOLINT: the format's names read best bare here.

namespace {

void PutPair(std::string* out, const SequencePair& pair) {
  PutFixed64(out, pair.consumer_seq);
  PutFixed64(out, pair.stream_seq);
}

SequencePair GetPair(const char* p) { return {Fixed64(p), Fixed64(p + 8)}; }

// How many entries of `entry_size` bytes follow a count at `*p`, if they fit
// in what is left of [*p, end).
absl::StatusOr<uint64_t> Count(const char** p, const char* end, size_t entry_size,
                               absl::string_view what) {
  if (end - *p < 8) return absl::DataLossError(absl::StrCat("no ", what, " count"));
  const uint64_t n = Fixed64(*p);
  *p += 8;
  if (n > static_cast<uint64_t>(end - *p) / entry_size) {
    return absl::DataLossError(absl::StrCat(what, " count ", n, " exceeds the bytes left"));
  }
  return n;
}

}  // namespace

void EncodeState(const ConsumerState& state, std::string* out) {
  out->reserve(out->size() + kStateFixedSize + state.pending.size() * kPendingEntrySize +
               state.redelivered.size() * kRedeliveredEntrySize);
  PutPair(out, state.delivered);
  PutPair(out, state.ack_floor);
  PutFixed64(out, state.pending.size());
  for (const auto& [stream_seq, p] : state.pending) {
    PutFixed64(out, stream_seq);
    PutFixed64(out, p.consumer_seq);
    PutFixed64(out, static_cast<uint64_t>(p.delivered_ns));
  }
  PutFixed64(out, state.redelivered.size());
  for (const auto& [stream_seq, count] : state.redelivered) {
    PutFixed64(out, stream_seq);
    PutFixed64(out, count);
  }
}

absl::StatusOr<ConsumerState> DecodeState(absl::string_view bytes) {
  if (bytes.size() < kStateFixedSize) return absl::DataLossError("state too short");
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  ConsumerState state;
  state.delivered = GetPair(p);
  state.ack_floor = GetPair(p + 16);
  p += 32;
  JSE_ASSIGN_OR_RETURN(const uint64_t pending, Count(&p, end, kPendingEntrySize, "pending"));
  for (uint64_t i = 0; i < pending; ++i, p += kPendingEntrySize) {
    const uint64_t seq = Fixed64(p);
    if (!state.pending.empty() && seq <= state.pending.rbegin()->first) {
      return absl::DataLossError(absl::StrCat("pending stream sequence ", seq, " out of order"));
    }
    state.pending.emplace_hint(state.pending.end(), seq,
                               PendingAck{Fixed64(p + 8), static_cast<int64_t>(Fixed64(p + 16))});
  }
  JSE_ASSIGN_OR_RETURN(const uint64_t redelivered,
                       Count(&p, end, kRedeliveredEntrySize, "redelivered"));
  for (uint64_t i = 0; i < redelivered; ++i, p += kRedeliveredEntrySize) {
    const uint64_t seq = Fixed64(p);
    if (!state.redelivered.empty() && seq <= state.redelivered.rbegin()->first) {
      return absl::DataLossError(
          absl::StrCat("redelivered stream sequence ", seq, " out of order"));
    }
    state.redelivered.emplace_hint(state.redelivered.end(), seq, Fixed64(p + 8));
  }
  if (p != end) return absl::DataLossError(absl::StrCat(end - p, " bytes after the state"));
  return state;
}

std::string EncodeSnapshot(const StateSnapshot& snapshot) {
  std::string payload;
  PutFixed64(&payload, snapshot.consumer_id);
  PutFixed64(&payload, snapshot.generation);
  EncodeState(snapshot.state, &payload);
  return common::EncodeFrame(kSnapshotMagic, kSnapshotVersion, payload);
}

absl::StatusOr<StateSnapshot> DecodeSnapshot(absl::string_view file) {
  JSE_ASSIGN_OR_RETURN(const absl::string_view payload,
                       common::DecodeFrame(file, kSnapshotMagic, kSnapshotVersion));
  if (payload.size() < kSnapshotPrefixSize) return absl::DataLossError("snapshot too short");
  StateSnapshot snapshot;
  snapshot.consumer_id = Fixed64(payload.data());
  snapshot.generation = Fixed64(payload.data() + 8);
  JSE_ASSIGN_OR_RETURN(snapshot.state, DecodeState(payload.substr(kSnapshotPrefixSize)));
  return snapshot;
}

std::string EncodeConsumerMeta(const v1::ConsumerInfo& info) {
  v1::ConsumerInfo meta;
  meta.set_stream_name(info.stream_name());
  meta.set_name(info.name());
  *meta.mutable_config() = info.config();
  meta.set_created_ns(info.created_ns());
  return common::EncodeFrame(kMetaMagic, kMetaVersion, meta.SerializeAsString());
}

absl::StatusOr<v1::ConsumerInfo> DecodeConsumerMeta(absl::string_view file,
                                                    absl::string_view stream,
                                                    absl::string_view name) {
  JSE_ASSIGN_OR_RETURN(const absl::string_view payload,
                       common::DecodeFrame(file, kMetaMagic, kMetaVersion));
  v1::ConsumerInfo info;
  if (!info.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError("not a ConsumerInfo");
  }
  if (info.stream_name() != stream || info.name() != name) {
    return absl::DataLossError(absl::StrCat("names consumer \"", info.name(), "\" of stream \"",
                                            info.stream_name(), "\""));
  }
  return info;
}

}  // namespace jsengine::consumersvc
