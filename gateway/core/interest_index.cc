#include "gateway/core/interest_index.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"

namespace jsengine::gateway::core {
namespace {

using Tokens = absl::InlinedVector<std::string_view, 16>;

inline absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

Tokens Split(std::string_view subject) {
  Tokens tokens;
  while (true) {
    const size_t dot = subject.find('.');
    tokens.push_back(subject.substr(0, dot));
    if (dot == std::string_view::npos) return tokens;
    subject.remove_prefix(dot + 1);
  }
}

}  // namespace

// The watches of one subject and queue group, and the subscriptions that
// count for them.
struct InterestIndex::Entry {
  std::string queue;
  size_t count = 0;
  std::vector<uint64_t> watchers;
};

// A subject prefix; `entries` are the watches of exactly this subject.
struct InterestIndex::Node {
  absl::flat_hash_map<std::string, std::unique_ptr<Node>> children;
  std::vector<Entry> entries;
  bool empty() const { return children.empty() && entries.empty(); }
};

namespace {

template <typename Node>
void CollectSubtree(Node* node, std::vector<Node*>* out) {
  if (!node->entries.empty()) out->push_back(node);
  for (auto& [token, child] : node->children) CollectSubtree(child.get(), out);
}

// The nodes of watched subjects that tokens[i..] matches below `node`.
template <typename Node>
void CollectMatching(Node* node, const Tokens& tokens, size_t i, std::vector<Node*>* out) {
  if (i == tokens.size()) {
    if (!node->entries.empty()) out->push_back(node);
    return;
  }
  const std::string_view token = tokens[i];
  if (token == ">") {
    for (auto& [t, child] : node->children) CollectSubtree(child.get(), out);
  } else if (token == "*") {
    for (auto& [t, child] : node->children) CollectMatching(child.get(), tokens, i + 1, out);
  } else if (auto it = node->children.find(Key(token)); it != node->children.end()) {
    CollectMatching(it->second.get(), tokens, i + 1, out);
  }
}

}  // namespace

InterestIndex::InterestIndex() : root_(std::make_unique<Node>()) {}

InterestIndex::~InterestIndex() = default;

bool InterestIndex::Watch(uint64_t id, std::string_view subject, std::string_view queue,
                          size_t matching) {
  Node* node = root_.get();
  for (std::string_view token : Split(subject)) {
    std::unique_ptr<Node>& child = node->children[Key(token)];
    if (child == nullptr) child = std::make_unique<Node>();
    node = child.get();
  }
  auto entry = std::find_if(node->entries.begin(), node->entries.end(),
                            [&](const Entry& e) { return e.queue == queue; });
  if (entry == node->entries.end()) {
    node->entries.push_back(Entry{std::string(queue), matching, {}});
    entry = node->entries.end() - 1;
  }
  entry->watchers.push_back(id);
  watches_.emplace(id, WatchInfo{std::string(subject), std::string(queue)});
  return entry->count > 0;
}

void InterestIndex::Unwatch(uint64_t id) {
  auto watch = watches_.find(id);
  if (watch == watches_.end()) return;
  const Tokens tokens = Split(watch->second.subject);
  std::vector<Node*> path = {root_.get()};
  for (std::string_view token : tokens) {
    path.push_back(path.back()->children.find(Key(token))->second.get());
  }
  std::vector<Entry>& entries = path.back()->entries;
  auto entry = std::find_if(entries.begin(), entries.end(),
                            [&](const Entry& e) { return e.queue == watch->second.queue; });
  entry->watchers.erase(std::find(entry->watchers.begin(), entry->watchers.end(), id));
  if (entry->watchers.empty()) entries.erase(entry);
  for (size_t i = tokens.size(); i > 0 && path[i]->empty(); --i) {
    path[i - 1]->children.erase(Key(tokens[i - 1]));
  }
  watches_.erase(watch);
}

void InterestIndex::ForEachMatching(std::string_view pattern, std::string_view queue,
                                    const std::function<void(Entry&)>& fn) {
  std::vector<Node*> nodes;
  CollectMatching(root_.get(), Split(pattern), 0, &nodes);
  for (Node* node : nodes) {
    for (Entry& entry : node->entries) {
      if (entry.queue.empty() || entry.queue == queue) fn(entry);
    }
  }
}

void InterestIndex::Added(std::string_view pattern, std::string_view queue,
                          std::vector<Change>* changes) {
  ForEachMatching(pattern, queue, [&](Entry& entry) {
    if (entry.count++ > 0) return;
    for (uint64_t id : entry.watchers) changes->push_back({id, true});
  });
}

void InterestIndex::Removed(std::string_view pattern, std::string_view queue,
                            std::vector<Change>* changes) {
  ForEachMatching(pattern, queue, [&](Entry& entry) {
    if (entry.count == 0 || --entry.count > 0) return;
    for (uint64_t id : entry.watchers) changes->push_back({id, false});
  });
}

}  // namespace jsengine::gateway::core
