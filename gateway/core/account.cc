#include "gateway/core/account.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jsengine::gateway::core {

Account::Account(std::string name) : name_(std::move(name)) { SetLinks(AccountLinks{}); }

void Account::SetLinks(AccountLinks links) {
  common::MutexLock lock(&links_mu_);
  all_links_.push_back(std::make_unique<const AccountLinks>(std::move(links)));
  links_.store(all_links_.back().get(), std::memory_order_release);
}

void Account::SetLimits(const AccountLimits& limits) {
  max_connections_.store(limits.max_connections, std::memory_order_relaxed);
  max_subscriptions_.store(limits.max_subscriptions, std::memory_order_relaxed);
  max_payload_.store(limits.max_payload, std::memory_order_relaxed);
  max_leafnodes_.store(limits.max_leafnodes, std::memory_order_relaxed);
}

bool Account::TryAddConnection() {
  int n = connections_.load(std::memory_order_relaxed);
  do {
    const int64_t max = max_connections_.load(std::memory_order_relaxed);
    if (max != -1 && n >= max) return false;
  } while (!connections_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  return true;
}

bool Account::TryDropConnectionOverLimit() {
  int n = connections_.load(std::memory_order_relaxed);
  do {
    const int64_t max = max_connections_.load(std::memory_order_relaxed);
    if (max == -1 || n <= max) return false;
  } while (!connections_.compare_exchange_weak(n, n - 1, std::memory_order_relaxed));
  return true;
}

std::string Account::AddResponseRoute(Account* importer, std::string_view reply, absl::Time now,
                                      bool multiple, std::shared_ptr<LatencyProbe> probe) {
  common::MutexLock lock(&mu_);
  ExpireResponses(now);
  std::string subject = absl::StrCat("_R_.", next_response_++);
  responses_[subject] =
      Response{importer, std::string(reply), now + kResponseTimeout, multiple, std::move(probe)};
  response_order_.emplace_back(now + kResponseTimeout, subject);
  return subject;
}

bool Account::TakeResponseRoute(std::string_view subject, Account** importer, std::string* reply,
                                absl::Time now, std::shared_ptr<LatencyProbe>* probe) {
  common::MutexLock lock(&mu_);
  ExpireResponses(now);
  auto it = responses_.find(absl::string_view(subject.data(), subject.size()));
  if (it == responses_.end()) return false;
  *importer = it->second.importer;
  if (probe != nullptr) *probe = std::move(it->second.probe);
  if (it->second.multiple) {
    *reply = it->second.reply;
    return true;
  }
  *reply = std::move(it->second.reply);
  responses_.erase(it);
  return true;
}

bool Account::FindResponseRoute(std::string_view subject, Account** importer, std::string* reply,
                                absl::Time now) const {
  common::MutexLock lock(&mu_);
  auto it = responses_.find(absl::string_view(subject.data(), subject.size()));
  if (it == responses_.end() || it->second.expires <= now) return false;
  *importer = it->second.importer;
  *reply = it->second.reply;
  return true;
}

void Account::ExpireResponses(absl::Time now) {
  while (!response_order_.empty() && response_order_.front().first <= now) {
    responses_.erase(response_order_.front().second);
    response_order_.pop_front();
  }
}

}  // namespace jsengine::gateway::core
