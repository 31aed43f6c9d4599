// RunOnStrand: runs a function as one of a strand's tasks and waits for it,
// so a test can call and inspect objects that live on a strand.
//
//   RunOnStrand(*strand, [&] { feed->Start(0, 0); });
//
// Thread-safety: must not be called from a task of the same strand.
#ifndef JSENGINE_COMMON_RUN_ON_STRAND_H_
#define JSENGINE_COMMON_RUN_ON_STRAND_H_

#include <functional>

#include "absl/synchronization/notification.h"
#include "common/strand.h"

namespace jsengine::common {

inline void RunOnStrand(Strand& strand, const std::function<void()>& fn) {
  absl::Notification done;
  strand.Post([&] {
    fn();
    done.Notify();
  });
  done.WaitForNotification();
}

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_RUN_ON_STRAND_H_
