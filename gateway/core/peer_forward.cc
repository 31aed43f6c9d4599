#include "gateway/core/peer_forward.h"

#include <algorithm>
#include <random>

#include "gateway/core/route.h"

namespace jsengine::gateway::core {
namespace {

uint32_t RandomBelow(uint32_t n) {
  thread_local std::mt19937 rng(std::random_device{}());
  return n == 0 ? 0 : static_cast<uint32_t>(rng() % n);
}

bool Contains(const std::vector<std::string_view>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

bool ForwardToPeers(const std::vector<std::shared_ptr<Route>>& peers, std::string_view account,
                    std::string_view subject, std::string_view reply, std::string_view headers,
                    bool has_headers, std::string_view payload, const MatchResult& local,
                    const ForwardScope& scope, std::vector<std::string>* routed_queues) {
  const size_t n = peers.size();
  std::vector<std::shared_ptr<const MatchResult>> results(n);
  std::vector<bool> plain(n, false);
  std::vector<std::vector<std::string_view>> queues(n);
  // A queue group matched on peers: the peers' weights.
  struct Group {
    std::string_view name;
    std::vector<std::pair<size_t, int>> peers;
    int total = 0;
  };
  std::vector<Group> groups;
  for (size_t i = 0; i < n; ++i) {
    if (peers[i].get() == scope.exclude) continue;
    results[i] = peers[i]->Match(account, subject);
    if (results[i] == nullptr) continue;
    plain[i] = !results[i]->psubs.empty();
    for (const auto& members : results[i]->qsubs) {
      if (members.empty()) continue;
      const std::string_view q = members[0]->queue;
      if (scope.only_queues != nullptr && !Contains(*scope.only_queues, q)) continue;
      if (std::find(routed_queues->begin(), routed_queues->end(), q) != routed_queues->end()) {
        continue;
      }
      int weight = 0;
      for (const SubscriptionPtr& sub : members) weight += sub->weight.load();
      auto it =
          std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.name == q; });
      if (it == groups.end()) it = groups.insert(groups.end(), Group{q, {}, 0});
      it->peers.emplace_back(i, weight);
      it->total += weight;
    }
  }
  for (const Group& group : groups) {
    int local_members = 0;
    for (const auto& members : local.qsubs) {
      if (!members.empty() && members[0]->queue == group.name) {
        local_members = static_cast<int>(members.size());
      }
    }
    if (scope.prefer_local && local_members > 0) continue;
    int pick = static_cast<int>(RandomBelow(static_cast<uint32_t>(local_members + group.total)));
    if (pick < local_members) continue;
    pick -= local_members;
    for (const auto& [peer, weight] : group.peers) {
      if (pick < weight) {
        queues[peer].push_back(group.name);
        routed_queues->emplace_back(group.name);
        break;
      }
      pick -= weight;
    }
  }
  bool sent = false;
  for (size_t i = 0; i < n; ++i) {
    if (!plain[i] && queues[i].empty()) continue;
    peers[i]->SendMessage(account, subject, reply, queues[i], headers, has_headers, payload);
    sent = true;
  }
  return sent;
}

}  // namespace jsengine::gateway::core
