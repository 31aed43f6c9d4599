#include "storesvc/missing_segments.h"

#include <algorithm>
#include <set>

namespace jsengine::storesvc {
namespace {

constexpr uint32_t kMaxGapIds = 1 << 16;

}  // namespace

MissingSegments FindMissingSegments(const std::vector<uint32_t>& present, const SavedState* saved,
                                    std::map<uint32_t, std::optional<SegmentIndex>> orphan_indexes,
                                    const SeqMark* mark) {
  MissingSegments out;
  const std::set<uint32_t> found(present.begin(), present.end());
  const uint32_t oldest = present.empty() ? 0 : present.front();
  auto lost = [&](uint32_t id) {
    if (found.count(id) > 0) return false;
    if (!present.empty() && id > oldest) return true;
    return mark != nullptr ? id >= mark->oldest_id : present.empty();
  };
  std::map<uint32_t, MissingSegment> missing;
  for (size_t i = 1; i < present.size(); ++i) {
    // A gap of absurd size (a stray file name) is not enumerated past this.
    const uint32_t end = std::min<uint64_t>(present[i], uint64_t{present[i - 1]} + kMaxGapIds + 1);
    for (uint32_t id = present[i - 1] + 1; id < end; ++id) missing[id].id = id;
  }
  if (mark != nullptr) {
    out.high_water = mark->last_seq;
    const uint32_t end = present.empty() ? mark->oldest_id + 1 : oldest;
    for (uint32_t id = mark->oldest_id; id < end && id - mark->oldest_id < kMaxGapIds; ++id) {
      missing[id].id = id;
    }
  }
  if (saved != nullptr) {
    out.high_water = std::max(out.high_water, saved->state.last_seq);
    for (const SavedState::Segment& s : saved->segments) {
      out.high_water = std::max(out.high_water, s.max_seq);
      if (!lost(s.id)) continue;
      MissingSegment& m = missing[s.id];
      m.id = s.id;
      m.max_seq = s.max_seq;
      m.min_seq = std::max(s.base_seq, saved->state.first_seq);
    }
  }
  for (auto& [id, records] : orphan_indexes) {
    if (!lost(id)) continue;
    missing[id].id = id;
    missing[id].records = std::move(records);
  }
  for (auto& [id, segment] : missing) {
    if (mark != nullptr) segment.min_seq = std::max(segment.min_seq, mark->first_seq);
    out.segments.push_back(std::move(segment));
  }
  if (!out.segments.empty()) out.next_id = out.segments.back().id + 1;
  return out;
}

}  // namespace jsengine::storesvc
