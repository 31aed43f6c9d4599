// File-system changes that survive a crash or a power cut: fsync of files and
// directories, whole-file replacement, directory creation and renames made
// durable by fsyncing the directories they change; and reading a whole file.
//
// A creation, rename or removal is durable only once its directory is
// fsynced; each function below says which it fsyncs. Errors are
// absl::InternalError naming the operation, the path and errno's text, except
// where said otherwise.
//
// Thread-safe: each call works on the paths it is given.
#ifndef JSENGINE_COMMON_DURABLE_FILE_H_
#define JSENGINE_COMMON_DURABLE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::common {

// fsync(2) of the file or directory at `path`.
absl::Status SyncPath(const std::string& path);

// The directory holding `path` ("." for a bare name).
std::string ParentDir(const std::string& path);

// write(2)s all of `data` to `fd`, retrying short writes; `path` names the
// file in errors.
absl::Status WriteFully(int fd, absl::string_view data, const std::string& path);

// The whole file at `path`; NotFound when there is none.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Creates (or truncates) `path`, writes `contents` and fsyncs the file; its
// directory entry is durable only once the caller fsyncs the directory.
absl::Status WriteFileSynced(const std::string& path, absl::string_view contents);

// Replaces (or creates) `path` with `contents`: writes <path>.tmp, fsyncs it,
// renames it over `path` and fsyncs the directory, so that after a crash the
// file holds either its old or its new contents, never a mix.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// Creates `dir` and its missing parents, fsyncing the parent of each
// directory it makes. A directory that exists is fine.
absl::Status CreateDirsDurably(const std::string& dir);

// rename(2), then fsyncs the directory of `to` and, if another, of `from`.
absl::Status RenameDurably(const std::string& from, const std::string& to);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_DURABLE_FILE_H_
