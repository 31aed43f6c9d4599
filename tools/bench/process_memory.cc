#include "tools/bench/process_memory.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace jsengine::tools::bench {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<int64_t> StatusFieldKib(absl::string_view status, absl::string_view field) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, field) || !absl::ConsumePrefix(&line, ":")) continue;
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumeSuffix(&line, "kB")) break;
    int64_t kib = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) break;
    return kib;
  }
  return absl::NotFoundError(absl::StrCat("no ", field, " in the status"));
}

absl::StatusOr<std::vector<pid_t>> ParsePids(absl::string_view text) {
  std::vector<pid_t> pids;
  for (absl::string_view word : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int pid = 0;
    if (!absl::SimpleAtoi(word, &pid) || pid <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad pid '", word, "'"));
    }
    pids.push_back(pid);
  }
  return pids;
}

absl::Status ProcessMemory::ResetPeak() const {
  for (pid_t pid : pids_) {
    const std::string path = absl::StrCat("/proc/", pid, "/clear_refs");
    std::ofstream out(path);
    out << "5";
    out.close();
    if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ProcessMemory::Sum(absl::string_view field,
                                           std::vector<int64_t>* each) const {
  int64_t total = 0;
  if (each != nullptr) each->clear();
  for (pid_t pid : pids_) {
    absl::StatusOr<std::string> status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
    if (!status.ok()) return status.status();
    absl::StatusOr<int64_t> kib = StatusFieldKib(*status, field);
    if (!kib.ok()) return kib.status();
    total += *kib;
    if (each != nullptr) each->push_back(*kib);
  }
  return total;
}

absl::StatusOr<int64_t> ProcessMemory::RssKib(std::vector<int64_t>* each) const {
  return Sum("VmRSS", each);
}

absl::StatusOr<int64_t> ProcessMemory::PeakKib(std::vector<int64_t>* each) const {
  return Sum("VmHWM", each);
}

}  // namespace jsengine::tools::bench
