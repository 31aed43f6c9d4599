#include "storesvc/read_cursor.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/synchronization/notification.h"
#include "common/status.h"

namespace jsengine::storesvc {

ReadCursor::ReadCursor(std::shared_ptr<Stream> stream, const v1::ReadRequest& request)
    : stream_(std::move(stream)),
      request_(request),
      batch_size_(request.max_batch() > 0 ? request.max_batch() : kDefaultBatch),
      next_(request.start_seq()),
      remaining_(request.max_messages() > 0 ? request.max_messages()
                                            : std::numeric_limits<uint64_t>::max()) {
  if (next_ == 0 && request.start_time_ns() > 0)
    next_ = stream_->SeqForTime(request.start_time_ns());
}

absl::StatusOr<v1::MessageBatch> ReadCursor::Next() {
  uint64_t last_seq = 0;
  JSE_ASSIGN_OR_RETURN(
      std::vector<v1::StoredMessage> msgs,
      stream_->Read(&next_, request_.filter_subject(),
                    static_cast<size_t>(std::min<uint64_t>(batch_size_, remaining_)), &last_seq));
  v1::MessageBatch batch;
  batch.set_stream_last_seq(last_seq);
  for (v1::StoredMessage& m : msgs) *batch.add_messages() = std::move(m);
  remaining_ -= msgs.size();
  if (remaining_ == 0 || (msgs.empty() && !request_.tail())) done_ = true;
  return batch;
}

void ReadCursor::WaitForAppend(absl::Duration timeout) {
  auto ready = std::make_shared<absl::Notification>();
  uint64_t token = stream_->appends().WaitAsync(next_, [ready] { ready->Notify(); });
  ready->WaitForNotificationWithTimeout(timeout);
  if (token != 0) stream_->appends().Cancel(token);
}

}  // namespace jsengine::storesvc
