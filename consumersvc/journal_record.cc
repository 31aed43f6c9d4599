#include "consumersvc/journal_record.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/checksummed_record.h"
#include "common/coding.h"
#include "consumersvc/state_encoding.h"

namespace jsengine::consumersvc {

using common::Fixed32;
using common::Fixed64;
using common::PutFixed32;
using common::PutFixed64;
using namespace state_format;  // NOLINT: the format's names read best bare here.

namespace {

absl::Status Damage(absl::string_view what, size_t offset) {
  return absl::DataLossError(absl::StrCat(what, " at offset ", offset));
}

// The record in `rec` (a valid checksummed record), or why it is malformed.
absl::Status DecodeBody(const common::RecordView& rec, JournalRecord* out) {
  const absl::string_view body = rec.body;
  const char* p = body.data();
  switch (rec.type) {
    case kDelivered:
      if (body.size() != kDeliveredBodySize)
        return absl::DataLossError("malformed delivered record");
      out->type = kDelivered;
      out->consumer_id = Fixed64(p);
      out->consumer_seq = Fixed64(p + 8);
      out->stream_seq = Fixed64(p + 16);
      out->delivery_count = Fixed64(p + 24);
      out->delivered_ns = static_cast<int64_t>(Fixed64(p + 32));
      return absl::OkStatus();
    case kAck:
      if (body.size() != kAckBodySize) return absl::DataLossError("malformed ack record");
      out->type = kAck;
      out->consumer_id = Fixed64(p);
      out->stream_seq = Fixed64(p + 8);
      out->ack_floor = {Fixed64(p + 16), Fixed64(p + 24)};
      return absl::OkStatus();
    case kState: {
      if (body.size() < kConsumerIdSize) return absl::DataLossError("malformed state record");
      out->type = kState;
      out->consumer_id = Fixed64(p);
      absl::StatusOr<ConsumerState> state = DecodeState(body.substr(kConsumerIdSize));
      if (!state.ok()) {
        return absl::DataLossError(
            absl::StrCat("malformed state record: ", state.status().message()));
      }
      out->state = *std::move(state);
      return absl::OkStatus();
    }
    case kJournalHeader:
      return absl::DataLossError("journal header inside the journal");
  }
  return absl::DataLossError(absl::StrCat("unknown record type ", int{rec.type}));
}

void EraseUpTo(uint64_t stream_seq, ConsumerState* state) {
  state->pending.erase(state->pending.begin(), state->pending.upper_bound(stream_seq));
  state->redelivered.erase(state->redelivered.begin(), state->redelivered.upper_bound(stream_seq));
}

}  // namespace

void AppendJournalHeader(std::string* out, uint64_t generation) {
  const size_t start = common::StartRecord(out, kJournalHeader);
  PutFixed64(out, kJournalMagic);
  PutFixed32(out, kJournalVersion);
  PutFixed64(out, generation);
  common::FinishRecord(out, start);
}

void AppendDeliveredRecord(std::string* out, uint64_t consumer_id, uint64_t consumer_seq,
                           uint64_t stream_seq, uint64_t delivery_count, int64_t delivered_ns) {
  const size_t start = common::StartRecord(out, kDelivered);
  PutFixed64(out, consumer_id);
  PutFixed64(out, consumer_seq);
  PutFixed64(out, stream_seq);
  PutFixed64(out, delivery_count);
  PutFixed64(out, static_cast<uint64_t>(delivered_ns));
  common::FinishRecord(out, start);
}

void AppendAckRecord(std::string* out, uint64_t consumer_id, uint64_t stream_seq,
                     SequencePair ack_floor) {
  const size_t start = common::StartRecord(out, kAck);
  PutFixed64(out, consumer_id);
  PutFixed64(out, stream_seq);
  PutFixed64(out, ack_floor.consumer_seq);
  PutFixed64(out, ack_floor.stream_seq);
  common::FinishRecord(out, start);
}

void AppendStateRecord(std::string* out, uint64_t consumer_id, const ConsumerState& state) {
  const size_t start = common::StartRecord(out, kState);
  PutFixed64(out, consumer_id);
  EncodeState(state, out);
  common::FinishRecord(out, start);
}

void AppendRecord(std::string* out, const JournalRecord& r) {
  switch (r.type) {
    case kDelivered:
      AppendDeliveredRecord(out, r.consumer_id, r.consumer_seq, r.stream_seq, r.delivery_count,
                            r.delivered_ns);
      return;
    case kAck:
      AppendAckRecord(out, r.consumer_id, r.stream_seq, r.ack_floor);
      return;
    case kState:
      AppendStateRecord(out, r.consumer_id, r.state);
      return;
    case kJournalHeader:
      return;
  }
}

JournalRead ReadJournal(absl::string_view file,
                        absl::FunctionRef<void(const JournalRecord&)> visit) {
  JournalReader reader(visit);
  reader.Feed(file);
  return reader.Finish();
}

bool JournalReader::Feed(absl::string_view bytes) {
  if (stopped_) return false;
  if (partial_.empty()) {
    const size_t used = Parse(bytes);
    if (!stopped_) partial_.assign(bytes.data() + used, bytes.size() - used);
  } else {
    partial_.append(bytes.data(), bytes.size());
    const size_t used = Parse(partial_);
    partial_.erase(0, used);
  }
  if (stopped_) partial_.clear();
  return !stopped_;
}

size_t JournalReader::Parse(absl::string_view bytes) {
  common::RecordView rec;
  size_t used = 0;
  if (!read_.has_header) {
    const common::RecordStatus header = common::ReadRecord(bytes, kMaxRecordBody, &rec);
    if (header == common::RecordStatus::kShort) return 0;
    if (header != common::RecordStatus::kOk || rec.type != kJournalHeader ||
        rec.body.size() != kJournalHeaderBodySize || Fixed64(rec.body.data()) != kJournalMagic ||
        Fixed32(rec.body.data() + 8) != kJournalVersion) {
      read_.damage = absl::DataLossError("bad journal header");
      stopped_ = true;
      return 0;
    }
    read_.has_header = true;
    read_.generation = Fixed64(rec.body.data() + 12);
    used = rec.size;
    offset_ = rec.size;
    read_.valid_size = offset_;
  }
  JournalRecord record;
  while (used < bytes.size()) {
    absl::Status damage;
    switch (common::ReadRecord(bytes.substr(used), kMaxRecordBody, &rec)) {
      case common::RecordStatus::kOk:
        damage = DecodeBody(rec, &record);
        break;
      case common::RecordStatus::kShort:
        return used;
      case common::RecordStatus::kTooLarge:
        damage = absl::DataLossError(absl::StrCat("impossible record length ", rec.size));
        break;
      case common::RecordStatus::kChecksumMismatch:
        damage = absl::DataLossError("checksum mismatch");
        break;
    }
    if (!damage.ok()) {
      read_.damage = Damage(damage.message(), offset_);
      stopped_ = true;
      return used;
    }
    visit_(record);
    used += rec.size;
    offset_ += rec.size;
    read_.valid_size = offset_;
  }
  return used;
}

JournalRead JournalReader::Finish() {
  if (!stopped_) {
    if (!read_.has_header) {
      read_.damage = absl::DataLossError("torn journal header");
    } else if (!partial_.empty()) {
      common::RecordView rec;
      common::ReadRecord(partial_, kMaxRecordBody, &rec);
      read_.damage = Damage(
          absl::StrCat("torn record (", rec.size, " bytes, ", partial_.size(), " left)"), offset_);
    }
    stopped_ = true;
    partial_.clear();
  }
  return read_;
}

void ApplyRecord(const JournalRecord& r, v1::AckPolicy ack_policy, ConsumerState* state) {
  switch (r.type) {
    case kDelivered: {
      if (ack_policy == v1::ACK_NONE) {
        state->delivered = state->ack_floor = {r.consumer_seq, r.stream_seq};
        return;
      }
      auto it = state->pending.find(r.stream_seq);
      if (r.stream_seq > state->delivered.stream_seq || it != state->pending.end()) {
        state->pending[r.stream_seq] = {r.consumer_seq, r.delivered_ns};
        if (r.delivery_count > 1) state->redelivered[r.stream_seq] = r.delivery_count - 1;
      }
      state->delivered.consumer_seq = std::max(state->delivered.consumer_seq, r.consumer_seq);
      state->delivered.stream_seq = std::max(state->delivered.stream_seq, r.stream_seq);
      return;
    }
    case kAck:
      state->pending.erase(r.stream_seq);
      state->redelivered.erase(r.stream_seq);
      state->ack_floor = r.ack_floor;
      EraseUpTo(r.ack_floor.stream_seq, state);
      return;
    case kState:
      *state = r.state;
      return;
    case kJournalHeader:
      return;
  }
}

}  // namespace jsengine::consumersvc
