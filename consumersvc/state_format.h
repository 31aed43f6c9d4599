// On-disk format of durable consumer state (docs/STORAGE_FORMAT.md,
// "Consumer state"). All integers are little-endian.
//
//   <data_dir>/consumers.lock                          flock()ed by the open ConsumerStateStore
//   <data_dir>/consumers/<stream>/<consumer>/meta.pb   configuration, a framed file
//   <data_dir>/consumers/<stream>/<consumer>/state.snap  state snapshot, a framed file
//   <data_dir>/consumers/<stream>/NNNNNNNNNN.journal   the stream's journal, generation N
//   <data_dir>/quarantine/consumers/<stream>/...       what recovery could not read
//
// Stream and consumer names hold no '.', so every name with one is the
// store's: NNNNNNNNNN.journal; .new/<consumer> in a stream's directory (a
// consumer being created, renamed into place once complete); .trash/ in a
// stream's directory and in consumers/ (consumers and streams being removed,
// renamed there first); *.tmp (a file being replaced). Open removes the last
// three.
//
// meta.pb: common/framed_file.h with kMetaMagic, payload a v1::ConsumerInfo
// with only stream_name, name, config and created_ns set.
//
// state.snap: common/framed_file.h with kSnapshotMagic, payload
//   consumer_id(8) generation(8) state
// consumer_id is chosen at random when the consumer is created and tags its
// journal records; generation says which journals the snapshot includes:
// every record of this consumer in journals up to and including it.
//
// state (also the body of a kState record):
//   delivered.consumer_seq(8) delivered.stream_seq(8)
//   ack_floor.consumer_seq(8) ack_floor.stream_seq(8)
//   pending_count(8), per entry by rising stream_seq:
//     stream_seq(8) consumer_seq(8) delivered_ns(8)
//   redelivered_count(8), per entry by rising stream_seq:
//     stream_seq(8) count(8)
//
// A journal is a run of checksummed records (common/checksummed_record.h),
// the first a kJournalHeader; every consumer of the stream appends to it:
//   kJournalHeader  magic(8) version(4) generation(8), generation = N of the name
//   kDelivered      consumer_id(8) consumer_seq(8) stream_seq(8)
//                   delivery_count(8) delivered_ns(8)
//   kAck            consumer_id(8) stream_seq(8) ack_floor.consumer_seq(8)
//                   ack_floor.stream_seq(8)
//   kState          consumer_id(8) state
// journal_record.h says how each record changes a ConsumerState.
#ifndef JSENGINE_CONSUMERSVC_STATE_FORMAT_H_
#define JSENGINE_CONSUMERSVC_STATE_FORMAT_H_

#include <cstddef>
#include <cstdint>

#include "common/checksummed_record.h"

namespace jsengine::consumersvc::state_format {

inline constexpr char kLockFile[] = "consumers.lock";
inline constexpr char kConsumersDir[] = "consumers";
inline constexpr char kQuarantineDir[] = "quarantine/consumers";
inline constexpr char kMetaFile[] = "meta.pb";
inline constexpr char kSnapshotFile[] = "state.snap";
inline constexpr char kJournalSuffix[] = ".journal";
inline constexpr char kNewDir[] = ".new";
inline constexpr char kTrashDir[] = ".trash";
inline constexpr char kTmpSuffix[] = ".tmp";
inline constexpr int kJournalNameDigits = 10;

inline constexpr uint64_t kMetaMagic = 0x316174656d63736aull;  // "jscmeta1"
inline constexpr uint32_t kMetaVersion = 1;
inline constexpr uint64_t kSnapshotMagic = 0x3170616e7363736aull;  // "jscsnap1"
inline constexpr uint32_t kSnapshotVersion = 1;
inline constexpr uint64_t kJournalMagic = 0x316c6e726a63736aull;  // "jscjrnl1"
inline constexpr uint32_t kJournalVersion = 1;

enum RecordType : uint8_t {
  kJournalHeader = 1,
  kDelivered = 2,
  kAck = 3,
  kState = 4,
};

inline constexpr size_t kJournalHeaderBodySize = 20;
inline constexpr size_t kJournalHeaderSize = common::kRecordHeaderSize + kJournalHeaderBodySize;
inline constexpr size_t kDeliveredBodySize = 40;
inline constexpr size_t kAckBodySize = 32;
inline constexpr size_t kConsumerIdSize = 8;
inline constexpr size_t kSnapshotPrefixSize = 16;  // consumer_id, generation.
inline constexpr size_t kStateFixedSize = 48;      // Both pairs and both counts.
inline constexpr size_t kPendingEntrySize = 24;
inline constexpr size_t kRedeliveredEntrySize = 16;
// Record bodies above this are treated as corruption.
inline constexpr uint32_t kMaxRecordBody = 256u << 20;

}  // namespace jsengine::consumersvc::state_format

#endif  // JSENGINE_CONSUMERSVC_STATE_FORMAT_H_
