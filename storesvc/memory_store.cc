#include "storesvc/memory_store.h"

#include <string>

namespace jsengine::storesvc {

absl::Status MemoryStore::Close() {
  closed_ = true;
  msgs_.clear();
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> MemoryStore::WriteMessage(uint64_t seq, int64_t ts,
                                                   absl::string_view subject,
                                                   absl::string_view hdr,
                                                   absl::string_view data) {
  v1::StoredMessage& m = msgs_[seq];
  m.set_subject(std::string(subject));
  m.set_seq(seq);
  m.set_time_ns(ts);
  m.set_headers(std::string(hdr));
  m.set_data(std::string(data));
  return seq;
}

absl::StatusOr<v1::StoredMessage> MemoryStore::ReadMessage(uint64_t seq, const IndexEntry&) {
  return msgs_.at(seq);
}

absl::Status MemoryStore::OnRemoved(uint64_t seq, const IndexEntry&, bool) {
  msgs_.erase(seq);
  return absl::OkStatus();
}

uint32_t MemoryStore::MsgSize(absl::string_view subject, absl::string_view hdr,
                              absl::string_view data) const {
  return static_cast<uint32_t>(subject.size() + hdr.size() + data.size() + 16);
}

}  // namespace jsengine::storesvc
