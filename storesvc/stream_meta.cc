#include "storesvc/stream_meta.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "storesvc/file_format.h"
#include "storesvc/store_error.h"

namespace jsengine::storesvc {

using file_format::Fixed32;
using file_format::Fixed64;
using file_format::PutFixed32;
using file_format::PutFixed64;

namespace {

constexpr size_t kVersionOffset = 8;
constexpr size_t kLengthOffset = 12;
constexpr size_t kCrcOffset = 16;

absl::Status BadMeta(absl::string_view what) { return StoreError(StoreErrc::kBadMeta, what); }

absl::Status IoError(absl::string_view what, absl::string_view path) {
  return StoreError(StoreErrc::kIo, absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

uint32_t FrameCrc(const char* header, absl::string_view payload) {
  return common::crc32c::Extend(common::crc32c::Value(header, kCrcOffset), payload.data(),
                                payload.size());
}

absl::StatusOr<v1::StreamInfo> Parse(absl::string_view payload, absl::string_view name) {
  v1::StreamInfo info;
  if (!info.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return BadMeta("not a StreamInfo");
  }
  if (info.config().name() != name) {
    return BadMeta(absl::StrCat("names stream \"", info.config().name(), "\""));
  }
  return info;
}

}  // namespace

std::string EncodeStreamMeta(const v1::StreamInfo& info) {
  const std::string payload = info.SerializeAsString();
  std::string out;
  PutFixed64(&out, kStreamMetaMagic);
  PutFixed32(&out, kStreamMetaVersion);
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  PutFixed32(&out, common::crc32c::Mask(FrameCrc(out.data(), payload)));
  out.append(payload);
  return out;
}

absl::StatusOr<v1::StreamInfo> DecodeStreamMeta(absl::string_view file, absl::string_view name) {
  if (file.empty()) return BadMeta("empty");
  if (file[0] == kUnframedStreamMetaTag) return Parse(file, name);
  if (file.size() < kStreamMetaHeaderSize) return BadMeta("truncated header");
  const char* p = file.data();
  if (Fixed64(p) != kStreamMetaMagic) return BadMeta("bad magic");
  if (Fixed32(p + kVersionOffset) != kStreamMetaVersion) {
    return BadMeta(absl::StrCat("unknown version ", Fixed32(p + kVersionOffset)));
  }
  const absl::string_view payload = file.substr(kStreamMetaHeaderSize);
  if (Fixed32(p + kLengthOffset) != payload.size()) {
    return BadMeta(absl::StrCat("length ", Fixed32(p + kLengthOffset), " but ", payload.size(),
                                " payload bytes"));
  }
  if (common::crc32c::Unmask(Fixed32(p + kCrcOffset)) != FrameCrc(p, payload)) {
    return BadMeta("checksum mismatch");
  }
  return Parse(payload, name);
}

absl::StatusOr<v1::StreamInfo> ReadStreamMeta(const std::string& path, absl::string_view name) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return BadMeta(absl::StrCat(path, " is missing"));
    return IoError("open", path);
  }
  std::string file;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const absl::Status st = IoError("read", path);
      close(fd);
      return st;
    }
    file.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  absl::StatusOr<v1::StreamInfo> info = DecodeStreamMeta(file, name);
  if (!info.ok()) return BadMeta(absl::StrCat(path, ": ", info.status().message()));
  return info;
}

}  // namespace jsengine::storesvc
