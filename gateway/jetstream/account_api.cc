#include "gateway/jetstream/account_api.h"

#include <utility>

#include "common/go_json_writer.h"

namespace jsengine::gateway::jetstream {
namespace {

// Bounds the pages read to total up the account.
constexpr int kMaxAccountPages = 10000;

}  // namespace

absl::StatusOr<AccountUsage> TotalAccountUsage(storesvc::client::StoreClient* store) {
  AccountUsage usage;
  v1::ListStreamsRequest request;
  for (int page = 0; page < kMaxAccountPages; ++page) {
    absl::StatusOr<v1::ListStreamsResponse> list = store->ListStreams(request);
    if (!list.ok()) return list.status();
    for (const v1::StreamInfo& info : list->streams()) {
      (info.config().storage() == v1::STORAGE_MEMORY ? usage.memory : usage.storage) +=
          info.state().bytes();
      usage.messages += info.state().messages();
      usage.consumers += info.state().consumer_count();
      if (info.config().max_bytes() > 0) {
        (info.config().storage() == v1::STORAGE_MEMORY ? usage.reserved_memory
                                                       : usage.reserved_storage) +=
            info.config().max_bytes();
      }
    }
    usage.streams = list->total();
    request.set_offset(request.offset() + list->streams_size());
    if (list->streams_size() == 0 || request.offset() >= list->total()) break;
  }
  return usage;
}

AccountApi::AccountApi(storesvc::client::StoreClient* store, std::shared_ptr<AccountLimits> limits,
                       std::string domain)
    : store_(store), limits_(std::move(limits)), domain_(std::move(domain)) {}

JsApiReply AccountApi::Info(const JsApiStats& stats) {
  absl::StatusOr<AccountUsage> usage = TotalAccountUsage(store_);
  if (!usage.ok()) return ErrorReply(JsApiEndpoint::kAccountInfo, usage.status());
  const uint64_t memory = usage->memory, storage = usage->storage;
  const int64_t streams = usage->streams, consumers = usage->consumers;
  const JsAccountLimits l = LimitsOf(limits_);
  std::string out;
  common::GoJsonWriter w(&out);
  BeginReply(JsApiEndpoint::kAccountInfo, &w);
  w.Key("memory");
  w.Uint(memory);
  w.Key("storage");
  w.Uint(storage);
  w.Key("streams");
  w.Int(streams);
  w.Key("consumers");
  w.Int(consumers);
  w.Key("limits");
  w.BeginObject();
  w.Key("max_memory");
  w.Int(l.max_memory);
  w.Key("max_storage");
  w.Int(l.max_storage);
  w.Key("max_streams");
  w.Int(l.max_streams);
  w.Key("max_consumers");
  w.Int(l.max_consumers);
  w.Key("max_ack_pending");
  w.Int(l.max_ack_pending);
  w.Key("memory_max_stream_bytes");
  w.Int(l.memory_max_stream_bytes);
  w.Key("storage_max_stream_bytes");
  w.Int(l.storage_max_stream_bytes);
  w.Key("max_bytes_required");
  w.Bool(l.max_bytes_required);
  w.EndObject();
  w.OptString("domain", domain_);
  w.Key("api");
  w.BeginObject();
  w.Key("total");
  w.Uint(stats.total);
  w.Key("errors");
  w.Uint(stats.errors);
  w.EndObject();
  w.EndObject();
  return JsonReply(std::move(out));
}

}  // namespace jsengine::gateway::jetstream
