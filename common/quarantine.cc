#include "common/quarantine.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/durable_file.h"
#include "common/status.h"

namespace jsengine::common {

absl::StatusOr<std::string> MoveToQuarantine(const std::string& path,
                                             const std::string& quarantine_dir,
                                             absl::string_view name) {
  JSE_RETURN_IF_ERROR(CreateDirsDurably(quarantine_dir));
  const std::string base =
      absl::StrCat(quarantine_dir, "/", name.substr(0, kMaxQuarantinedName), ".",
                   absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()));
  std::string to = base;
  struct stat st;
  for (int n = 1; lstat(to.c_str(), &st) == 0; ++n) to = absl::StrCat(base, ".", n);
  JSE_RETURN_IF_ERROR(RenameDurably(path, to));
  return to;
}

}  // namespace jsengine::common
