// Accounts as configured (nats-server's `accounts {}` block): each account is
// its own subject space; users are bound to one account; exports and imports
// share subjects between accounts. Plain data; thread-compatible.
#ifndef JSENGINE_GATEWAY_CORE_ACCOUNT_OPTIONS_H_
#define JSENGINE_GATEWAY_CORE_ACCOUNT_OPTIONS_H_

#include <string>
#include <vector>

namespace jsengine::gateway::core {

// The account of users configured outside `accounts {}`, and of every client
// when no account is configured.
inline constexpr char kGlobalAccount[] = "$G";

// A subject (stream) or a subject space of requests (service) an account
// offers. An empty `accounts` list makes the export public.
struct AccountExport {
  std::string subject;
  std::vector<std::string> accounts;
};

// What an account takes from another one's exports. For a stream, messages
// published in `account` on `subject` reach this account's subscribers on
// `to` (the subject itself when empty; `prefix.subject` with `prefix`). For a
// service, requests published here on `to` (or `subject`) reach `account`'s
// responders on `subject`, and their replies come back.
struct AccountImport {
  std::string account;
  std::string subject;
  std::string to;
};

struct AccountOptions {
  std::string name;
  std::vector<AccountExport> stream_exports;
  std::vector<AccountExport> service_exports;
  std::vector<AccountImport> stream_imports;
  std::vector<AccountImport> service_imports;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ACCOUNT_OPTIONS_H_
