// StoreResources: the server-wide JetStream limits nats-server takes from
// `jetstream { max_memory_store, max_file_store }` (its "Max Memory" and
// "Max Storage"), and what the streams of each storage hold against them.
//
// Store applies nats-server's two rules with it:
//   - a stream create or update may not make the max_bytes reserved by the
//     streams of its storage exceed the maximum (CheckReservation): 10028
//     "insufficient memory resources available" or 10047 "insufficient
//     storage resources available";
//   - a publish is refused with 503/10023 "insufficient resources" while
//     what the streams of its storage hold exceeds the maximum (Exceeded):
//     the publish that crosses it is still stored, as nats-server checks
//     before storing.
// What streams hold is kept current by MeteredMessageStore.
//
//   StoreResources resources(/*max_memory=*/1 << 20, /*max_storage=*/-1);
//   resources.Add(v1::STORAGE_MEMORY, 600);
//   resources.CheckReservation(v1::STORAGE_MEMORY, /*reserved=*/1 << 20, 1);  // 10028
//
// Thread-safe.
#ifndef JSENGINE_STORESVC_STORE_RESOURCES_H_
#define JSENGINE_STORESVC_STORE_RESOURCES_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "proto/store.pb.h"

namespace jsengine::storesvc {

// The server-wide maxima in bytes.
struct StoreLimits {
  int64_t max_memory = 0;
  int64_t max_storage = 0;
};

// `max_memory` and `max_storage` as configured; an unset (negative) one
// takes nats-server's default, as it fixes them at startup: 75% of the
// machine's memory (256 MiB if unknown), 75% of the disk space available to
// `data_dir` (1 TiB if unknown).
StoreLimits ResolveStoreLimits(int64_t max_memory, int64_t max_storage,
                               const std::string& data_dir);

class StoreResources {
 public:
  // A negative maximum: unlimited.
  StoreResources(int64_t max_memory, int64_t max_storage);

  StoreResources(const StoreResources&) = delete;
  StoreResources& operator=(const StoreResources&) = delete;

  int64_t max(v1::StorageType storage) const { return max_[Index(storage)]; }
  int64_t used(v1::StorageType storage) const { return used_[Index(storage)].load(); }
  // What the streams of `storage` hold changed by `delta` bytes.
  void Add(v1::StorageType storage, int64_t delta) { used_[Index(storage)] += delta; }
  // nats-server's limitsExceeded: more is held than the maximum allows.
  bool Exceeded(v1::StorageType storage) const;
  // 10028 or 10047 when `reserved` bytes already reserved plus `add` more
  // exceed the maximum of `storage`.
  absl::Status CheckReservation(v1::StorageType storage, int64_t reserved, int64_t add) const;

 private:
  static int Index(v1::StorageType storage) { return storage == v1::STORAGE_MEMORY ? 0 : 1; }

  const int64_t max_[2];
  std::atomic<int64_t> used_[2] = {0, 0};
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STORE_RESOURCES_H_
