#include "storesvc/batch_split.h"

#include <utility>

namespace jsengine::storesvc {

std::vector<v1::MessageBatch> SplitBatch(v1::MessageBatch batch, size_t max_bytes) {
  std::vector<v1::MessageBatch> pieces;
  v1::MessageBatch header;
  header.set_stream_first_seq(batch.stream_first_seq());
  header.set_stream_last_seq(batch.stream_last_seq());
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
  if (pieces.empty()) pieces.push_back(std::move(batch));
  return pieces;
}

}  // namespace jsengine::storesvc
