// Fuzz target: segment records as recovery reads them from disk, where any
// byte may be torn or corrupt. Raw inputs must parse or fail cleanly with
// every view inside the buffer; inputs whose first byte is odd are also cut
// into fields, encoded as records and must parse back to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "storesvc/nats_headers.h"
#include "storesvc/segment_record.h"

namespace {

using jsengine::storesvc::ParseSegmentRecord;
using jsengine::storesvc::SegmentRecord;

void Check(bool ok) {
  if (!ok) abort();
}

bool Within(absl::string_view view, const char* buf, size_t n) {
  return view.empty() || (view.data() >= buf && view.data() + view.size() <= buf + n);
}

void ParseAll(const char* buf, size_t n) {
  size_t pos = 0;
  while (pos < n) {
    SegmentRecord record;
    if (!ParseSegmentRecord(buf + pos, n - pos, &record).ok()) return;
    Check(record.total_size > 0 && record.total_size <= n - pos);
    Check(Within(record.subject, buf + pos, record.total_size));
    Check(Within(record.hdr, buf + pos, record.total_size));
    Check(Within(record.data, buf + pos, record.total_size));
    jsengine::storesvc::FindHeader(record.hdr, "Nats-Msg-Id");
    jsengine::storesvc::FindUintHeader(record.hdr, "Nats-Expected-Last-Sequence");
    pos += record.total_size;
  }
}

void RoundTrip(absl::string_view input) {
  size_t third = input.size() / 3;
  absl::string_view subject = input.substr(0, third);
  absl::string_view hdr = input.substr(third, third);
  absl::string_view data = input.substr(2 * third);
  uint64_t seq = input.size() * 7919u + 1;
  int64_t ts = static_cast<int64_t>(input.size()) * 1000003;
  std::string encoded;
  jsengine::storesvc::AppendMessageRecord(&encoded, seq, ts, subject, hdr, data);
  SegmentRecord record;
  Check(ParseSegmentRecord(encoded.data(), encoded.size(), &record).ok());
  Check(record.total_size == encoded.size() && record.seq == seq && record.ts == ts);
  Check(record.subject == subject && record.hdr == hdr && record.data == data);
  // Every strict prefix is a torn write: it must be refused, never misread.
  for (size_t cut : {size_t{0}, encoded.size() / 2, encoded.size() - 1}) {
    SegmentRecord torn;
    Check(!ParseSegmentRecord(encoded.data(), cut, &torn).ok());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* buf = reinterpret_cast<const char*>(data);
  ParseAll(buf, size);
  if (size > 0 && (data[0] & 1)) RoundTrip(absl::string_view(buf + 1, size - 1));
  return 0;
}
