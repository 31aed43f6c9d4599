// Fuzz target: a stream's meta.pb as Open() finds it after a crash or disk
// damage, framed or unframed (pre-framing stores). The input's first byte
// says whether the rest is also framed with the right magic, version, length
// and checksum so the fuzzer gets past them into the protobuf. Decoding must
// succeed or fail cleanly; what decodes names stream "KV", encodes back to a
// frame that decodes to the same StreamInfo, and no strict prefix of that
// frame decodes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/crc32c.h"
#include "storesvc/file_format.h"
#include "storesvc/stream_meta.h"

namespace {

namespace ff = jsengine::storesvc::file_format;
namespace crc32c = jsengine::common::crc32c;
using jsengine::storesvc::DecodeStreamMeta;
using jsengine::storesvc::EncodeStreamMeta;

void Check(bool ok) {
  if (!ok) abort();
}

std::string Framed(absl::string_view payload) {
  std::string file;
  ff::PutFixed64(&file, jsengine::storesvc::kStreamMetaMagic);
  ff::PutFixed32(&file, jsengine::storesvc::kStreamMetaVersion);
  ff::PutFixed32(&file, static_cast<uint32_t>(payload.size()));
  const uint32_t crc =
      crc32c::Extend(crc32c::Value(file.data(), file.size()), payload.data(), payload.size());
  ff::PutFixed32(&file, crc32c::Mask(crc));
  file.append(payload.data(), payload.size());
  return file;
}

void RoundTrip(absl::string_view file) {
  auto info = DecodeStreamMeta(file, "KV");
  if (!info.ok()) return;
  Check(info->config().name() == "KV");
  const std::string again = EncodeStreamMeta(*info);
  auto back = DecodeStreamMeta(again, "KV");
  Check(back.ok() && back->SerializeAsString() == info->SerializeAsString());
  Check(EncodeStreamMeta(*back) == again);
  for (size_t cut : {size_t{0}, again.size() / 2, again.size() - 1}) {
    Check(!DecodeStreamMeta(again.substr(0, cut), "KV").ok());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::string_view fields = input.substr(1);
  RoundTrip(fields);
  if (input[0] & 1) RoundTrip(Framed(fields));
  return 0;
}
