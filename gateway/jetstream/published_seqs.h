// PublishedSeqs: per stream, the newest sequence stored for a publisher
// through this gateway. A pull request carries its stream's value to the
// consumer service, which serves it once it has seen the stream that far:
// a client that publishes (and has its PubAck) and then fetches gets what it
// published, as from nats-server, although the consumer service learns of
// new messages asynchronously.
//
// Thread-safety: thread-safe.
#ifndef JSENGINE_GATEWAY_JETSTREAM_PUBLISHED_SEQS_H_
#define JSENGINE_GATEWAY_JETSTREAM_PUBLISHED_SEQS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace jsengine::gateway::jetstream {

class PublishedSeqs {
 public:
  // Records that `stream` holds `seq`.
  void Raise(const std::string& stream, uint64_t seq) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    uint64_t& newest = newest_[stream];
    if (seq > newest) newest = seq;
  }
  // The newest sequence recorded for `stream`; 0 if none.
  uint64_t Get(std::string_view stream) const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = newest_.find(absl::string_view(stream.data(), stream.size()));
    return it == newest_.end() ? 0 : it->second;
  }

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint64_t> newest_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_PUBLISHED_SEQS_H_
