#include "gateway/jetstream/stream_bindings.h"

namespace jsengine::gateway::jetstream {

StreamBindings::~StreamBindings() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, binding] : bindings_) {
    for (uint64_t handle : binding.handles) unsubscribe_(handle);
  }
  bindings_.clear();
}

void StreamBindings::Apply(const v1::StreamConfig& config) {
  std::vector<std::string> subjects(config.subjects().begin(), config.subjects().end());
  if (subjects.empty()) subjects.push_back(config.name());
  absl::MutexLock lock(&mu_);
  Binding& binding = bindings_[config.name()];
  if (binding.subjects == subjects && !binding.handles.empty()) return;
  for (uint64_t handle : binding.handles) unsubscribe_(handle);
  binding.handles.clear();
  binding.subjects = std::move(subjects);
  for (const std::string& subject : binding.subjects) {
    binding.handles.push_back(subscribe_(config.name(), subject));
  }
}

void StreamBindings::Remove(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  auto it = bindings_.find(stream);
  if (it == bindings_.end()) return;
  for (uint64_t handle : it->second.handles) unsubscribe_(handle);
  bindings_.erase(it);
}

void StreamBindings::RetainOnly(const absl::flat_hash_set<std::string>& streams) {
  absl::MutexLock lock(&mu_);
  for (auto it = bindings_.begin(); it != bindings_.end();) {
    if (streams.contains(it->first)) {
      ++it;
      continue;
    }
    for (uint64_t handle : it->second.handles) unsubscribe_(handle);
    bindings_.erase(it++);
  }
}

std::vector<std::string> StreamBindings::SubjectsOf(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  auto it = bindings_.find(stream);
  return it == bindings_.end() ? std::vector<std::string>() : it->second.subjects;
}

}  // namespace jsengine::gateway::jetstream
