// An account at run time: its own subject space (a Sublist), so a message
// published in one account reaches only that account's subscribers.
//
// The server creates its accounts at start and keeps them until it is
// destroyed; clients hold plain pointers to them. Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_ACCOUNT_H_
#define JSENGINE_GATEWAY_CORE_ACCOUNT_H_

#include <string>

#include "gateway/core/sublist.h"

namespace jsengine::gateway::core {

class Account {
 public:
  explicit Account(std::string name) : name_(std::move(name)) {}
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  const std::string& name() const { return name_; }
  Sublist& sublist() { return sublist_; }
  const Sublist& sublist() const { return sublist_; }

 private:
  const std::string name_;
  Sublist sublist_;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ACCOUNT_H_
