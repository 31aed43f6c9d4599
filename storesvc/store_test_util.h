// Helpers shared by the storage tests: fresh temporary directories.
#ifndef JSENGINE_STORESVC_STORE_TEST_UTIL_H_
#define JSENGINE_STORESVC_STORE_TEST_UTIL_H_

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "unistd.h"

namespace jsengine::storesvc {

// A new empty directory under the test's temporary directory.
inline std::string NewTestDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(base != nullptr ? base : "/tmp", "/", tag, "_", getpid(), "_",
                                 counter++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_STORE_TEST_UTIL_H_
