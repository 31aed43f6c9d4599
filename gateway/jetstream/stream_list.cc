#include "gateway/jetstream/stream_list.h"

namespace jsengine::gateway::jetstream {
namespace {

constexpr int kMaxPages = 10000;

// Calls `list` with rising offsets until it has returned `total` items.
template <typename Item, typename Request, typename ListFn, typename ItemsFn>
absl::StatusOr<std::vector<Item>> ListAllPages(Request request, ListFn list, ItemsFn items) {
  std::vector<Item> all;
  for (int page = 0; page < kMaxPages; ++page) {
    auto response = list(request);
    if (!response.ok()) return response.status();
    const auto& page_items = items(*response);
    all.insert(all.end(), page_items.begin(), page_items.end());
    request.set_offset(request.offset() + page_items.size());
    if (page_items.empty() || request.offset() >= response->total()) break;
  }
  return all;
}

}  // namespace

absl::StatusOr<std::vector<v1::StreamInfo>> ListAllStreams(storesvc::client::StoreClient* store) {
  return ListAllPages<v1::StreamInfo>(
      v1::ListStreamsRequest(), [store](const auto& r) { return store->ListStreams(r); },
      [](const v1::ListStreamsResponse& r) -> const auto& { return r.streams(); });
}

absl::StatusOr<std::vector<v1::ConsumerInfo>> ListAllConsumers(
    consumersvc::client::ConsumerClient* consumers, const std::string& stream) {
  v1::ListConsumersRequest request;
  request.set_stream(stream);
  return ListAllPages<v1::ConsumerInfo>(
      request, [consumers](const auto& r) { return consumers->ListConsumers(r); },
      [](const v1::ListConsumersResponse& r) -> const auto& { return r.consumers(); });
}

}  // namespace jsengine::gateway::jetstream
