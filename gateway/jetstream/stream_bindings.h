// Which subjects are bound to which stream, kept as internal subscriptions on
// the core server so a publish to a bound subject reaches the stream.
//
// Apply() is idempotent and called both right after a successful stream
// create/update through this gateway (so a client's next publish is stored)
// and for the store's lifecycle events (streams changed elsewhere, restart).
// Thread-safe.
#ifndef JSENGINE_GATEWAY_JETSTREAM_STREAM_BINDINGS_H_
#define JSENGINE_GATEWAY_JETSTREAM_STREAM_BINDINGS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "proto/store.pb.h"

namespace jsengine::gateway::jetstream {

class StreamBindings {
 public:
  // Subscribes `subject` for `stream`; returns a handle for Unsubscribe.
  using Subscribe = std::function<uint64_t(const std::string& stream, const std::string& subject)>;
  using Unsubscribe = std::function<void(uint64_t handle)>;

  StreamBindings(Subscribe subscribe, Unsubscribe unsubscribe)
      : subscribe_(std::move(subscribe)), unsubscribe_(std::move(unsubscribe)) {}
  ~StreamBindings();

  // Binds the stream's subjects, replacing any earlier binding of it.
  void Apply(const v1::StreamConfig& config);
  // Drops the stream's binding.
  void Remove(const std::string& stream);
  // Drops the binding of every stream not in `streams`.
  void RetainOnly(const absl::flat_hash_set<std::string>& streams);
  // Subjects currently bound for `stream` (empty if none).
  std::vector<std::string> SubjectsOf(const std::string& stream);

 private:
  struct Binding {
    std::vector<std::string> subjects;
    std::vector<uint64_t> handles;
  };

  Subscribe subscribe_;
  Unsubscribe unsubscribe_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Binding> bindings_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_STREAM_BINDINGS_H_
