#include "common/startup_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace jsengine::common {

namespace {

struct Mapping {
  uintptr_t start = 0;
  uintptr_t end = 0;
  bool read_only_file = false;  // r-xp or r--p with an inode.
  uint64_t anonymous_kb = 0;    // Private copies of its pages.
};

// The mappings of /proc/self/smaps.
std::vector<Mapping> ReadMappings() {
  std::vector<Mapping> out;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  while (std::getline(smaps, line)) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() >= 5 && f[0].find('-') != absl::string_view::npos && !absl::EndsWith(f[0], ":")) {
      std::vector<absl::string_view> range = absl::StrSplit(f[0], '-');
      Mapping m;
      if (range.size() != 2 || !absl::SimpleHexAtoi(range[0], &m.start) ||
          !absl::SimpleHexAtoi(range[1], &m.end)) {
        continue;
      }
      m.read_only_file = (f[1] == "r-xp" || f[1] == "r--p") && f[4] != "0";
      out.push_back(m);
    } else if (f.size() >= 2 && f[0] == "Anonymous:" && !out.empty()) {
      if (!absl::SimpleAtoi(f[1], &out.back().anonymous_kb)) out.back().anonymous_kb = 1;
    }
  }
  return out;
}

}  // namespace

size_t DropStartupCodePages() {
  size_t dropped = 0;
  for (const Mapping& m : ReadMappings()) {
    if (!m.read_only_file || m.anonymous_kb != 0) continue;
    if (madvise(reinterpret_cast<void*>(m.start), m.end - m.start, MADV_DONTNEED) == 0)
      dropped += m.end - m.start;
  }
  return dropped;
}

}  // namespace jsengine::common
