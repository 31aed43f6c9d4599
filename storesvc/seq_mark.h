// SeqMark: what a FileStore last wrote, kept outside the segments
// (<dir>/seq.mark, format in file_format.h) so that recovery can tell when
// segment files lost what they once held: the oldest segment kept, the first
// live sequence and the last sequence given out, as of the last write of
// appends or removals.
//
// FileStore rewrites it in place after every write of its segments, without
// fsync: it survives the death of the process with the segment bytes it
// describes. A newest segment later found shorter than the mark, or an
// oldest segment missing at or above oldest_id, lost messages that recovery
// reports (missing_segments.h). A mark lost or damaged proves nothing.
//
// Thread-safety: pure functions over a value type.
#ifndef JSENGINE_STORESVC_SEQ_MARK_H_
#define JSENGINE_STORESVC_SEQ_MARK_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace jsengine::storesvc {

struct SeqMark {
  // Segments below this id were deleted on purpose (their messages removed).
  uint32_t oldest_id = 0;
  // Every message below first_seq was removed.
  uint64_t first_seq = 0;
  // The highest sequence given out.
  uint64_t last_seq = 0;
};

std::string EncodeSeqMark(const SeqMark& mark);
// nullopt when `file` is empty, damaged or of another version.
std::optional<SeqMark> DecodeSeqMark(absl::string_view file);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_SEQ_MARK_H_
