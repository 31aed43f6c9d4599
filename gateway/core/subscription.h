// One subscription: a client's SUB, or an in-process (internal) subscriber.
//
// Shared between the sublist, match results cached by any thread and the
// owning client; fields other than the counters are immutable once inserted.
#ifndef JSENGINE_GATEWAY_CORE_SUBSCRIPTION_H_
#define JSENGINE_GATEWAY_CORE_SUBSCRIPTION_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace jsengine::gateway::core {

class Account;
class Client;

// A message as an internal subscriber sees it. Views are valid only during
// the handler call. `headers` is the raw NATS/1.0 block, or empty.
struct InboundMessage {
  std::string_view subject;
  std::string_view reply;
  std::string_view headers;
  std::string_view payload;
};

using InternalHandler = std::function<void(const InboundMessage&)>;

struct Subscription {
  std::string subject;
  std::string queue;
  std::string sid;
  // The owning connection; null for internal subscribers, which are not
  // client interest (Sublist::WatchClientInterest). The client drops its
  // subscriptions when it closes, which breaks the reference cycle.
  std::shared_ptr<Client> client;
  InternalHandler handler;
  uint64_t internal_id = 0;
  // An internal subscriber's account; null: the global one (or the owning
  // client's).
  Account* account = nullptr;
  std::atomic<uint64_t> max_msgs{0};  // auto-unsubscribe after this many; 0 = never
  std::atomic<uint64_t> delivered{0};
  std::atomic<bool> closed{false};
  // A remote server's queue subscription (route.h): how many members it
  // stands for.
  std::atomic<int> weight{1};
};

using SubscriptionPtr = std::shared_ptr<Subscription>;

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SUBSCRIPTION_H_
