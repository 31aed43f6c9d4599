// A stream's configuration kept in two checksummed copies,
// <stream dir>/meta.pb and <stream dir>/meta.pb.bak (each a meta file of
// stream_meta.h), so that one damaged or missing file costs nothing.
//
// WriteStreamMetaCopies replaces meta.pb, then meta.pb.bak, each durably
// (tmp + fsync + rename + fsync of the directory). LoadStreamMetaCopies
// prefers meta.pb, falls back to meta.pb.bak, and rewrites a copy that is
// missing, damaged or older than the other (a crash between the two writes)
// from the one it used, saying so in the log (ERROR for damage, WARNING for a
// stale copy, INFO for a backup that stores of earlier versions never wrote).
//
//   JSE_RETURN_IF_ERROR(WriteStreamMetaCopies(dir, info));
//   absl::StatusOr<v1::StreamInfo> info = LoadStreamMetaCopies(dir, "ORDERS");
//
// Thread-safety: thread-compatible; one caller per directory at a time.
#ifndef JSENGINE_STORESVC_STREAM_META_COPIES_H_
#define JSENGINE_STORESVC_STREAM_META_COPIES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/file_io.h"
#include "proto/store.pb.h"

namespace jsengine::storesvc {

inline constexpr char kStreamMetaFile[] = "meta.pb";
inline constexpr char kStreamMetaBackupFile[] = "meta.pb.bak";

// Every file call of these goes through `io` (null: FileIo::Posix()).

// Writes `info` to both copies in `dir`; an error says which write failed.
absl::Status WriteStreamMetaCopies(const std::string& dir, const v1::StreamInfo& info,
                                   common::FileIo* io = nullptr);

// The StreamInfo of stream `name` from the copies in `dir`. Both missing or
// damaged: a StoreError kBadMeta naming both reasons; a copy the OS does
// not let us read: kIo. A failed repair of a copy is logged, not returned.
absl::StatusOr<v1::StreamInfo> LoadStreamMetaCopies(const std::string& dir, absl::string_view name,
                                                    common::FileIo* io = nullptr);

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STREAM_META_COPIES_H_
