// diskbench: what the disk under a data directory can do by itself, as a
// yardstick for the servers' persistence figures.
//
//   diskbench --dir /tmp/data --write_mib 256 --fsyncs 2000
//
// Prints `RESULT scenario=disk-seq-write ...` (4 KiB appends without fsync,
// plus the rate once a final fdatasync has made them durable) and
// `RESULT scenario=disk-fsync ...` (4 KiB append + fdatasync, per-call
// latency). Its files are removed at the end.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/bench/latency_samples.h"
#include "tools/bench/result_line.h"

ABSL_FLAG(std::string, dir, "/tmp", "directory on the disk to measure");
ABSL_FLAG(int64_t, write_mib, 256, "MiB written by the sequential test");
ABSL_FLAG(int64_t, fsyncs, 2000, "append+fdatasync calls timed");

namespace jsengine::tools::bench {
namespace {

constexpr int kBlock = 4096;

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// An open file that is unlinked when it goes out of scope.
class ScratchFile {
 public:
  explicit ScratchFile(std::string path) : path_(std::move(path)) {}
  ~ScratchFile() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  absl::Status Open() {
    fd_ = open(path_.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
    return fd_ < 0 ? Errno("open", path_) : absl::OkStatus();
  }
  absl::Status Append(const char* data, size_t n) {
    if (write(fd_, data, n) != static_cast<ssize_t>(n)) return Errno("write", path_);
    return absl::OkStatus();
  }
  absl::Status Sync() {
    return fdatasync(fd_) != 0 ? Errno("fdatasync", path_) : absl::OkStatus();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

absl::Status SequentialWrite(const std::string& dir, int64_t mib) {
  ScratchFile file(absl::StrCat(dir, "/diskbench-seq.", getpid()));
  absl::Status st = file.Open();
  if (!st.ok()) return st;
  char block[kBlock];
  std::memset(block, 'd', sizeof(block));
  int64_t blocks = mib * 1024 * 1024 / kBlock;
  absl::Time start = absl::Now();
  for (int64_t i = 0; i < blocks; ++i) {
    st = file.Append(block, sizeof(block));
    if (!st.ok()) return st;
  }
  double write_s = absl::ToDoubleSeconds(absl::Now() - start);
  st = file.Sync();
  if (!st.ok()) return st;
  double durable_s = absl::ToDoubleSeconds(absl::Now() - start);

  ResultLine line("disk-seq-write");
  line.Add("mib", mib)
      .Add("block", int64_t{kBlock})
      .Add("mib_per_sec", MibPerSecond(blocks, kBlock, write_s))
      .Add("durable_mib_per_sec", MibPerSecond(blocks, kBlock, durable_s));
  std::printf("%s\ndisk sequential 4 KiB appends, %lld MiB: %.1f MiB/s buffered, "
              "%.1f MiB/s including the final fdatasync\n",
              line.str().c_str(), static_cast<long long>(mib), MibPerSecond(blocks, kBlock, write_s),
              MibPerSecond(blocks, kBlock, durable_s));
  return absl::OkStatus();
}

absl::Status FsyncLatency(const std::string& dir, int64_t count) {
  ScratchFile file(absl::StrCat(dir, "/diskbench-fsync.", getpid()));
  absl::Status st = file.Open();
  if (!st.ok()) return st;
  char block[kBlock];
  std::memset(block, 'f', sizeof(block));
  LatencySamples samples;
  samples.Reserve(count);
  absl::Time start = absl::Now();
  for (int64_t i = 0; i < count; ++i) {
    absl::Time t0 = absl::Now();
    st = file.Append(block, sizeof(block));
    if (st.ok()) st = file.Sync();
    if (!st.ok()) return st;
    samples.Add(absl::Now() - t0);
  }
  double secs = absl::ToDoubleSeconds(absl::Now() - start);

  ResultLine line("disk-fsync");
  line.Add("count", count)
      .Add("fsyncs_per_sec", PerSecond(count, secs))
      .Add("p50_us", samples.PercentileMicros(50))
      .Add("p99_us", samples.PercentileMicros(99));
  std::printf("%s\ndisk 4 KiB append + fdatasync x%lld: %.0f/s, p50 %.1f us, "
              "p99 %.1f us\n",
              line.str().c_str(), static_cast<long long>(count), PerSecond(count, secs),
              samples.PercentileMicros(50), samples.PercentileMicros(99));
  return absl::OkStatus();
}

}  // namespace
}  // namespace jsengine::tools::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_dir);
  int64_t mib = absl::GetFlag(FLAGS_write_mib);
  int64_t fsyncs = absl::GetFlag(FLAGS_fsyncs);
  if (mib <= 0 || fsyncs <= 0) {
    std::fprintf(stderr, "diskbench: --write_mib and --fsyncs must be positive\n");
    return 2;
  }
  absl::Status st = jsengine::tools::bench::SequentialWrite(dir, mib);
  if (st.ok()) st = jsengine::tools::bench::FsyncLatency(dir, fsyncs);
  if (!st.ok()) {
    std::fprintf(stderr, "diskbench: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
