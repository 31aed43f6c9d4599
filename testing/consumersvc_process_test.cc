// The consumersvc binary as a process: needs --store, serves gRPC health and
// the ConsumerService over a storesvc's streams, exits cleanly on SIGTERM.
#include <signal.h>
#include <sys/wait.h>

#include "common/status.h"
#include "consumersvc/client/remote_consumer_client.h"
#include "gtest/gtest.h"
#include "storesvc/client/remote_store_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

absl::StatusOr<std::string> StartServer(const std::string& binary,
                                        const std::vector<std::string>& args,
                                        std::unique_ptr<harness::Process>* process) {
  const std::string ports_dir = util::MakeTempDir("ports-");
  std::vector<std::string> all = args;
  all.push_back("--ports_file_dir=" + ports_dir);
  auto started = harness::Process::Start(harness::RunfilePath(binary), all);
  if (!started.ok()) return started.status();
  *process = *std::move(started);
  auto ports = (*process)->WaitForPortsFile(ports_dir, kStartTimeout);
  if (!ports.ok()) return ports.status();
  if (ports->grpc.size() != 1) return absl::InternalError("expected one gRPC address");
  absl::Status healthy = harness::WaitForGrpcHealth(ports->grpc[0], kStartTimeout);
  if (!healthy.ok()) return healthy;
  return ports->grpc[0];
}

TEST(ConsumerSvcProcessTest, ServesConsumersOfTheStoresStreams) {
  std::unique_ptr<harness::Process> storesvc;
  auto store_address =
      StartServer("storesvc/storesvc",
                  {"--listen=127.0.0.1:0", "--data_dir=" + util::MakeTempDir("data-")}, &storesvc);
  ASSERT_TRUE(store_address.ok()) << store_address.status();
  std::unique_ptr<harness::Process> consumersvc;
  auto address = StartServer("consumersvc/consumersvc",
                             {"--listen=127.0.0.1:0", "--store=" + *store_address,
                              "--data_dir=" + util::MakeTempDir("consumers-")},
                             &consumersvc);
  ASSERT_TRUE(address.ok()) << address.status();

  consumersvc::client::RemoteConsumerClient consumers(*address);
  v1::CreateConsumerRequest create;
  create.set_stream("ORDERS");
  create.mutable_config()->set_durable_name("worker");
  absl::StatusOr<v1::ConsumerInfo> info = consumers.CreateConsumer(create);
  EXPECT_EQ(common::ToErrorDetail(info.status()).err_code(), 10059) << info.status();

  storesvc::client::RemoteStoreClient store(*store_address);
  v1::CreateStreamRequest stream;
  stream.mutable_config()->set_name("ORDERS");
  stream.mutable_config()->add_subjects("orders.>");
  ASSERT_TRUE(store.CreateStream(stream).ok());
  info = consumers.CreateConsumer(create);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name(), "worker");

  int wait_status = consumersvc->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(wait_status))
      << "killed instead of exiting; log: " << consumersvc->log_path();
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
}

TEST(ConsumerSvcProcessTest, RefusesToStartWithoutAStore) {
  const std::string ports_dir = util::MakeTempDir("ports-");
  auto process = harness::Process::Start(harness::RunfilePath("consumersvc/consumersvc"),
                                         {"--listen=127.0.0.1:0", "--ports_file_dir=" + ports_dir});
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_FALSE((*process)->WaitForPortsFile(ports_dir, kStartTimeout).ok());
  int wait_status = (*process)->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 2);
}

}  // namespace
}  // namespace jsengine::testing
