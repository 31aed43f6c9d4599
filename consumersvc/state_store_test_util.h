// Helpers for tests of ConsumerStateStore: a consumer's configuration and a
// blocking Flush.
#ifndef JSENGINE_CONSUMERSVC_STATE_STORE_TEST_UTIL_H_
#define JSENGINE_CONSUMERSVC_STATE_STORE_TEST_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "consumersvc/state_store.h"
#include "proto/consumer.pb.h"

namespace jsengine::consumersvc {

inline v1::ConsumerInfo TestConsumerInfo(const std::string& stream, const std::string& name,
                                         v1::AckPolicy policy = v1::ACK_EXPLICIT,
                                         bool memory = false) {
  v1::ConsumerInfo info;
  info.set_stream_name(stream);
  info.set_name(name);
  info.mutable_config()->set_durable_name(name);
  info.mutable_config()->set_ack_policy(policy);
  info.mutable_config()->set_mem_storage(memory);
  info.set_created_ns(1700000000000000000);
  return info;
}

// Flushes `writer` and waits for the callback; returns its status.
inline absl::Status FlushAndWait(ConsumerStateWriter* writer) {
  absl::Notification done;
  absl::Status status;
  writer->Flush([&](absl::Status s) {
    status = s;
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

}  // namespace jsengine::consumersvc

#endif  // JSENGINE_CONSUMERSVC_STATE_STORE_TEST_UTIL_H_
