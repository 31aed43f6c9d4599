#include "storesvc/read_cursor.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/status.h"

namespace jsengine::storesvc {
namespace {

SubjectFilters FiltersOf(const v1::ReadRequest& request) {
  std::vector<std::string> filters(request.filter_subjects().begin(),
                                   request.filter_subjects().end());
  if (!request.filter_subject().empty()) filters.push_back(request.filter_subject());
  return SubjectFilters(std::move(filters));
}

}  // namespace

ReadCursor::ReadCursor(std::shared_ptr<Stream> stream, const v1::ReadRequest& request)
    : stream_(std::move(stream)),
      request_(request),
      filters_(FiltersOf(request)),
      batch_size_(request.max_batch() > 0 ? request.max_batch() : kDefaultBatch),
      next_(request.start_seq()),
      remaining_(request.max_messages() > 0 ? request.max_messages()
                                            : std::numeric_limits<uint64_t>::max()) {
  if (next_ == 0 && request.start_time_ns() > 0 && request.seqs().empty())
    next_ = stream_->SeqForTime(request.start_time_ns());
}

absl::StatusOr<v1::MessageBatch> ReadCursor::Next() {
  const size_t max = static_cast<size_t>(std::min<uint64_t>(batch_size_, remaining_));
  const auto& seqs = request_.seqs();
  uint64_t last_seq = 0;
  absl::StatusOr<std::vector<v1::StoredMessage>> msgs =
      seqs.empty() ? stream_->Read(&next_, filters_, max, &last_seq)
                   : stream_->ReadSeqs(absl::MakeConstSpan(seqs.data(), seqs.size()), &seqs_pos_,
                                       filters_, max, &last_seq);
  JSE_RETURN_IF_ERROR(msgs.status());
  v1::MessageBatch batch;
  batch.set_stream_last_seq(last_seq);
  batch.set_stream_first_seq(stream_->FirstSeq());
  if (seqs.empty() && next_ > 0) batch.set_read_through_seq(next_ - 1);
  for (v1::StoredMessage& m : *msgs) *batch.add_messages() = std::move(m);
  moved_only_ =
      msgs->empty() && tail() && first_seq_seen_ != 0 &&
      (batch.stream_first_seq() > first_seq_seen_ || batch.stream_last_seq() > last_seq_seen_);
  first_seq_seen_ = std::max(first_seq_seen_, batch.stream_first_seq());
  last_seq_seen_ = std::max(last_seq_seen_, batch.stream_last_seq());
  remaining_ -= msgs->size();
  if (remaining_ == 0 || (msgs->empty() && !tail()) ||
      (!seqs.empty() && seqs_pos_ == static_cast<size_t>(seqs.size()))) {
    done_ = true;
  }
  return batch;
}

void ReadCursor::WaitForAppend(absl::Duration timeout) {
  auto ready = std::make_shared<absl::Notification>();
  uint64_t token = stream_->appends().WaitAsync(next_, [ready] { ready->Notify(); });
  ready->WaitForNotificationWithTimeout(timeout);
  if (token != 0) stream_->appends().Cancel(token);
}

}  // namespace jsengine::storesvc
