#include "storesvc/metered_message_store.h"

#include <utility>

namespace jsengine::storesvc {

MeteredMessageStore::MeteredMessageStore(std::unique_ptr<MessageStore> store,
                                         v1::StorageType storage, StoreResources* resources)
    : store_(std::move(store)), storage_(storage), resources_(resources) {
  Report();
}

MeteredMessageStore::~MeteredMessageStore() {
  if (!closed_) resources_->Add(storage_, -reported_);
}

void MeteredMessageStore::Report() {
  if (closed_) return;
  const int64_t bytes = static_cast<int64_t>(store_->State().bytes);
  if (bytes == reported_) return;
  resources_->Add(storage_, bytes - reported_);
  reported_ = bytes;
}

absl::StatusOr<uint64_t> MeteredMessageStore::Append(absl::string_view subject,
                                                     absl::string_view hdr, absl::string_view data,
                                                     int64_t ts_ns) {
  absl::StatusOr<uint64_t> seq = store_->Append(subject, hdr, data, ts_ns);
  Report();
  return seq;
}

absl::Status MeteredMessageStore::Flush() {
  absl::Status st = store_->Flush();
  Report();
  return st;
}

void MeteredMessageStore::Compact() {
  store_->Compact();
  Report();
}

void MeteredMessageStore::Checkpoint() {
  store_->Checkpoint();
  Report();
}

absl::StatusOr<bool> MeteredMessageStore::Remove(uint64_t seq) {
  absl::StatusOr<bool> removed = store_->Remove(seq);
  Report();
  return removed;
}

absl::StatusOr<bool> MeteredMessageStore::Erase(uint64_t seq) {
  absl::StatusOr<bool> erased = store_->Erase(seq);
  Report();
  return erased;
}

absl::StatusOr<uint64_t> MeteredMessageStore::Purge(absl::string_view filter, uint64_t before,
                                                    uint64_t keep) {
  absl::StatusOr<uint64_t> purged = store_->Purge(filter, before, keep);
  Report();
  return purged;
}

absl::Status MeteredMessageStore::Reload() {
  absl::Status st = store_->Reload();
  Report();
  return st;
}

absl::Status MeteredMessageStore::Close() {
  resources_->Add(storage_, -reported_);
  reported_ = 0;
  closed_ = true;
  return store_->Close();
}

}  // namespace jsengine::storesvc
