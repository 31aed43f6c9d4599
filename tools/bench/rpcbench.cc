// rpcbench: what one hop between the gateway and a separate storesvc costs,
// the part of a synchronous publish that the three-process deployment adds.
//
//   storesvc --listen=127.0.0.1:4299 --data_dir=/tmp/rpc &
//   rpcbench --store=127.0.0.1:4299 --msgs=20000
//
// Prints `RESULT scenario=store-append-rtt ...`: storesvc::client::RemoteStoreClient::Append
// of one 128 B message to a memory stream, waiting for each result (the
// gateway's own client, so the same threads and gRPC calls as a publish),
// and `RESULT scenario=tcp-rtt ...`: the same number of 128 B ping-pongs over
// a loopback TCP connection to a child process, the kernel's share.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/mutex_checks.h"
#include "storesvc/client/remote_store_client.h"
#include "tools/bench/latency_samples.h"
#include "tools/bench/result_line.h"

ABSL_FLAG(std::string, store, "127.0.0.1:4250", "address of the storesvc to measure");
ABSL_FLAG(int64_t, msgs, 20000, "round trips timed per scenario");
ABSL_FLAG(int64_t, size, 128, "payload bytes");

namespace jsengine::tools::bench {
namespace {

constexpr char kStream[] = "RPCBENCH";

void Print(const char* scenario, int64_t msgs, LatencySamples& samples) {
  std::printf("%s\n", ResultLine(scenario)
                          .Add("msgs", msgs)
                          .Add("p50_us", samples.PercentileMicros(50))
                          .Add("p90_us", samples.PercentileMicros(90))
                          .Add("p99_us", samples.PercentileMicros(99))
                          .str()
                          .c_str());
}

absl::Status StoreAppendRtt(const std::string& address, int64_t msgs, int64_t size) {
  storesvc::client::RemoteStoreClient client(address);
  v1::CreateStreamRequest create;
  create.mutable_config()->set_name(kStream);
  create.mutable_config()->set_storage(v1::STORAGE_MEMORY);
  auto created = client.CreateStream(create);
  if (!created.ok()) return created.status();
  const std::string payload(size, 'x');
  LatencySamples samples;
  samples.Reserve(msgs);
  absl::Status failed;
  for (int64_t i = -msgs / 10; i < msgs && failed.ok(); ++i) {
    v1::AppendBatch batch;
    v1::AppendRequest* request = batch.add_requests();
    request->set_stream(kStream);
    request->set_subject(kStream);
    request->set_data(payload);
    absl::Notification done;
    const absl::Time start = absl::Now();
    client.Append(std::move(batch), [&](v1::AppendResultBatch results) {
      if (results.results_size() != 1 || results.results(0).has_error()) {
        failed = absl::InternalError(results.DebugString());
      }
      done.Notify();
    });
    done.WaitForNotification();
    if (i >= 0) samples.Add(absl::Now() - start);
  }
  v1::DeleteStreamRequest del;
  del.set_name(kStream);
  client.DeleteStream(del).IgnoreError();
  if (!failed.ok()) return failed;
  Print("store-append-rtt", msgs, samples);
  return absl::OkStatus();
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += n;
  }
  return true;
}

bool ReadExactly(int fd, std::string* buf) {
  size_t off = 0;
  while (off < buf->size()) {
    ssize_t n = read(fd, buf->data() + off, buf->size() - off);
    if (n <= 0) return false;
    off += n;
  }
  return true;
}

absl::Status TcpRtt(int64_t msgs, int64_t size) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 1) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return absl::InternalError("cannot listen on loopback");
  }
  const int one = 1;
  pid_t child = fork();
  if (child == 0) {
    int fd = accept(listener, nullptr, nullptr);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::string buf(size, '\0');
    while (ReadExactly(fd, &buf) && SendAll(fd, buf)) {
    }
    _exit(0);
  }
  close(listener);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  absl::Status status;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    status = absl::InternalError("cannot connect to the echo child");
  }
  LatencySamples samples;
  samples.Reserve(msgs);
  std::string out(size, 'x');
  std::string in(size, '\0');
  for (int64_t i = -msgs / 10; i < msgs && status.ok(); ++i) {
    const absl::Time start = absl::Now();
    if (!SendAll(fd, out) || !ReadExactly(fd, &in)) status = absl::InternalError("echo failed");
    if (i >= 0) samples.Add(absl::Now() - start);
  }
  close(fd);
  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);
  if (status.ok()) Print("tcp-rtt", msgs, samples);
  return status;
}

}  // namespace
}  // namespace jsengine::tools::bench

int main(int argc, char** argv) {
  jsengine::common::SkipMutexDeadlockChecks();
  absl::ParseCommandLine(argc, argv);
  const int64_t msgs = absl::GetFlag(FLAGS_msgs);
  const int64_t size = absl::GetFlag(FLAGS_size);
  absl::Status status =
      jsengine::tools::bench::StoreAppendRtt(absl::GetFlag(FLAGS_store), msgs, size);
  if (status.ok()) status = jsengine::tools::bench::TcpRtt(msgs, size);
  if (!status.ok()) {
    std::fprintf(stderr, "rpcbench: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
