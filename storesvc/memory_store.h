// MemoryStore: a MessageStore in RAM (StreamConfig.storage = memory).
// Nothing survives the process; Flush() and Sync() do nothing.
//
// Thread-safety: as MessageStore.
#ifndef JSENGINE_STORESVC_MEMORY_STORE_H_
#define JSENGINE_STORESVC_MEMORY_STORE_H_

#include "absl/container/flat_hash_map.h"
#include "storesvc/indexed_store.h"

namespace jsengine::storesvc {

class MemoryStore : public IndexedStore {
 public:
  absl::Status Flush() override { return absl::OkStatus(); }
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status Close() override;
  uint32_t MsgSize(absl::string_view subject, absl::string_view hdr,
                   absl::string_view data) const override;

 protected:
  absl::StatusOr<uint64_t> WriteMessage(uint64_t seq, int64_t ts, absl::string_view subject,
                                        absl::string_view hdr, absl::string_view data) override;
  absl::StatusOr<v1::StoredMessage> ReadMessage(uint64_t seq, const IndexEntry& entry) override;
  absl::Status OnRemoved(uint64_t seq, const IndexEntry& entry, bool record) override;
  absl::Status OnPurgedBefore(uint64_t seq) override { return absl::OkStatus(); }
  // The message was already freed by OnRemoved().
  absl::Status OnErased(uint64_t seq, const IndexEntry& entry) override {
    return absl::OkStatus();
  }

 private:
  absl::flat_hash_map<uint64_t, v1::StoredMessage> msgs_;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_MEMORY_STORE_H_
