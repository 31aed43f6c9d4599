// MissingSegments: which segment files of a FileStore recovery should find
// but does not, worked out from what survives.
//
// Segment ids only grow and only the oldest segments are ever deleted, so an
// id missing above the oldest surviving segment is a lost file, and so is
// every id named by state.snap or by an orphan index file (<id>.idx) above
// it (any id at all when no segment survives). Below the oldest surviving
// segment, seq.mark (seq_mark.h) tells: ids from its oldest_id on are lost
// (named by state.snap or an index file or not); without a mark, ids there
// are taken as deleted on purpose. state.snap and seq.mark also prove the
// highest sequence ever given out, which recovery must not hand out again,
// and bound the lowest sequence a lost segment may have held live.
//
//   MissingSegments m = FindMissingSegments({1, 2, 4}, &saved, std::move(orphans), &mark);
//   for (const MissingSegment& s : m.segments) ... s.id, s.records, s.max_seq
//
// Thread-safety: a pure function over value types.
#ifndef JSENGINE_STORESVC_MISSING_SEGMENTS_H_
#define JSENGINE_STORESVC_MISSING_SEGMENTS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "storesvc/saved_state.h"
#include "storesvc/segment_index.h"
#include "storesvc/seq_mark.h"

namespace jsengine::storesvc {

struct MissingSegment {
  uint32_t id = 0;
  // Its index file, when one survived intact: its records up to the size the
  // file covers.
  std::optional<SegmentIndex> records;
  // Its highest message sequence as state.snap recorded it; 0: unknown.
  uint64_t max_seq = 0;
  // Every message below this was removed when state.snap or seq.mark was
  // written (its base_seq, the stream's first_seq then); 0: unknown.
  uint64_t min_seq = 0;
};

struct MissingSegments {
  std::vector<MissingSegment> segments;  // By rising id.
  // The highest sequence state.snap or seq.mark proves was given out; 0: none.
  uint64_t high_water = 0;
  // Above every missing id (1 when none): a new segment must not take the
  // id of a missing one, whose index file may still be there.
  uint32_t next_id = 1;
};

// `present`: the ids of the segment files found, rising. `saved`: state.snap
// as decoded, whether or not it matches the segments (nullptr: none or
// damaged). `orphan_indexes`: index files whose segment is missing, by id,
// decoded (nullopt: damaged). `mark`: seq.mark as decoded (nullptr: none or
// damaged). Index files of ids the rules above take as deleted on purpose
// are not evidence and are left out of the result.
MissingSegments FindMissingSegments(const std::vector<uint32_t>& present, const SavedState* saved,
                                    std::map<uint32_t, std::optional<SegmentIndex>> orphan_indexes,
                                    const SeqMark* mark = nullptr);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_MISSING_SEGMENTS_H_
