#include "gateway/jetstream/disabled_accounts.h"

#include "common/status.h"
#include "gateway/jetstream/api_reply.h"
#include "gateway/jetstream/api_subject.h"

namespace jsengine::gateway::jetstream {

void DisabledAccounts::Start(const std::vector<std::string>& accounts) {
  for (const std::string& account : accounts) Add(account);
}

void DisabledAccounts::Add(const std::string& account) {
  if (subscriptions_.count(account) != 0) return;
  const uint64_t id = server_->SubscribeInternalIn(
      account, "$JS.API.>", "", [this, account](const core::InboundMessage& message) {
        if (message.reply.empty()) return;
        const JsApiRoute route = RouteJsApiSubject(message.subject);
        if (route.endpoint == JsApiEndpoint::kUnknown) return;
        const JsApiReply reply =
            ErrorReply(route.endpoint, common::JsError(common::JsErrorId::kNotEnabledForAccount));
        server_->PublishIn(account, message.reply, "", reply.headers, reply.payload);
      });
  if (id != 0) subscriptions_[account] = id;
}

void DisabledAccounts::Remove(const std::string& account) {
  auto it = subscriptions_.find(account);
  if (it == subscriptions_.end()) return;
  server_->UnsubscribeInternal(it->second);
  subscriptions_.erase(it);
}

void DisabledAccounts::Stop() {
  for (const auto& [account, id] : subscriptions_) server_->UnsubscribeInternal(id);
  subscriptions_.clear();
}

}  // namespace jsengine::gateway::jetstream
