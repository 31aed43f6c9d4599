// The two servers a comparison test runs against, the gateway binary and the
// reference nats-server, as a gtest parameter:
//
//   INSTANTIATE_TEST_SUITE_P(Servers, MyTest, BothServers(), BackendName);
#ifndef JSENGINE_TESTING_CORE_BACKENDS_H_
#define JSENGINE_TESTING_CORE_BACKENDS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nats/nats.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {

struct Backend {
  const char* name;
  std::string (*binary)();
};

inline std::string GatewayBinary() { return harness::RunfilePath("gateway/gateway"); }

inline auto BothServers() {
  return ::testing::Values(Backend{"gateway", &GatewayBinary},
                           Backend{"nats_server", &harness::NatsServerBinary});
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// Starts `binary` with `args` on 127.0.0.1 and a free port (-p -1) and waits
// for its ports file; `*process` owns it from then on.
inline absl::StatusOr<common::Ports> StartOnFreePort(const std::string& binary,
                                                     const std::vector<std::string>& args,
                                                     std::unique_ptr<harness::Process>* process) {
  const std::string ports_dir = util::MakeTempDir("ports-");
  std::vector<std::string> all = {"-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", ports_dir};
  all.insert(all.end(), args.begin(), args.end());
  absl::StatusOr<std::unique_ptr<harness::Process>> started = harness::Process::Start(binary, all);
  if (!started.ok()) return started.status();
  *process = *std::move(started);
  absl::StatusOr<common::Ports> ports = (*process)->WaitForPortsFile(ports_dir, absl::Seconds(20));
  if (ports.ok() && ports->nats.empty()) return absl::InternalError("no client port listed");
  return ports;
}

// A loopback port free a moment ago, for a server's second listener
// (cluster, leaf node port) given in its configuration.
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// libnats options for 127.0.0.1:`port`, without reconnects; the caller
// destroys them.
inline natsOptions* LocalClientOptions(int port) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  const std::string url = "nats://127.0.0.1:" + std::to_string(port);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetAllowReconnect(opts, false);
  natsOptions_SetTimeout(opts, 3000);
  return opts;
}

// The reply to a request of `body` on `subject` over `nc` (5 s), or "" on
// failure (a test failure too).
inline std::string RequestText(natsConnection* nc, const std::string& subject,
                               const std::string& body) {
  natsMsg* reply = nullptr;
  const natsStatus s =
      natsConnection_RequestString(&reply, nc, subject.c_str(), body.c_str(), 5000);
  EXPECT_EQ(s, NATS_OK) << subject;
  if (s != NATS_OK) return "";
  std::string data(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
  natsMsg_Destroy(reply);
  return data;
}

}  // namespace jsengine::testing::core

#endif  // JSENGINE_TESTING_CORE_BACKENDS_H_
