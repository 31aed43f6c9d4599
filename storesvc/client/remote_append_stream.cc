#include "storesvc/client/remote_append_stream.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/callback_burst.h"
#include "common/grpc/grpc_status.h"
#include "common/status.h"
#include "glog/logging.h"

namespace jsengine::storesvc::client {

std::shared_ptr<RemoteAppendStream> RemoteAppendStream::Open(v1::StoreService::Stub* stub,
                                                             common::grpc::CompletionPump* pump) {
  std::shared_ptr<RemoteAppendStream> stream(new RemoteAppendStream(pump));
  if (!stream->Start([stub](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncAppend(context, cq);
      })) {
    return nullptr;
  }
  return stream;
}

bool RemoteAppendStream::Append(v1::AppendBatch& batch, StoreClient::AppendCallback& done) {
  return Write(batch, [&] {
    absl::MutexLock lock(&mu_);
    if (waiting_.empty()) pump()->AwaitReplies(1);
    waiting_.push_back({batch.requests_size(), std::move(done)});
  });
}

void RemoteAppendStream::OnMessage(v1::AppendResultBatch& results) {
  std::vector<std::pair<StoreClient::AppendCallback, v1::AppendResultBatch>> calls;
  bool more_expected;
  {
    absl::MutexLock lock(&mu_);
    for (v1::AppendResult& result : *results.mutable_results()) {
      ready_.push_back(std::move(result));
    }
    while (!waiting_.empty() && ready_.size() >= static_cast<size_t>(waiting_.front().count)) {
      v1::AppendResultBatch batch;
      for (int i = 0; i < waiting_.front().count; ++i) {
        *batch.add_results() = std::move(ready_.front());
        ready_.pop_front();
      }
      calls.emplace_back(std::move(waiting_.front().done), std::move(batch));
      waiting_.pop_front();
    }
    more_expected = !waiting_.empty();
    if (!calls.empty() && !more_expected) pump()->AwaitReplies(-1);
  }
  common::CallbackBurst burst(more_expected);
  for (auto& [done, batch] : calls) done(std::move(batch));
}

void RemoteAppendStream::OnEnd(const grpc::Status& status) {
  std::deque<Waiter> failed;
  {
    absl::MutexLock lock(&mu_);
    if (!waiting_.empty()) pump()->AwaitReplies(-1);
    failed.swap(waiting_);
  }
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    LOG(WARNING) << "store Append stream ended: " << status.error_message();
  }
  const absl::Status cause = status.ok() ? absl::UnavailableError("store Append stream closed")
                                         : common::grpc::FromGrpcStatus(status);
  const v1::ErrorDetail error = common::ToErrorDetail(
      absl::UnavailableError(absl::StrCat("store unavailable: ", cause.message())));
  for (Waiter& waiter : failed) {
    v1::AppendResultBatch batch;
    for (int i = 0; i < waiter.count; ++i) *batch.add_results()->mutable_error() = error;
    waiter.done(std::move(batch));
  }
}

}  // namespace jsengine::storesvc::client
