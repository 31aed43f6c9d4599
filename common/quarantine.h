// Quarantine: where recovery puts what it cannot read (a stream or consumer
// directory whose configuration is damaged, a damaged journal) instead of
// deleting it, so an operator can inspect, recover or delete it. Nothing
// reads a quarantine folder again.
//
// Thread-safe: each call works on the paths it is given.
#ifndef JSENGINE_COMMON_QUARANTINE_H_
#define JSENGINE_COMMON_QUARANTINE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::common {

// How much of a name its quarantined copy's name keeps, leaving room under
// NAME_MAX (255) for ".<UTC time>.<n>".
inline constexpr size_t kMaxQuarantinedName = 200;

// Renames `path`, untouched, to a new <quarantine_dir>/<name>.<UTC time as
// YYYYMMDDTHHMMSSZ>, with .1, .2, ... appended if that is taken (an earlier
// quarantined copy is never overwritten), `name` cut to kMaxQuarantinedName
// bytes. Creates `quarantine_dir` if needed; the rename is made durable by
// fsyncing both directories (and the parents of those created). Returns the
// new path.
absl::StatusOr<std::string> MoveToQuarantine(const std::string& path,
                                             const std::string& quarantine_dir,
                                             absl::string_view name);

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_QUARANTINE_H_
