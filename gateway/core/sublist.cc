#include "gateway/core/sublist.h"

#include <algorithm>
#include <array>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "common/subject.h"

namespace jsengine::gateway::core {
namespace {

// Debian's abseil has its own string_view; heterogeneous lookups need it.
inline absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::atomic<uint64_t> next_sublist_id{1};

constexpr size_t kMaxCachedSubjects = 4096;
// Subjects matched without the cache: each is used once.
constexpr std::string_view kAckPrefix = "$JS.ACK.";
constexpr size_t kMaxTokens = 64;

// Splits a subject into tokens without allocating; false if too many tokens.
bool Tokenize(std::string_view subject, std::string_view* tokens, size_t* n) {
  *n = 0;
  size_t start = 0;
  while (true) {
    if (*n == kMaxTokens) return false;
    size_t dot = subject.find('.', start);
    if (dot == std::string_view::npos) {
      tokens[(*n)++] = subject.substr(start);
      return true;
    }
    tokens[(*n)++] = subject.substr(start, dot - start);
    start = dot + 1;
  }
}

// Match results recently computed by this thread, for one sublist at a time.
// A subject is cached on its second miss: `missed` remembers the hashes of
// subjects that missed once, so subjects published to once (reply inboxes:
// every PubAck and reply has its own) neither cost an insertion nor push the
// subjects that repeat out of the cache.
struct ThreadCache {
  static constexpr size_t kMissedSlots = 1024;

  uint64_t sublist_id = 0;
  uint64_t generation = 0;
  absl::flat_hash_map<std::string, std::shared_ptr<const MatchResult>> results;
  std::array<size_t, kMissedSlots> missed{};

