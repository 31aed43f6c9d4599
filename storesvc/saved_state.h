// SavedState: what FileStore writes at a clean Close() (<dir>/state.snap,
// format in file_format.h and docs/STORAGE_FORMAT.md) so that the next
// Open() can answer stream state at once and load the message index later:
// the segments as they were at close (size, tail check, sequences, live
// bytes), the store's StoreState and the message count of every subject.
// Its size grows with segments and subjects, not with messages.
//
// Thread-safety: pure functions over a value type.
#ifndef JSENGINE_STORESVC_SAVED_STATE_H_
#define JSENGINE_STORESVC_SAVED_STATE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "storesvc/message_store.h"

namespace jsengine::storesvc {

struct SavedState {
  struct Segment {
    uint32_t id = 0;
    uint64_t size = 0;  // Exact file size at close.
    uint32_t tail_crc = 0;
    uint64_t base_seq = 0;
    uint64_t max_seq = 0;
    uint64_t live_bytes = 0;
  };
  std::vector<Segment> segments;  // Oldest first.
  StoreState state;
  std::vector<std::pair<std::string, uint64_t>> subjects;  // Subject, message count.
};

std::string EncodeSavedState(const SavedState& saved);
// False when `file` is damaged or of another version.
bool DecodeSavedState(absl::string_view file, SavedState* saved);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SAVED_STATE_H_
