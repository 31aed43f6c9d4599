// The account parts of nats-server's monitoring answers, with its JSON field
// names: /accountz's account_detail (exports, imports) and /jsz's
// account_details (usage, streams, consumers). Pure functions; thread-safe.
#ifndef JSENGINE_GATEWAY_MONITOR_ACCOUNT_JSON_H_
#define JSENGINE_GATEWAY_MONITOR_ACCOUNT_JSON_H_

#include <string>

#include "gateway/core/account_options.h"
#include "gateway/monitor/monitor.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::monitor {

// nats-server's ExtExport list of `account`: one entry per stream and
// service export ("approved_accounts" when not public; services answer
// once, "Singleton").
nlohmann::ordered_json AccountExportsJson(const core::AccountOptions& account);

// nats-server's ExtImport list of `account`: a stream import shows the
// exporter's subject and, when it differs, the importer's as
// "local_subject"; a service import the importer's subject and the
// exporter's as "to".
nlohmann::ordered_json AccountImportsJson(const core::AccountOptions& account);

// What to show of an account's streams in /jsz.
struct JszDetail {
  bool streams = false;
  bool consumers = false;
  bool config = false;
};

// One /jsz account_details entry. `leader` is the server's id (the leader
// of every stream of a single server).
nlohmann::ordered_json JszAccountJson(const AccountJetStream& account, const JszDetail& detail,
                                      const std::string& leader);

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_ACCOUNT_JSON_H_
