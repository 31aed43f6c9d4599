#include "common/grpc/completion_pump.h"

#include <utility>
#include <vector>

namespace jsengine::common::grpc {

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
        +[](std::map<uint64_t, std::function<void()>>* a) { return a->empty(); }, &activities_));
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
  while (Next(&tag, &ok)) static_cast<Tag*>(tag)->Run(ok);
}

bool CompletionPump::Next(void** tag, bool* ok) {
  if (awaiting_replies() == 0) return cq_.Next(tag, ok);
  const auto start = std::chrono::steady_clock::now();
  bool got = wait_estimate_ <= kSpin / 2 && Poll(tag, ok);
  if (!got) got = cq_.Next(tag, ok);
  const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  wait_estimate_ += (waited - wait_estimate_) / 8;
  return got;
}

bool CompletionPump::Poll(void** tag, bool* ok) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  const gpr_timespec immediately = gpr_time_0(GPR_CLOCK_MONOTONIC);
  do {
    if (cq_.AsyncNext(tag, ok, immediately) == ::grpc::CompletionQueue::GOT_EVENT) return true;
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace jsengine::common::grpc
