// MeteredMessageStore: a MessageStore that reports what it holds (its
// accounted bytes, StoreState::bytes) to the server's StoreResources, so
// that the server-wide limits see every change, whichever path made it:
// appends, limits, removals, purges, expiry, failed writes, reloads. Close()
// takes the store's bytes back out (a deleted stream holds nothing).
//
//   auto metered = std::make_unique<MeteredMessageStore>(
//       std::move(file_store), v1::STORAGE_FILE, resources);
//
// Thread-safety: as the MessageStore it wraps (Sync() reports nothing, so
// it may still run concurrently). `resources` must outlive this.
#ifndef JSENGINE_STORESVC_METERED_MESSAGE_STORE_H_
#define JSENGINE_STORESVC_METERED_MESSAGE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/store.pb.h"
#include "storesvc/message_store.h"
#include "storesvc/store_resources.h"

namespace jsengine::storesvc {

class MeteredMessageStore final : public MessageStore {
 public:
  MeteredMessageStore(std::unique_ptr<MessageStore> store, v1::StorageType storage,
                      StoreResources* resources);
  ~MeteredMessageStore() override;

  absl::StatusOr<uint64_t> Append(absl::string_view subject, absl::string_view hdr,
                                  absl::string_view data, int64_t ts_ns) override;
  absl::Status Flush() override;
  absl::Status Sync() override { return store_->Sync(); }
  void Compact() override;
  void Checkpoint() override;
  absl::StatusOr<v1::StoredMessage> Load(uint64_t seq) override { return store_->Load(seq); }
  absl::StatusOr<v1::StoredMessage> LoadNext(absl::string_view filter, uint64_t start) override {
    return store_->LoadNext(filter, start);
  }
  absl::StatusOr<v1::StoredMessage> LoadLast(absl::string_view filter) override {
    return store_->LoadLast(filter);
  }
  const std::string* SubjectOf(uint64_t seq) const override { return store_->SubjectOf(seq); }
  uint64_t NextSeq(const SubjectFilters& filters, uint64_t start) const override {
    return store_->NextSeq(filters, start);
  }
  FilteredState Filtered(const SubjectFilters& filters, uint64_t start,
                         bool last_per_subject) const override {
    return store_->Filtered(filters, start, last_per_subject);
  }
  absl::StatusOr<bool> Remove(uint64_t seq) override;
  absl::StatusOr<bool> Erase(uint64_t seq) override;
  absl::StatusOr<uint64_t> Purge(absl::string_view filter, uint64_t before, uint64_t keep) override;
  uint64_t SeqForTime(int64_t ts_ns) const override { return store_->SeqForTime(ts_ns); }
  StoreState State() const override { return store_->State(); }
  uint64_t SubjectCount(absl::string_view subject) const override {
    return store_->SubjectCount(subject);
  }
  std::map<std::string, uint64_t> SubjectCounts(absl::string_view filter) const override {
    return store_->SubjectCounts(filter);
  }
  std::vector<uint64_t> DeletedSeqs() const override { return store_->DeletedSeqs(); }
  LostData Lost() const override { return store_->Lost(); }
  uint32_t MsgSize(absl::string_view subject, absl::string_view hdr,
                   absl::string_view data) const override {
    return store_->MsgSize(subject, hdr, data);
  }
  void SetCompressData(bool compress) override { store_->SetCompressData(compress); }
  uint64_t write_failures() const override { return store_->write_failures(); }
  absl::Status last_write_failure() const override { return store_->last_write_failure(); }
  absl::Status Reload() override;
  absl::Status Close() override;

 private:
  // Reports the change in the store's bytes since the last report.
  void Report();

  const std::unique_ptr<MessageStore> store_;
  const v1::StorageType storage_;
  StoreResources* const resources_;
  int64_t reported_ = 0;
  bool closed_ = false;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_METERED_MESSAGE_STORE_H_
