// Fuzz target: the saved index files Open() trusts after validation, a
// segment's <id>.idx (SegmentIndex) and state.snap (SavedState), as a crash
// or a disk may leave them. The input's first byte picks the format; the
// rest is decoded as is, and again framed with the right magic, version and
// checksum so the fuzzer gets past them into the fields. Decoding must
// succeed or fail cleanly, and whatever decodes must encode back to bytes
// that decode to the same thing.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/crc32c.h"
#include "storesvc/file_format.h"
#include "storesvc/saved_state.h"
#include "storesvc/segment_index.h"

namespace {

namespace ff = jsengine::storesvc::file_format;
using jsengine::storesvc::DecodeSavedState;
using jsengine::storesvc::EncodeSavedState;
using jsengine::storesvc::SavedState;
using jsengine::storesvc::SegmentIndex;

void Check(bool ok) {
  if (!ok) abort();
}

std::string Framed(uint64_t magic, uint32_t version, absl::string_view fields) {
  std::string file;
  ff::PutFixed64(&file, magic);
  ff::PutFixed32(&file, version);
  file.append(fields.data(), fields.size());
  ff::PutFixed32(&file, jsengine::common::crc32c::Mask(
                            jsengine::common::crc32c::Value(file.data(), file.size())));
  return file;
}

void SegmentIndexRoundTrip(absl::string_view file) {
  const uint32_t id = file.size() >= 16 ? ff::Fixed32(file.data() + 12) : 1;
  SegmentIndex index;
  if (!index.Decode(file, id)) return;
  const std::string again = index.Encode(id, index.covered_size(), index.tail_crc());
  SegmentIndex back;
  Check(back.Decode(again, id));
  Check(back.Encode(id, back.covered_size(), back.tail_crc()) == again);
  Check(back.records().size() == index.records().size());
  for (const SegmentIndex::Record& r : back.records()) {
    Check(r.type != ff::kMessage || r.subject < back.subjects().size());
  }
}

void SavedStateRoundTrip(absl::string_view file) {
  SavedState state;
  if (!DecodeSavedState(file, &state)) return;
  const std::string again = EncodeSavedState(state);
  SavedState back;
  Check(DecodeSavedState(again, &back));
  Check(EncodeSavedState(back) == again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::string_view fields = input.substr(1);
  if (input[0] & 1) {
    SavedStateRoundTrip(fields);
    SavedStateRoundTrip(Framed(ff::kSavedStateMagic, ff::kSavedStateVersion, fields));
  } else {
    SegmentIndexRoundTrip(fields);
    SegmentIndexRoundTrip(Framed(ff::kSegmentIndexMagic, ff::kSegmentIndexVersion, fields));
  }
  return 0;
}
