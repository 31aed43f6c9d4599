#include "storesvc/stream_meta_copies.h"

#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/status.h"
#include "glog/logging.h"
#include "google/protobuf/util/message_differencer.h"
#include "storesvc/store_error.h"
#include "storesvc/stream_meta.h"

namespace jsengine::storesvc {
namespace {

bool IsBadMeta(const absl::Status& status) { return StoreErrorOf(status) == StoreErrc::kBadMeta; }

void Repair(const std::string& path, const v1::StreamInfo& info, common::FileIo* io) {
  absl::Status st = common::WriteFileAtomically(path, EncodeStreamMeta(info), io);
  if (!st.ok()) LOG(ERROR) << "rewriting " << path << ": " << st;
}

}  // namespace

absl::Status WriteStreamMetaCopies(const std::string& dir, const v1::StreamInfo& info,
                                   common::FileIo* io) {
  const std::string file = EncodeStreamMeta(info);
  JSE_RETURN_IF_ERROR(
      common::WriteFileAtomically(absl::StrCat(dir, "/", kStreamMetaFile), file, io));
  return common::WriteFileAtomically(absl::StrCat(dir, "/", kStreamMetaBackupFile), file, io);
}

absl::StatusOr<v1::StreamInfo> LoadStreamMetaCopies(const std::string& dir, absl::string_view name,
                                                    common::FileIo* io) {
  const std::string primary_path = absl::StrCat(dir, "/", kStreamMetaFile);
  const std::string backup_path = absl::StrCat(dir, "/", kStreamMetaBackupFile);
  absl::StatusOr<v1::StreamInfo> primary = ReadStreamMeta(primary_path, name, io);
  if (!primary.ok() && !IsBadMeta(primary.status())) return primary.status();
  absl::StatusOr<v1::StreamInfo> backup = ReadStreamMeta(backup_path, name, io);
  if (!backup.ok() && !IsBadMeta(backup.status())) return backup.status();
  if (!primary.ok() && !backup.ok()) {
    return StoreError(StoreErrc::kBadMeta,
                      absl::StrCat(primary.status().message(), "; ", backup.status().message()));
  }
  if (!primary.ok()) {
    LOG(ERROR) << "stream " << name << ": " << primary.status().message() << "; restoring it from "
               << backup_path << " (no message is lost)";
    Repair(primary_path, *backup, io);
    return backup;
  }
  if (!backup.ok()) {
    if (absl::IsNotFound(common::ReadFile(backup_path, io).status())) {
      LOG(INFO) << "stream " << name << ": writing the backup copy " << backup_path;
    } else {
      LOG(ERROR) << "stream " << name << ": " << backup.status().message() << "; rewriting it from "
                 << primary_path;
    }
    Repair(backup_path, *primary, io);
  } else if (!google::protobuf::util::MessageDifferencer::Equals(*primary, *backup)) {
    LOG(WARNING) << "stream " << name << ": " << backup_path << " is older than " << primary_path
                 << " (a crash between their writes); rewriting it";
    Repair(backup_path, *primary, io);
  }
  return primary;
}

}  // namespace jsengine::storesvc
