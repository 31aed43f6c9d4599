#include "gateway/jetstream/bridge.h"

#include <string>
#include <string_view>
#include <utility>

#include "gateway/jetstream/api_subject.h"
#include "gateway/jetstream/pub_ack.h"
#include "glog/logging.h"

namespace jsengine::gateway::jetstream {
namespace {

constexpr std::string_view kPullPrefix = "$JS.API.CONSUMER.MSG.NEXT.";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

QueuedRequest Copy(const core::InboundMessage& message) {
  return QueuedRequest{std::string(message.subject), std::string(message.reply),
                       std::string(message.payload)};
}

}  // namespace

Bridge::Bridge(core::Server* server, storesvc::client::StoreClient* store, JsApiOptions options,
               DataPlane* data_plane)
    : server_(server),
      store_(store),
      account_(options.account),
      domain_(options.domain),
      bindings_(
          [this](const std::string& stream, const std::string& subject) {
            return server_->SubscribeInternalIn(
                account_, subject, "", [this, stream](const core::InboundMessage& message) {
                  OnStreamPublish(stream, message);
                });
          },
          [this](uint64_t handle) { server_->UnsubscribeInternal(handle); }),
      republisher_(store,
                   [this](const std::string& subject, const std::string& headers,
                          const std::string& payload) {
                     server_->PublishIn(account_, subject, "", headers, payload);
                   }),
      binding_store_(store, &bindings_),
      api_(&binding_store_, std::move(options)),
      data_plane_(data_plane),
      api_queue_([this](const QueuedRequest& request) { ServeApi(request); }) {}

Bridge::~Bridge() { Stop(); }

absl::Status Bridge::Start() {
  // Bind what exists before clients can publish; the watch keeps it current.
  watch_ = store_->WatchStreams([this](const v1::StreamEvent& event) { OnStreamEvent(event); });
  v1::ListStreamsRequest list;
  while (true) {
    auto page = store_->ListStreams(list);
    if (!page.ok()) return page.status();
    for (const v1::StreamInfo& info : page->streams()) {
      bindings_.Apply(info.config());
      republisher_.Apply(info.config(), /*from_start=*/false);
    }
    list.set_offset(list.offset() + page->streams_size());
    if (page->streams_size() == 0 || list.offset() >= page->total()) break;
  }
  api_queue_.Start();
  api_subscription_ = server_->SubscribeInternalIn(
      account_, "$JS.API.>", "",
      [this](const core::InboundMessage& message) { OnApiRequest(message); });
  if (!domain_.empty()) {
    const std::string prefix = "$JS." + domain_ + ".API.";
    domain_subscription_ = server_->SubscribeInternalIn(
        account_, prefix + ">", "", [this, prefix](const core::InboundMessage& message) {
          const std::string subject =
              "$JS.API." + std::string(message.subject.substr(prefix.size()));
          core::InboundMessage mapped = message;
          mapped.subject = subject;
          OnApiRequest(mapped);
        });
  }
  return absl::OkStatus();
}

void Bridge::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (api_subscription_ != 0) server_->UnsubscribeInternal(api_subscription_);
  if (domain_subscription_ != 0) server_->UnsubscribeInternal(domain_subscription_);
  if (watch_ != nullptr) watch_->Cancel();
  republisher_.RetainOnly({});
  api_queue_.Stop();
}

void Bridge::OnStreamEvent(const v1::StreamEvent& event) {
  switch (event.kind()) {
    case v1::StreamEvent::DELETED:
      bindings_.Remove(event.name());
      republisher_.Remove(event.name());
      break;
    case v1::StreamEvent::PURGED:
      break;
    case v1::StreamEvent::SNAPSHOT:
      snapshot_.insert(event.name());
      bindings_.Apply(event.config());
      republisher_.Apply(event.config(), /*from_start=*/false);
      break;
    case v1::StreamEvent::SNAPSHOT_DONE:
      bindings_.RetainOnly(snapshot_);
      republisher_.RetainOnly(snapshot_);
      snapshot_.clear();
      break;
    default:
      bindings_.Apply(event.config());
      republisher_.Apply(event.config(), event.kind() == v1::StreamEvent::CREATED);
      break;
  }
}

void Bridge::OnStreamPublish(const std::string& stream, const core::InboundMessage& message) {
  v1::AppendBatch batch;
  v1::AppendRequest* request = batch.add_requests();
  request->set_stream(stream);
  request->set_subject(std::string(message.subject));
  request->set_headers(std::string(message.headers));
  request->set_data(std::string(message.payload));
  store_->Append(std::move(batch),
                 [this, reply = std::string(message.reply)](v1::AppendResultBatch results) {
                   if (results.results_size() != 1) return;
                   const v1::AppendResult& result = results.results(0);
                   if (result.seq() != 0) published_.Raise(result.stream(), result.seq());
                   if (!reply.empty())
                     server_->PublishIn(account_, reply, "", "",
                                        jetstream::PubAck(result, domain_));
                 });
}

void Bridge::OnApiRequest(const core::InboundMessage& message) {
  if (!StartsWith(message.subject, kPullPrefix)) {
    // What this client sent before (acks) leaves first: the request may ask
    // for a stream's info, which must show them.
    if (data_plane_ != nullptr) data_plane_->Flush();
    api_queue_.Push(Copy(message));
  } else if (data_plane_ != nullptr) {
    JsApiRoute route = RouteJsApiSubject(message.subject);
    if (route.endpoint != JsApiEndpoint::kConsumerMsgNext) return;
    data_plane_->PullRequest(route.stream, route.rest, message.reply, message.payload,
                             published_.Get(route.stream));
  }
}

void Bridge::ServeApi(const QueuedRequest& request) {
  JsApiReply reply = api_.Handle(request.subject, request.payload);
  for (const JsApiEvent& event : reply.events) {
    server_->PublishIn(account_, event.subject, "", "", event.payload);
  }
  if (reply.send && !request.reply.empty()) {
    server_->PublishIn(account_, request.reply, "", reply.headers, reply.payload);
  }
}

}  // namespace jsengine::gateway::jetstream
