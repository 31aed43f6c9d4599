// RaiseOpenFileLimit: lifts this process's soft limit on open files to its
// hard limit, as the Go runtime does for nats-server at startup.
//
// A file stream keeps two descriptors per sealed segment (the segment and
// its .idx) and segments are 8 MiB, so 10M messages of 128 B hold ~400; the
// usual soft limit of 1,024 would end a few such streams with EMFILE while
// the hard limit allows far more.
//
// Thread-safety: call early in main, before other threads open files.
#ifndef JSENGINE_COMMON_OPEN_FILE_LIMIT_H_
#define JSENGINE_COMMON_OPEN_FILE_LIMIT_H_

#include <sys/resource.h>

namespace jsengine::common {

// Returns the soft limit now in force (0 if it cannot be read).
rlim_t RaiseOpenFileLimit();

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_OPEN_FILE_LIMIT_H_
