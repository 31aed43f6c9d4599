// A whole engine for end-to-end tests, in either deployment:
//
//   kEmbedded      one gateway process hosting the store and consumer services
//   kSeparate      storesvc, consumersvc and a pure gateway: three processes
//   kReference     nats-server -js (the Debian package), to check that a test
//                  expects what the reference does
//
//   auto engine = Topology::Start(Topology::kSeparate);
//   natsConnection_ConnectTo(&nc, engine->nats_url().c_str());
//
// Every server starts on a free port and reports it in its ports file
// (common/ports_file.h); restarts reuse the ports learned so. The data
// directory survives Restart(), so tests can check what is durable.
// Not thread-safe.
#ifndef JSENGINE_TESTING_HARNESS_TOPOLOGY_H_
#define JSENGINE_TESTING_HARNESS_TOPOLOGY_H_

#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/grpc/tls_credentials.h"
#include "testing/harness/harness.h"

namespace jsengine::testing::harness {

class Topology {
 public:
  enum Kind { kEmbedded, kSeparate, kReference };

  // `extra_gateway_args` are appended to the gateway's command line,
  // `extra_store_args` to the store's (the gateway's in kEmbedded; their --sync
  // to the consumersvc's too).
  static absl::StatusOr<std::unique_ptr<Topology>> Start(
      Kind kind, std::vector<std::string> extra_gateway_args = {},
      std::vector<std::string> extra_store_args = {});
  // kEmbedded or kSeparate with every gRPC link over TLS: each process gets
  // `files` as --grpc_tls_cert/--grpc_tls_key/--grpc_tls_ca (one certificate
  // good as server and client), and the harness's health checks use them.
  static absl::StatusOr<std::unique_ptr<Topology>> StartWithGrpcTls(
      Kind kind, const common::grpc::GrpcTlsFiles& files);

  // Stops every process (SIGTERM) and starts them again on the same ports and
  // data directory.
  absl::Status Restart();
  // kSeparate only: stops storesvc with `signal` (SIGKILL: no clean
  // shutdown), runs `while_stopped`, and starts it again; the gateway and
  // consumersvc stay up and reconnect by themselves.
  absl::Status RestartStore(const std::function<void()>& while_stopped, int signal = SIGTERM);
  // kSeparate only: stops consumersvc (SIGTERM) and starts it again on the
  // same address; the gateway stays up and reconnects by itself.
  absl::Status RestartConsumers();
  // Kills the process holding the store with SIGKILL (no clean shutdown) and
  // starts everything again.
  absl::Status CrashAndRestart();

  Kind kind() const { return kind_; }
  std::string nats_url() const;
  int nats_port() const { return nats_port_; }
  // gRPC addresses of the store and consumer services.
  const std::string& store_address() const { return store_address_; }
  const std::string& consumer_address() const { return consumer_address_; }
  const std::string& data_dir() const { return data_dir_; }
  Process* gateway() { return gateway_.get(); }

  static std::string Name(Kind kind) {
    return kind == kEmbedded ? "Embedded" : kind == kSeparate ? "Separate" : "Reference";
  }

 private:
  Topology(Kind kind, std::vector<std::string> extra_gateway_args,
           std::vector<std::string> extra_store_args);
  // The --grpc_tls_* flags of grpc_tls_ ("" when plaintext).
  std::vector<std::string> GrpcTlsArgs() const;
  absl::Status Launch();
  absl::Status StartStore();
  absl::Status StartConsumers();
  // Starts `binary`, waits for its ports file and returns what it lists.
  absl::StatusOr<common::Ports> StartServer(const std::string& binary,
                                            std::vector<std::string> args,
                                            std::unique_ptr<Process>* process);
  void StopAll(int signal);

  const Kind kind_;
  const std::vector<std::string> extra_gateway_args_;
  const std::vector<std::string> extra_store_args_;
  common::grpc::GrpcTlsFiles grpc_tls_;
  common::grpc::GrpcCredentials grpc_credentials_;
  const std::string ports_dir_;
  const std::string data_dir_;
  // 0 and "" until the first Launch() learns them.
  int nats_port_ = 0;
  std::string store_address_;
  std::string consumer_address_;
  std::unique_ptr<Process> store_;
  std::unique_ptr<Process> consumer_;
  std::unique_ptr<Process> gateway_;
};

}  // namespace jsengine::testing::harness

#endif  // JSENGINE_TESTING_HARNESS_TOPOLOGY_H_
