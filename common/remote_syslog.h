// nats-server's -r/--remote_syslog: log lines sent to a syslog server, in
// the form nats-server's remote logger (Go's log/syslog over a network
// connection) writes them:
//
//   <PRI>TIMESTAMP HOSTNAME TAG[PID]: MESSAGE\n
//
// PRI is the severity alone (facility 0, as nats-server dials with
// LOG_DEBUG), TIMESTAMP RFC 3339 in local time to the second
// ("2026-12-03T09:00:00Z", "2026-12-03T10:00:00+01:00"). The address is
// udp://host:port, tcp://host:port or unix:///path (a stream socket, or a
// datagram one such as /dev/log); like nats-server, no other form.
//
//   JSE_ASSIGN_OR_RETURN(auto remote, RemoteSyslog::Connect("udp://127.0.0.1:514", "gateway"));
//   remote->Send(LOG_WARNING, "careful");
//
// UDP datagrams that nobody receives are lost, as with nats-server; a
// stream connection that breaks is made again for the next line. Thread-safe.
#ifndef JSENGINE_COMMON_REMOTE_SYSLOG_H_
#define JSENGINE_COMMON_REMOTE_SYSLOG_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace jsengine::common {

struct RemoteSyslogAddress {
  enum Network { kUdp, kTcp, kUnix };
  Network network = kUdp;
  std::string host;  // kUdp, kTcp
  std::string port;  // kUdp, kTcp
  std::string path;  // kUnix
};

// InvalidArgument, naming the accepted forms, for anything else.
absl::StatusOr<RemoteSyslogAddress> ParseRemoteSyslogAddress(absl::string_view url);

// One line as sent: `severity` 0-7 (syslog(3)'s LOG_EMERG..LOG_DEBUG).
std::string FormatRemoteSyslogLine(int severity, absl::Time time, absl::TimeZone zone,
                                   absl::string_view hostname, absl::string_view tag, int pid,
                                   absl::string_view message);

class RemoteSyslog {
 public:
  // Resolves and connects (a UDP socket is connected too, so only the
  // server's datagrams reach it); the error says where it could not.
  static absl::StatusOr<std::unique_ptr<RemoteSyslog>> Connect(absl::string_view url,
                                                               std::string tag);
  ~RemoteSyslog();

  RemoteSyslog(const RemoteSyslog&) = delete;
  RemoteSyslog& operator=(const RemoteSyslog&) = delete;

  // Sends one line; failures are dropped (logging must not stop the
  // server). LOG_INFO goes as LOG_NOTICE: nats-server's severity for what
  // it logs as information.
  void Send(int severity, absl::string_view message);

 private:
  RemoteSyslog(RemoteSyslogAddress address, std::string tag);
  absl::Status Reconnect() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Write(absl::string_view line) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RemoteSyslogAddress address_;
  const std::string tag_;
  const std::string hostname_;
  absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_REMOTE_SYSLOG_H_
