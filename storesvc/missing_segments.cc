#include "storesvc/missing_segments.h"

#include <algorithm>
#include <set>

namespace jsengine::storesvc {
namespace {

constexpr uint32_t kMaxGapIds = 1 << 16;

}  // namespace

MissingSegments FindMissingSegments(
    const std::vector<uint32_t>& present, const SavedState* saved,
    std::map<uint32_t, std::optional<SegmentIndex>> orphan_indexes) {
  MissingSegments out;
  const std::set<uint32_t> found(present.begin(), present.end());
  const uint32_t oldest = present.empty() ? 0 : present.front();
  auto lost = [&](uint32_t id) { return id > oldest && found.count(id) == 0; };
  std::map<uint32_t, MissingSegment> missing;
  for (size_t i = 1; i < present.size(); ++i) {
    // A gap of absurd size (a stray file name) is not enumerated past this.
    const uint32_t end = std::min<uint64_t>(present[i], uint64_t{present[i - 1]} + kMaxGapIds + 1);
    for (uint32_t id = present[i - 1] + 1; id < end; ++id) missing[id].id = id;
  }
  if (saved != nullptr) {
    out.high_water = saved->state.last_seq;
    for (const SavedState::Segment& s : saved->segments) {
      out.high_water = std::max(out.high_water, s.max_seq);
      if (!lost(s.id)) continue;
      missing[s.id].id = s.id;
      missing[s.id].max_seq = s.max_seq;
    }
  }
  for (auto& [id, records] : orphan_indexes) {
    if (!lost(id)) continue;
    missing[id].id = id;
    missing[id].records = std::move(records);
  }
  for (auto& [id, segment] : missing) out.segments.push_back(std::move(segment));
  if (!out.segments.empty()) out.next_id = out.segments.back().id + 1;
  return out;
}

}  // namespace jsengine::storesvc
