// File-system changes that survive a crash or a power cut: fsync of files and
// directories, whole-file replacement, directory creation and renames made
// durable by fsyncing the directories they change; and reading a whole file.
//
// A creation, rename or removal is durable only once its directory is
// fsynced; each function below says which it fsyncs. Errors are
// absl::InternalError naming the operation, the path and errno's text, except
// where said otherwise.
//
// Every call goes through `io` (common/file_io.h; null: FileIo::Posix()),
// except stat(2) and mkdir(2), so that tests can inject faults.
//
// Thread-safe: each call works on the paths it is given.
#ifndef JSENGINE_COMMON_DURABLE_FILE_H_
#define JSENGINE_COMMON_DURABLE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/file_io.h"

namespace jsengine::common {

// fsync(2) of the file or directory at `path`.
absl::Status SyncPath(const std::string& path, FileIo* io = nullptr);

// The directory holding `path` ("." for a bare name).
std::string ParentDir(const std::string& path);

// pwrite(2)s all of `data` to `fd` at `offset`, retrying short writes;
// `path` names the file in errors.
absl::Status WriteFully(int fd, absl::string_view data, uint64_t offset, const std::string& path,
                        FileIo* io = nullptr);

// The whole file at `path`; NotFound when there is none.
absl::StatusOr<std::string> ReadFile(const std::string& path, FileIo* io = nullptr);

// Creates (or truncates) `path` and writes `contents`, without fsync: in
// the page cache, so it survives the process's end but not a power loss
// until the file is fsynced.
absl::Status WriteFile(const std::string& path, absl::string_view contents, FileIo* io = nullptr);

// Creates (or truncates) `path`, writes `contents` and fsyncs the file; its
// directory entry is durable only once the caller fsyncs the directory.
absl::Status WriteFileSynced(const std::string& path, absl::string_view contents,
                             FileIo* io = nullptr);

// Replaces (or creates) `path` with `contents`: writes <path>.tmp, fsyncs it,
// renames it over `path` and fsyncs the directory, so that after a crash the
// file holds either its old or its new contents, never a mix.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents,
                                 FileIo* io = nullptr);

// Creates `dir` and its missing parents, fsyncing the parent of each
// directory it makes. A directory that exists is fine.
absl::Status CreateDirsDurably(const std::string& dir, FileIo* io = nullptr);

// rename(2), then fsyncs the directory of `to` and, if another, of `from`.
absl::Status RenameDurably(const std::string& from, const std::string& to, FileIo* io = nullptr);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_DURABLE_FILE_H_
