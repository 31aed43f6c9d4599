// The records of a stream's consumer journal (state_format.h): encoding,
// reading a journal file (untrusted bytes from disk), and what each record
// does to a ConsumerState.
//
// ApplyRecord is the one definition of the records' meaning; recovery and
// snapshot folding both replay through it:
//
//   kDelivered(dseq, sseq, dc, ts)
//     ack policy none: delivered = ack_floor = (dseq, sseq).
//     Otherwise: if sseq is above delivered.stream_seq or already pending,
//     pending[sseq] = (dseq, ts) and, when dc > 1, redelivered[sseq] = dc - 1
//     (a message acknowledged meanwhile stays acknowledged); then delivered
//     rises to dseq and sseq where they are higher (nats-server's
//     consumerFileStore.UpdateDelivered).
//   kAck(sseq, floor)
//     sseq leaves pending and redelivered; ack_floor = floor, and every
//     pending and redelivered entry at or below floor.stream_seq goes (ack
//     policy all acknowledges a range with one record).
//   kState(state)
//     the state becomes `state` (a purge, or anything else that is not a
//     delivery or an acknowledgement).
//
// Thread-safe: pure functions.
#ifndef JSENGINE_CONSUMERSVC_JOURNAL_RECORD_H_
#define JSENGINE_CONSUMERSVC_JOURNAL_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "consumersvc/consumer_state.h"
#include "consumersvc/state_format.h"
#include "proto/consumer.pb.h"

namespace jsengine::consumersvc {

struct JournalRecord {
  state_format::RecordType type = state_format::kDelivered;  // Never kJournalHeader.
  uint64_t consumer_id = 0;
  uint64_t consumer_seq = 0;    // kDelivered.
  uint64_t stream_seq = 0;      // kDelivered, kAck.
  uint64_t delivery_count = 0;  // kDelivered.
  int64_t delivered_ns = 0;     // kDelivered.
  SequencePair ack_floor;       // kAck.
  ConsumerState state;          // kState.
};

void AppendJournalHeader(std::string* out, uint64_t generation);
void AppendDeliveredRecord(std::string* out, uint64_t consumer_id, uint64_t consumer_seq,
                           uint64_t stream_seq, uint64_t delivery_count, int64_t delivered_ns);
void AppendAckRecord(std::string* out, uint64_t consumer_id, uint64_t stream_seq,
                     SequencePair ack_floor);
void AppendStateRecord(std::string* out, uint64_t consumer_id, const ConsumerState& state);

// Appends `record` as AppendDeliveredRecord and the others would.
void AppendRecord(std::string* out, const JournalRecord& record);

struct JournalRead {
  bool has_header = false;  // The file starts with a valid kJournalHeader.
  uint64_t generation = 0;  // The header's.
  // Bytes of the header and of the records passed to the visitor: the
  // longest valid prefix of the file.
  size_t valid_size = 0;
  // OK when the whole file was read; otherwise DataLoss saying why reading
  // stopped at valid_size: a torn record ("torn record at offset ..."), a
  // checksum mismatch, an impossible length, a malformed body, an unknown
  // type.
  absl::Status damage;
};

// Reads the journal in `file`, passing each record after the header, in
// order, to `visit` until the first that is not valid.
JournalRead ReadJournal(absl::string_view file,
                        absl::FunctionRef<void(const JournalRecord&)> visit);

// Reads a journal given piece by piece exactly as ReadJournal reads it
// whole, so that a journal of many megabytes need not be in memory at once.
//
//   JournalReader reader(visit);
//   while (read(fd, chunk) > 0 && reader.Feed(chunk)) {}
//   JournalRead read = reader.Finish();
//
// Not thread-safe.
class JournalReader {
 public:
  explicit JournalReader(std::function<void(const JournalRecord&)> visit)
      : visit_(std::move(visit)) {}

  // Reads the records `bytes` completes; false once reading stopped at
  // damage (what follows is not read).
  bool Feed(absl::string_view bytes);
  // What was read; a record (or header) left incomplete is torn.
  JournalRead Finish();

 private:
  // Reads whole records from `bytes`, which start at offset_; returns the
  // bytes used.
  size_t Parse(absl::string_view bytes);

  const std::function<void(const JournalRecord&)> visit_;
  JournalRead read_;
  bool stopped_ = false;
  size_t offset_ = 0;    // Of the next record in the file.
  std::string partial_;  // The next record's first bytes.
};

// What `record` does to `state`, for a consumer with `ack_policy` (above).
void ApplyRecord(const JournalRecord& record, v1::AckPolicy ack_policy, ConsumerState* state);

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_JOURNAL_RECORD_H_