  // Whether `subject` missed before (and if not, remembers that it did now).
  bool MissedBefore(std::string_view subject) {
    const size_t hash = absl::Hash<absl::string_view>{}(Key(subject));
    size_t& slot = missed[hash % kMissedSlots];
    if (slot == hash) return true;
    slot = hash;
    return false;
  }
};

thread_local ThreadCache thread_cache;

}  // namespace

struct Sublist::Node {
  std::unique_ptr<Level> next;
  std::vector<SubscriptionPtr> psubs;
  absl::flat_hash_map<std::string, std::vector<SubscriptionPtr>> qsubs;
  bool empty() const { return psubs.empty() && qsubs.empty() && next == nullptr; }
};

struct Sublist::Level {
  absl::flat_hash_map<std::string, std::unique_ptr<Node>> literals;
  std::unique_ptr<Node> pwc;
  std::unique_ptr<Node> fwc;
  bool empty() const { return literals.empty() && pwc == nullptr && fwc == nullptr; }
};

Sublist::Sublist() : id_(next_sublist_id.fetch_add(1)), root_(std::make_unique<Level>()) {}

Sublist::~Sublist() = default;

absl::Status Sublist::Insert(const SubscriptionPtr& sub) {
  if (!common::IsValidSubject(sub->subject)) return absl::InvalidArgumentError("Invalid Subject");
  if (!sub->queue.empty() && !common::IsValidLiteralSubject(sub->queue)) {
    return absl::InvalidArgumentError("Invalid Queue Name");
  }
  std::string_view tokens[kMaxTokens];
  size_t n;
  if (!Tokenize(sub->subject, tokens, &n)) return absl::InvalidArgumentError("Invalid Subject");
  bool notify;
  {
    common::WriterLock lock(&mu_);
    InsertLocked(sub, tokens, n);
    notify = !interest_.empty() && NoteInterest(*sub, /*added=*/true);
  }
  if (notify) notifier_.Deliver();
  if (listener_ && sub->client != nullptr) listener_(*sub, /*added=*/true);
  return absl::OkStatus();
}

void Sublist::InsertLocked(const SubscriptionPtr& sub, const std::string_view* tokens, size_t n) {
  Level* level = root_.get();
  Node* node = nullptr;
  for (size_t i = 0; i < n; ++i) {
    std::unique_ptr<Node>* slot;
    if (tokens[i] == "*") {
      slot = &level->pwc;
    } else if (tokens[i] == ">") {
      slot = &level->fwc;
    } else {
      slot = &level->literals[Key(tokens[i])];
    }
    if (*slot == nullptr) *slot = std::make_unique<Node>();
    node = slot->get();
    if (i + 1 < n) {
      if (node->next == nullptr) node->next = std::make_unique<Level>();
      level = node->next.get();
    }
  }
  if (sub->queue.empty()) {
    node->psubs.push_back(sub);
  } else {
    node->qsubs[sub->queue].push_back(sub);
  }
  ++count_;
  generation_.fetch_add(1, std::memory_order_release);
}

bool Sublist::Remove(const SubscriptionPtr& sub) {
  std::string_view tokens[kMaxTokens];
  size_t n;
  if (!Tokenize(sub->subject, tokens, &n)) return false;
  bool notify;
  {
    common::WriterLock lock(&mu_);
    if (!RemoveLocked(sub, tokens, n)) return false;
    notify = !interest_.empty() && NoteInterest(*sub, /*added=*/false);
  }
  if (notify) notifier_.Deliver();
  if (listener_ && sub->client != nullptr) listener_(*sub, /*added=*/false);
  return true;
}

bool Sublist::RemoveLocked(const SubscriptionPtr& sub, const std::string_view* tokens, size_t n) {
  // Path of (level, slot) pairs so empty nodes can be pruned bottom-up.
  Level* levels[kMaxTokens];
  std::unique_ptr<Node>* slots[kMaxTokens];
  Level* level = root_.get();
  for (size_t i = 0; i < n; ++i) {
    if (level == nullptr) return false;
    std::unique_ptr<Node>* slot;
    if (tokens[i] == "*") {
      slot = &level->pwc;
    } else if (tokens[i] == ">") {
      slot = &level->fwc;
    } else {
      auto it = level->literals.find(Key(tokens[i]));
      if (it == level->literals.end()) return false;
      slot = &it->second;
    }
    if (*slot == nullptr) return false;
    levels[i] = level;
    slots[i] = slot;
    level = (*slot)->next.get();
  }
  Node* node = slots[n - 1]->get();
  bool found = false;
  auto erase_from = [&](std::vector<SubscriptionPtr>& v) {
    auto it = std::find(v.begin(), v.end(), sub);
    if (it == v.end()) return;
    v.erase(it);
    found = true;
  };
  if (sub->queue.empty()) {
    erase_from(node->psubs);
  } else {
    auto it = node->qsubs.find(sub->queue);
    if (it != node->qsubs.end()) {
      erase_from(it->second);
      if (it->second.empty()) node->qsubs.erase(it);
    }
  }
  if (!found) return false;
  for (size_t i = n; i-- > 0;) {
    Node* nd = slots[i]->get();
    if (nd->next != nullptr && nd->next->empty()) nd->next.reset();
    if (!nd->empty()) break;
    if (tokens[i] == "*" || tokens[i] == ">") {
      slots[i]->reset();
    } else {
      levels[i]->literals.erase(Key(tokens[i]));
    }
  }
  --count_;
  generation_.fetch_add(1, std::memory_order_release);
  return true;
}

size_t Sublist::Count() const {
  common::WriterLock lock(&mu_);
  return count_;
}

namespace {

// Collects a node's subscriptions into a result being built, grouping queue
// members by group name across nodes.
void Collect(const std::vector<SubscriptionPtr>& psubs,
             const absl::flat_hash_map<std::string, std::vector<SubscriptionPtr>>& qsubs,
             MatchResult* result, absl::flat_hash_map<absl::string_view, size_t>* groups) {
  result->psubs.insert(result->psubs.end(), psubs.begin(), psubs.end());
  for (const auto& [name, members] : qsubs) {
    auto [it, inserted] = groups->try_emplace(Key(name), result->qsubs.size());
    if (inserted) result->qsubs.emplace_back();
    auto& group = result->qsubs[it->second];
    group.insert(group.end(), members.begin(), members.end());
  }
}

}  // namespace

std::shared_ptr<const MatchResult> Sublist::MatchLocked(std::string_view subject) const {
  auto result = std::make_shared<MatchResult>();
  std::string_view tokens[kMaxTokens];
  size_t n;
  if (subject.empty() || !Tokenize(subject, tokens, &n)) return result;
  absl::flat_hash_map<absl::string_view, size_t> groups;
  // Depth-first walk over (level, token index), following literal, `*` and `>`.
  struct Frame {
    const Level* level;
    size_t index;
  };
  std::vector<Frame> stack;
  stack.push_back({root_.get(), 0});
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    const Level* level = f.level;
    if (level->fwc != nullptr) Collect(level->fwc->psubs, level->fwc->qsubs, result.get(), &groups);
    auto visit = [&](const Node* node) {
      if (f.index + 1 == n) {
        Collect(node->psubs, node->qsubs, result.get(), &groups);
      } else if (node->next != nullptr) {
        stack.push_back({node->next.get(), f.index + 1});
      }
    };
    if (tokens[f.index].empty()) continue;
    if (level->pwc != nullptr) visit(level->pwc.get());
    auto it = level->literals.find(Key(tokens[f.index]));
    if (it != level->literals.end()) visit(it->second.get());
  }
  return result;
}

