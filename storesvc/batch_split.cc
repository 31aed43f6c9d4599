#include "storesvc/batch_split.h"

#include <algorithm>
#include <utility>

namespace jsengine::storesvc {

std::vector<v1::MessageBatch> SplitBatch(v1::MessageBatch batch, size_t max_bytes) {
  if (batch.messages().empty()) return {std::move(batch)};
  v1::MessageBatch header;
  header.set_stream_first_seq(batch.stream_first_seq());
  header.set_stream_last_seq(batch.stream_last_seq());
  header.set_read_through_seq(batch.read_through_seq());
  std::vector<v1::MessageBatch> pieces;
  size_t bytes = 0;
  for (v1::StoredMessage& m : *batch.mutable_messages()) {
    const size_t size = m.ByteSizeLong();
    if (pieces.empty() || (bytes > 0 && bytes + size > max_bytes)) {
      pieces.push_back(header);
      bytes = 0;
    }
    *pieces.back().add_messages() = std::move(m);
    bytes += size;
  }
  // A piece before the last has been read through its last message only.
  for (size_t i = 0; i + 1 < pieces.size(); ++i) {
    const auto& messages = pieces[i].messages();
    pieces[i].set_read_through_seq(
        std::min(header.read_through_seq(), messages[messages.size() - 1].seq()));
  }
  return pieces;
}

}  // namespace jsengine::storesvc
