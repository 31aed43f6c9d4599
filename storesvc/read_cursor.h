// ReadCursor: where one read of a stream stands (the next sequence, or the
// position in the request's list of sequences; the subject filters; how
// many messages are still wanted) and the batches it takes from the stream,
// without waiting: a caught-up tail gets an empty batch and waits on the
// stream's AppendNotifier (or, on its own thread, via WaitForAppend()).
//
//   ReadCursor cursor(stream, request);
//   while (!cursor.done()) {
//     JSE_ASSIGN_OR_RETURN(v1::MessageBatch batch, cursor.Next());
//     if (batch.messages().empty() && !cursor.moved_only()) {
//       ...wait for next_seq()...;
//       continue;
//     }
//     ...
//   }
//
// Thread-safety: not thread-safe; one reader at a time.
#ifndef JSENGINE_STORESVC_READ_CURSOR_H_
#define JSENGINE_STORESVC_READ_CURSOR_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/store.pb.h"
#include "storesvc/stream.h"
#include "storesvc/subject_filters.h"

namespace jsengine::storesvc {

class ReadCursor {
 public:
  // Messages per batch when the request does not say.
  static constexpr uint32_t kDefaultBatch = 256;

  ReadCursor(std::shared_ptr<Stream> stream, const v1::ReadRequest& request);

  // Up to max_batch stored messages from next_seq() on (or from the
  // request's seqs) that match the filters; empty when there are none yet
  // (a read of seqs: only once done). "stream not found" once the stream is
  // closed (deleted, or the store closing).
  absl::StatusOr<v1::MessageBatch> Next();

  // No more batches are wanted: max_messages were read, every one of the
  // request's seqs was looked at, or a read that is not a tail caught up.
  bool done() const { return done_; }
  uint64_t next_seq() const { return next_; }
  bool tail() const { return request_.tail() && request_.seqs().empty(); }
  // Whether the last batch of a tail, though empty, tells that the stream
  // moved since the batch before: its stream_first_seq rose (max_age removed
  // messages) or its stream_last_seq did (sequences taken by messages an
  // interest stream did not keep). The reader hands such a batch over.
  bool moved_only() const { return moved_only_; }
  Stream& stream() { return *stream_; }

  // Blocks until a message at next_seq() may exist, the stream closes or
  // `timeout` passes.
  void WaitForAppend(absl::Duration timeout);

 private:
  const std::shared_ptr<Stream> stream_;
  const v1::ReadRequest request_;
  const SubjectFilters filters_;
  const uint32_t batch_size_;
  uint64_t next_;
  size_t seqs_pos_ = 0;  // The next of request_.seqs() to read.
  uint64_t remaining_;
  bool done_ = false;
  bool moved_only_ = false;
  // The highest stream_first_seq and stream_last_seq returned.
  uint64_t first_seq_seen_ = 0;
  uint64_t last_seq_seen_ = 0;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_READ_CURSOR_H_
