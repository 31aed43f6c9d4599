#include "gateway/jetstream/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace jsengine {
namespace jetstream {

std::string Golden(absl::string_view name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string path = absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "",
                                  "/gateway/jetstream/testdata/", name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "missing golden file %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

}  // namespace jetstream
}  // namespace jsengine
