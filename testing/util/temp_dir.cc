#include "testing/util/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace jsengine::testing::util {

std::string MakeTempDir(absl::string_view prefix) {
  const char* base = getenv("TEST_TMPDIR");
  std::string path =
      absl::StrCat(base != nullptr && *base != '\0' ? base : "/tmp", "/", prefix, "XXXXXX");
  if (mkdtemp(path.data()) == nullptr) {
    fprintf(stderr, "mkdtemp %s: %s\n", path.c_str(), strerror(errno));
    abort();
  }
  return path;
}

}  // namespace jsengine::testing::util
