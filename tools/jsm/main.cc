// jsm: the engine's admin CLI (see `jsm help` and args.h).
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "common/grpc/tls_credentials.h"
#include "consumersvc/client/remote_consumer_client.h"
#include "glog/logging.h"
#include "nats/nats.h"
#include "storesvc/client/remote_store_client.h"
#include "tools/jsm/args.h"
#include "tools/jsm/commands.h"
#include "tools/jsm/kv_commands.h"
#include "tools/jsm/nats_commands.h"
#include "tools/jsm/prompter.h"

namespace {

// "jsm: <what is wrong>" on one line.
int Fail(const absl::Status& status, int exit_code) {
  std::cerr << "jsm: " << absl::StrReplaceAll(status.message(), {{"\n", " "}}) << std::endl;
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace jsengine;
  // Only what jsm says reaches the user, never the libraries' logs.
  FLAGS_minloglevel = google::GLOG_FATAL + 1;
  const absl::StatusOr<tools::jsm::Args> args =
      tools::jsm::ParseArgs(std::vector<std::string>(argv + 1, argv + argc));
  if (!args.ok()) return Fail(args.status(), 2);
  const absl::StatusOr<tools::jsm::Endpoints> endpoints =
      tools::jsm::ResolveEndpoints(*args, [](const std::string& name) {
        const char* value = std::getenv(name.c_str());
        return std::string(value == nullptr ? "" : value);
      });
  if (!endpoints.ok()) return Fail(endpoints.status(), 2);

  if (tools::jsm::IsNatsVerb(args->verb)) {
    const absl::Status done = tools::jsm::NatsCommands(*endpoints, std::cout).Run(*args);
    std::cout.flush();
    nats_Close();
    return done.ok() ? 0 : Fail(done, 1);
  }

  const absl::StatusOr<common::grpc::GrpcCredentials> credentials =
      common::grpc::GrpcCredentials::Load(
          {endpoints->grpc_tls_cert, endpoints->grpc_tls_key, endpoints->grpc_tls_ca});
  if (!credentials.ok()) return Fail(credentials.status(), 2);
  storesvc::client::RemoteStoreClient store(endpoints->store, endpoints->timeout, *credentials);
  if (args->verb == tools::jsm::Verb::kKv) {
    const absl::Status done = tools::jsm::KvCommands(store, *endpoints, std::cout).Run(*args);
    std::cout.flush();
    return done.ok() ? 0 : Fail(done, 1);
  }
  consumersvc::client::RemoteConsumerClient consumers(endpoints->consumer, endpoints->timeout,
                                                      *credentials);
  tools::jsm::Prompter terminal(std::cin, std::cout);
  tools::jsm::Commands commands(store, consumers, *endpoints,
                                isatty(STDIN_FILENO) ? &terminal : nullptr, std::cout, std::cerr);
  const absl::Status done = commands.Run(*args);
  std::cout.flush();
  if (!done.ok()) return Fail(done, 1);
  return 0;
}
