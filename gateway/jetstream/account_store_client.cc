#include "gateway/jetstream/account_store_client.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/status.h"

namespace jsengine::gateway::jetstream {
namespace {

using common::JsError;
using common::JsErrorId;

// Bounds the store pages read to list an account's streams.
constexpr int kMaxPages = 10000;

// nats-server's fileStoreMsgSize and memStoreMsgSize.
int64_t MsgSize(v1::StorageType storage, const v1::AppendRequest& r) {
  const int64_t subject = r.subject().size(), hdr = r.headers().size(), data = r.data().size();
  if (storage == v1::STORAGE_MEMORY) return subject + hdr + data + 16;
  return 22 + subject + data + 8 + (hdr > 0 ? 4 + hdr : 0);
}

// The index of a storage in AccountStoreClient's usage arrays.
int Kind(v1::StorageType storage) { return storage == v1::STORAGE_MEMORY ? 0 : 1; }

template <typename Response>
void SetPage(const v1::ListStreamsRequest& request, int total, Response* response) {
  response->set_total(total);
  response->set_offset(std::max(request.offset(), 0));
  response->set_limit(request.limit());
}

}  // namespace

AccountStoreClient::AccountStoreClient(storesvc::client::StoreClient* next, JsAccountScope scope,
                                       std::shared_ptr<AccountLimits> limits)
    : next_(next), scope_(std::move(scope)), limits_(std::move(limits)) {}

v1::StreamConfig AccountStoreClient::ToStore(v1::StreamConfig config) const {
  // The store's default subject is the stream's name: the user's, not the
  // qualified one.
  if (config.subjects().empty() && !config.has_mirror() && config.sources().empty()) {
    config.add_subjects(config.name());
  }
  config.set_name(scope_.Stream(config.name()));
  config.set_account(scope_.account());
  if (config.has_mirror() && !config.mirror().name().empty()) {
    config.mutable_mirror()->set_name(scope_.Stream(config.mirror().name()));
  }
  for (v1::StreamSource& source : *config.mutable_sources()) {
    source.set_name(scope_.Stream(source.name()));
  }
  return config;
}

void AccountStoreClient::FromStore(v1::StreamConfig* config) const {
  config->set_name(scope_.UserStream(config->name()).value_or(config->name()));
  config->clear_account();
  if (config->has_mirror()) {
    config->mutable_mirror()->set_name(
        scope_.UserStream(config->mirror().name()).value_or(config->mirror().name()));
  }
  for (v1::StreamSource& source : *config->mutable_sources()) {
    source.set_name(scope_.UserStream(source.name()).value_or(source.name()));
  }
}

void AccountStoreClient::FromStore(v1::StreamInfo* info) const {
  FromStore(info->mutable_config());
  if (info->has_mirror()) {
    info->mutable_mirror()->set_name(
        scope_.UserStream(info->mirror().name()).value_or(info->mirror().name()));
  }
  for (v1::StreamSourceInfo& source : *info->mutable_sources()) {
    source.set_name(scope_.UserStream(source.name()).value_or(source.name()));
  }
}

absl::StatusOr<std::vector<v1::StreamInfo>> AccountStoreClient::AccountStreams(
    const std::string& subject) {
  std::vector<v1::StreamInfo> streams;
  v1::ListStreamsRequest request;
  request.set_subject(subject);
  for (int page = 0; page < kMaxPages; ++page) {
    absl::StatusOr<v1::ListStreamsResponse> list = next_->ListStreams(request);
    if (!list.ok()) return list.status();
    for (v1::StreamInfo& info : *list->mutable_streams()) {
      if (info.config().account() != scope_.account() ||
          !scope_.UserStream(info.config().name()).has_value()) {
        continue;
      }
      FromStore(&info);
      streams.push_back(std::move(info));
    }
    request.set_offset(request.offset() + list->streams_size());
    if (list->streams_size() == 0 || request.offset() >= list->total()) break;
  }
  if (subject.empty()) Learn(streams);
  return streams;
}

void AccountStoreClient::Learn(const std::vector<v1::StreamInfo>& streams) {
  absl::MutexLock lock(&mu_);
  storage_.clear();
  used_[0] = in_flight_[0];
  used_[1] = in_flight_[1];
  for (const v1::StreamInfo& info : streams) {
    storage_[info.config().name()] = info.config().storage();
    used_[Kind(info.config().storage())] += info.state().bytes();
  }
}

bool AccountStoreClient::Reserve(v1::StorageType storage, int64_t size, bool reread) {
  const bool memory = storage == v1::STORAGE_MEMORY;
  const core::JetStreamLimits limits = LimitsOf(limits_);
  const int64_t limit = memory ? limits.max_memory : limits.max_storage;
  if (limit < 0) return true;
  if (reread && !AccountStreams("").ok()) return false;
  absl::MutexLock lock(&mu_);
  if (used_[Kind(storage)] + size > limit) return false;
  used_[Kind(storage)] += size;
  in_flight_[Kind(storage)] += size;
  return true;
}

absl::Status AccountStoreClient::CheckLimits(const v1::StreamConfig& config, bool create) {
  const core::JetStreamLimits l = LimitsOf(limits_);
  JSE_ASSIGN_OR_RETURN(std::vector<v1::StreamInfo> streams, AccountStreams(""));
  int64_t others = 0;
  int64_t reserved = 0;
  for (const v1::StreamInfo& info : streams) {
    const v1::StreamConfig& c = info.config();
    if (c.name() == config.name()) continue;
    ++others;
    if (c.storage() == config.storage() && c.max_bytes() > 0) reserved += c.max_bytes();
  }
  if (create && l.max_streams > 0 && others >= l.max_streams) {
    return JsError(JsErrorId::kMaximumStreamsLimit);
  }
  if (config.max_consumers() > 0 && l.max_consumers > 0 &&
      config.max_consumers() > l.max_consumers) {
    return JsError(JsErrorId::kMaximumConsumersLimit);
  }
  // As nats-server once the config has its defaults: a stream without
  // max_bytes takes 1 byte of the account's reservation.
  const int64_t wanted = config.max_bytes() > 0 ? config.max_bytes() : 1;
  const bool memory = config.storage() == v1::STORAGE_MEMORY;
  const int64_t limit = memory ? l.max_memory : l.max_storage;
  if (limit >= 0 && (reserved > limit || wanted > limit - reserved)) {
    return JsError(memory ? JsErrorId::kMemoryResourcesExceeded
                          : JsErrorId::kStorageResourcesExceeded);
  }
  if (l.max_bytes_required && config.max_bytes() <= 0) {
    return JsError(JsErrorId::kStreamMaxBytesRequired);
  }
  const int64_t max_stream_bytes = memory ? l.memory_max_stream_bytes : l.storage_max_stream_bytes;
  if (max_stream_bytes > 0 && config.max_bytes() > max_stream_bytes) {
    return JsError(JsErrorId::kStreamMaxStreamBytesExceeded);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::StreamInfo> AccountStoreClient::CreateStream(
    const v1::CreateStreamRequest& request) {
  JSE_RETURN_IF_ERROR(CheckLimits(request.config(), /*create=*/true));
  v1::CreateStreamRequest qualified = request;
  *qualified.mutable_config() = ToStore(request.config());
  JSE_ASSIGN_OR_RETURN(v1::StreamInfo info, next_->CreateStream(qualified));
  FromStore(&info);
  absl::MutexLock lock(&mu_);
  storage_[info.config().name()] = info.config().storage();
  return info;
}

absl::StatusOr<v1::StreamInfo> AccountStoreClient::UpdateStream(
    const v1::UpdateStreamRequest& request) {
  JSE_RETURN_IF_ERROR(CheckLimits(request.config(), /*create=*/false));
  v1::UpdateStreamRequest qualified = request;
  *qualified.mutable_config() = ToStore(request.config());
  JSE_ASSIGN_OR_RETURN(v1::StreamInfo info, next_->UpdateStream(qualified));
  FromStore(&info);
  return info;
}

absl::Status AccountStoreClient::DeleteStream(const v1::DeleteStreamRequest& request) {
  v1::DeleteStreamRequest qualified = request;
  qualified.set_name(scope_.Stream(request.name()));
  return next_->DeleteStream(qualified);
}

absl::StatusOr<v1::StreamInfo> AccountStoreClient::GetStreamInfo(
    const v1::StreamInfoRequest& request) {
  v1::StreamInfoRequest qualified = request;
  qualified.set_name(scope_.Stream(request.name()));
  JSE_ASSIGN_OR_RETURN(v1::StreamInfo info, next_->GetStreamInfo(qualified));
  FromStore(&info);
  return info;
}

absl::StatusOr<v1::ListStreamsResponse> AccountStoreClient::ListStreams(
    const v1::ListStreamsRequest& request) {
  JSE_ASSIGN_OR_RETURN(std::vector<v1::StreamInfo> streams, AccountStreams(request.subject()));
  v1::ListStreamsResponse response;
  SetPage(request, static_cast<int>(streams.size()), &response);
  const size_t from = std::min<size_t>(std::max(request.offset(), 0), streams.size());
  const size_t to =
      request.limit() > 0 ? std::min(streams.size(), from + request.limit()) : streams.size();
  for (size_t i = from; i < to; ++i) *response.add_streams() = std::move(streams[i]);
  return response;
}

absl::StatusOr<v1::StreamNamesResponse> AccountStoreClient::StreamNames(
    const v1::ListStreamsRequest& request) {
  JSE_ASSIGN_OR_RETURN(std::vector<v1::StreamInfo> streams, AccountStreams(request.subject()));
  v1::StreamNamesResponse response;
  SetPage(request, static_cast<int>(streams.size()), &response);
  const size_t from = std::min<size_t>(std::max(request.offset(), 0), streams.size());
  const size_t to =
      request.limit() > 0 ? std::min(streams.size(), from + request.limit()) : streams.size();
  for (size_t i = from; i < to; ++i) response.add_names(streams[i].config().name());
  return response;
}

absl::StatusOr<v1::PurgeStreamResponse> AccountStoreClient::PurgeStream(
    const v1::PurgeStreamRequest& request) {
  v1::PurgeStreamRequest qualified = request;
  qualified.set_name(scope_.Stream(request.name()));
  return next_->PurgeStream(qualified);
}

absl::StatusOr<v1::StoredMessage> AccountStoreClient::GetMessage(
    const v1::GetMessageRequest& request) {
  v1::GetMessageRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->GetMessage(qualified);
}

absl::Status AccountStoreClient::DeleteMessage(const v1::DeleteMessageRequest& request) {
  v1::DeleteMessageRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->DeleteMessage(qualified);
}

absl::StatusOr<v1::FilteredStateResponse> AccountStoreClient::FilteredState(
    const v1::FilteredStateRequest& request) {
  v1::FilteredStateRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->FilteredState(qualified);
}

absl::StatusOr<v1::SetConsumerFiltersResponse> AccountStoreClient::SetConsumerFilters(
    const v1::SetConsumerFiltersRequest& request) {
  v1::SetConsumerFiltersRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->SetConsumerFilters(qualified);
}

void AccountStoreClient::Append(v1::AppendBatch batch, AppendCallback done) {
  // Index in the batch -> the result of a publish refused here.
  std::vector<std::pair<int, v1::AppendResult>> refused;
  // Bytes reserved by storage kind, done once the store answers.
  int64_t reserved[2] = {0, 0};
  const core::JetStreamLimits limits = LimitsOf(limits_);
  if (limits.max_memory >= 0 || limits.max_storage >= 0) {
    v1::AppendBatch accepted;
    for (int i = 0; i < batch.requests_size(); ++i) {
      v1::AppendRequest& request = *batch.mutable_requests(i);
      std::optional<v1::StorageType> storage;
      {
        absl::MutexLock lock(&mu_);
        auto it = storage_.find(request.stream());
        if (it != storage_.end()) storage = it->second;
      }
      const int64_t limit = !storage.has_value()             ? -1
                            : *storage == v1::STORAGE_MEMORY ? limits.max_memory
                                                             : limits.max_storage;
      if (limit >= 0) {
        const int64_t size = MsgSize(*storage, request);
        if (!Reserve(*storage, size, false) && !Reserve(*storage, size, true)) {
          v1::AppendResult result;
          result.set_id(request.id());
          result.set_stream(request.stream());
          *result.mutable_error() =
              common::ToErrorDetail(JsError(JsErrorId::kAccountResourcesExceeded));
          refused.emplace_back(i, std::move(result));
          continue;
        }
        reserved[Kind(*storage)] += size;
      }
      *accepted.add_requests() = std::move(request);
    }
    batch = std::move(accepted);
  }
  if (batch.requests().empty()) {
    v1::AppendResultBatch results;
    for (auto& [index, result] : refused) *results.add_results() = std::move(result);
    done(std::move(results));
    return;
  }
  for (v1::AppendRequest& request : *batch.mutable_requests()) {
    request.set_stream(scope_.Stream(request.stream()));
  }
  next_->Append(std::move(batch),
                [this, refused = std::move(refused), memory = reserved[0], file = reserved[1],
                 done = std::move(done)](v1::AppendResultBatch results) mutable {
                  if (memory != 0 || file != 0) {
                    absl::MutexLock lock(&mu_);
                    in_flight_[0] -= memory;
                    in_flight_[1] -= file;
                  }
                  for (v1::AppendResult& result : *results.mutable_results()) {
                    result.set_stream(scope_.UserStream(result.stream()).value_or(result.stream()));
                  }
                  if (!refused.empty()) {
                    v1::AppendResultBatch merged;
                    int next = 0;
                    for (auto& [index, result] : refused) {
                      while (merged.results_size() < index && next < results.results_size()) {
                        *merged.add_results() = std::move(*results.mutable_results(next++));
                      }
                      *merged.add_results() = std::move(result);
                    }
                    while (next < results.results_size()) {
                      *merged.add_results() = std::move(*results.mutable_results(next++));
                    }
                    results = std::move(merged);
                  }
                  done(std::move(results));
                });
}

void AccountStoreClient::RemoveMessages(v1::RemoveMessagesRequest request, RemoveCallback done) {
  request.set_stream(scope_.Stream(request.stream()));
  next_->RemoveMessages(std::move(request), std::move(done));
}

std::unique_ptr<storesvc::client::Subscription> AccountStoreClient::Read(
    const v1::ReadRequest& request, BatchCallback on_batch, DoneCallback done) {
  v1::ReadRequest qualified = request;
  qualified.set_stream(scope_.Stream(request.stream()));
  return next_->Read(qualified, std::move(on_batch), std::move(done));
}

std::unique_ptr<storesvc::client::Subscription> AccountStoreClient::WatchStreams(
    EventCallback on_event) {
  return next_->WatchStreams([this, on_event = std::move(on_event)](const v1::StreamEvent& event) {
    if (event.kind() == v1::StreamEvent::SNAPSHOT_DONE) {
      on_event(event);
      return;
    }
    std::optional<std::string> name = scope_.UserStream(event.name());
    if (!name.has_value()) return;
    if (event.has_config() && event.config().account() != scope_.account()) return;
    v1::StreamEvent mine = event;
    mine.set_name(*name);
    if (mine.has_config()) FromStore(mine.mutable_config());
    {
      absl::MutexLock lock(&mu_);
      if (event.kind() == v1::StreamEvent::DELETED) {
        storage_.erase(*name);
      } else if (mine.has_config()) {
        storage_[*name] = mine.config().storage();
      }
    }
    on_event(mine);
  });
}

}  // namespace jsengine::gateway::jetstream
