// Fresh directories for tests, under the test's own temporary directory
// ($TEST_TMPDIR, which Bazel empties; /tmp outside Bazel).
//
//   std::string dir = util::MakeTempDir("store-");
//
// Thread-safe.
#ifndef JSENGINE_TESTING_UTIL_TEMP_DIR_H_
#define JSENGINE_TESTING_UTIL_TEMP_DIR_H_

#include <string>

#include "absl/strings/string_view.h"

namespace jsengine::testing::util {

// A new empty directory named `prefix` followed by six random characters.
// Aborts the test binary when none can be made: no test can go on without it.
std::string MakeTempDir(absl::string_view prefix);

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_TEMP_DIR_H_
