// ForwardToPeers: which routes or leaf connections get a message, from the
// interest they told this server about. A plain subscription anywhere on a
// peer gets it the message; each queue group goes to one member across
// this server and its peers, picked at random by weight as nats-server
// does. Used by the cluster (routes) and the leaf nodes. Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_PEER_FORWARD_H_
#define JSENGINE_GATEWAY_CORE_PEER_FORWARD_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/sublist.h"

namespace jsengine::gateway::core {

class Route;

struct ForwardScope {
  // Not forwarded to this peer (the one the message came from).
  const Route* exclude = nullptr;
  // Only these queue groups are considered (those a peer picked this server
  // for); null: all.
  const std::vector<std::string_view>* only_queues = nullptr;
  // A group with local members is delivered locally, never forwarded (a
  // message that came from a peer).
  bool prefer_local = false;
};

// Sends the message to the `peers` with interest in `subject` in
// `account`. `local` has the local members of each group matching the
// subject; groups already in `routed_queues` are skipped, and those given to
// a peer are added (not to be delivered locally). True if any peer got it.
bool ForwardToPeers(const std::vector<std::shared_ptr<Route>>& peers, std::string_view account,
                    std::string_view subject, std::string_view reply, std::string_view headers,
                    bool has_headers, std::string_view payload, const MatchResult& local,
                    const ForwardScope& scope, std::vector<std::string>* routed_queues);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_PEER_FORWARD_H_
