#include "gateway/completion_pump.h"

#include <utility>
#include <vector>

namespace jsengine {

CompletionPump::CompletionPump() : thread_([this] { Run(); }) {}

CompletionPump::~CompletionPump() {
  std::vector<std::function<void()>> cancels;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (const auto& [id, cancel] : activities_) cancels.push_back(cancel);
  }
  for (const auto& cancel : cancels) cancel();
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::map<uint64_t, std::function<void()>>* a) { return a->empty(); },
        &activities_));
  }
  cq_.Shutdown();
  thread_.join();
}

uint64_t CompletionPump::BeginActivity(std::function<void()> cancel) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return 0;
  const uint64_t id = next_id_++;
  activities_.emplace(id, std::move(cancel));
  return id;
}

void CompletionPump::EndActivity(uint64_t id) {
  absl::MutexLock lock(&mu_);
  activities_.erase(id);
}

void CompletionPump::Run() {
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) static_cast<Tag*>(tag)->Run(ok);
}

}  // namespace jsengine