std::shared_ptr<const MatchResult> Sublist::Match(std::string_view subject) {
  if (subject.substr(0, kAckPrefix.size()) == kAckPrefix) {
    common::ReaderLock lock(&mu_);
    return MatchLocked(subject);
  }
  ThreadCache& cache = thread_cache;
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (cache.sublist_id != id_ || cache.generation != generation) {
    cache.results.clear();
    cache.sublist_id = id_;
    cache.generation = generation;
  } else {
    auto it = cache.results.find(Key(subject));
    if (it != cache.results.end()) return it->second;
  }
  std::shared_ptr<const MatchResult> result;
  uint64_t computed_at;
  {
    common::ReaderLock lock(&mu_);
    computed_at = generation_.load(std::memory_order_acquire);
    result = MatchLocked(subject);
  }
  if (computed_at == cache.generation && cache.MissedBefore(subject)) {
    if (cache.results.size() >= kMaxCachedSubjects) cache.results.clear();
    cache.results.emplace(std::string(subject), result);
  }
  return result;
}

namespace {

// Subscriptions of client connections in `r` (in `queue`, unless empty).
size_t CountClientInterest(const MatchResult& r, std::string_view queue) {
  size_t n = 0;
  if (queue.empty()) {
    for (const SubscriptionPtr& sub : r.psubs) n += sub->client != nullptr;
  }
  for (const std::vector<SubscriptionPtr>& group : r.qsubs) {
    if (!queue.empty() && group.front()->queue != queue) continue;
    for (const SubscriptionPtr& sub : group) n += sub->client != nullptr;
  }
  return n;
}

}  // namespace

bool Sublist::NoteInterest(const Subscription& sub, bool added) {
  if (sub.client == nullptr) return false;
  std::vector<InterestIndex::Change> changes;
  if (added) {
    interest_.Added(sub.subject, sub.queue, &changes);
  } else {
    interest_.Removed(sub.subject, sub.queue, &changes);
  }
  if (changes.empty()) return false;
  notifier_.Enqueue(changes);
  return true;
}

bool Sublist::HasClientInterest(std::string_view subject, std::string_view queue) {
  return CountClientInterest(*Match(subject), queue) > 0;
}

uint64_t Sublist::WatchClientInterest(std::string_view subject, std::string_view queue,
                                      InterestCallback on_change) {
  if (!common::IsValidLiteralSubject(subject) ||
      (!queue.empty() && !common::IsValidLiteralSubject(queue))) {
    return 0;
  }
  uint64_t id;
  {
    common::WriterLock lock(&mu_);
    id = next_watch_id_++;
    const size_t matching = CountClientInterest(*MatchLocked(subject), queue);
    notifier_.Add(id, std::move(on_change), interest_.Watch(id, subject, queue, matching));
  }
  notifier_.Deliver();
  return id;
}

void Sublist::UnwatchClientInterest(uint64_t id) {
  {
    common::WriterLock lock(&mu_);
    interest_.Unwatch(id);
  }
  notifier_.Remove(id);
}

}  // namespace jsengine::gateway::core
