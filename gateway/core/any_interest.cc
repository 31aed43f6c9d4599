#include "gateway/core/any_interest.h"

#include <algorithm>
#include <utility>

namespace jsengine::gateway::core {

AnyInterest::AnyInterest(size_t watches, InterestCallback on_change)
    : on_change_(std::move(on_change)), has_(watches, -1), unreported_(watches) {}

bool AnyInterest::AnyLocked() const {
  return std::any_of(has_.begin(), has_.end(), [](int8_t has) { return has > 0; });
}

void AnyInterest::Set(size_t i, bool has_interest) {
  bool value;
  {
    common::MutexLock lock(&mu_);
    if (has_[i] < 0) --unreported_;
    has_[i] = has_interest ? 1 : 0;
    if (unreported_ > 0 || calling_) return;
    value = AnyLocked();
    if (reported_ && value == last_) return;
    calling_ = true;
    reported_ = true;
    last_ = value;
  }
  for (;;) {
    on_change_(value);
    common::MutexLock lock(&mu_);
    value = AnyLocked();
    if (value == last_) {
      calling_ = false;
      return;
    }
    last_ = value;
  }
}

}  // namespace jsengine::gateway::core
