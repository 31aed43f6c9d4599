#include "gateway/jetstream/stream_list.h"

namespace jsengine::gateway::jetstream {
namespace {

constexpr int kMaxPages = 10000;

}  // namespace

absl::StatusOr<std::vector<v1::StreamInfo>> ListAllStreams(storesvc::client::StoreClient* store) {
  std::vector<v1::StreamInfo> streams;
  v1::ListStreamsRequest request;
  for (int page = 0; page < kMaxPages; ++page) {
    absl::StatusOr<v1::ListStreamsResponse> list = store->ListStreams(request);
    if (!list.ok()) return list.status();
    for (const v1::StreamInfo& info : list->streams()) streams.push_back(info);
    request.set_offset(request.offset() + list->streams_size());
    if (list->streams_size() == 0 || request.offset() >= list->total()) break;
  }
  return streams;
}

}  // namespace jsengine::gateway::jetstream
