// The stream meta file, <data_dir>/streams/<name>/meta.pb: a stream's
// v1::StreamInfo (config, created_ns, consumer_filters) framed with a checksum
// (common/framed_file.h), so that recovery tells a damaged file from a valid
// one (docs/STORAGE_FORMAT.md). All integers are little-endian:
//
//   offset  size    field
//   0       8       magic "jsmeta01"
//   8       4       version = 1
//   12      4       payload length
//   16      4       masked CRC-32C (crc32c::Mask) of bytes [0, 16) and the payload
//   20      length  payload: the serialized v1::StreamInfo
//
// Files written before the framing hold the bare serialized StreamInfo. They
// start with 0x0a (field 1, StreamInfo.config, length-delimited), and are
// still read. The magic's first byte differs from 0x0a in two bits, so no
// single flipped bit makes a framed file look unframed.
//
// Thread-safe: pure functions (ReadStreamMeta only reads a file).
#ifndef JSENGINE_STORESVC_STREAM_META_H_
#define JSENGINE_STORESVC_STREAM_META_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/file_io.h"
#include "common/framed_file.h"
#include "proto/store.pb.h"

namespace jsengine::storesvc {

inline constexpr uint64_t kStreamMetaMagic = 0x31306174656d736aull;  // "jsmeta01"
inline constexpr uint32_t kStreamMetaVersion = 1;
inline constexpr size_t kStreamMetaHeaderSize = common::kFrameHeaderSize;
// The first byte of an unframed (pre-framing) meta file.
inline constexpr char kUnframedStreamMetaTag = 0x0a;

std::string EncodeStreamMeta(const v1::StreamInfo& info);

// The StreamInfo in `file` (framed or unframed), which must be of the stream
// `name`; otherwise a StoreError kBadMeta saying what is wrong.
absl::StatusOr<v1::StreamInfo> DecodeStreamMeta(absl::string_view file, absl::string_view name);

// DecodeStreamMeta of the file at `path`, read through `io` (null:
// FileIo::Posix()); a missing file is kBadMeta, a file the OS does not let
// us read kIo.
absl::StatusOr<v1::StreamInfo> ReadStreamMeta(const std::string& path, absl::string_view name,
                                              common::FileIo* io = nullptr);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STREAM_META_H_
