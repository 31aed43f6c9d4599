// The store and consumer services as a client with no generated stubs of
// ours sees them, in both deployments: it lists the services through server
// reflection, fetches their descriptors, and calls admin RPCs by name with
// messages built from those descriptors.
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "testing/harness/topology.h"
#include "testing/reflection/reflection.grpc.pb.h"

namespace jsengine::testing {
namespace {

namespace reflection = ::grpc::reflection::v1alpha;
namespace protobuf = ::google::protobuf;
using ::testing::IsSupersetOf;

// A reflection client of one server. Not thread-safe.
class Reflection {
 public:
  explicit Reflection(const std::string& address)
      : channel_(::grpc::CreateChannel(address, ::grpc::InsecureChannelCredentials())),
        stub_(reflection::ServerReflection::NewStub(channel_)),
        stream_(stub_->ServerReflectionInfo(&context_)) {}

  ~Reflection() {
    stream_->WritesDone();
    stream_->Finish().ok();
  }

  std::vector<std::string> Services() {
    reflection::ServerReflectionRequest request;
    request.set_list_services("");
    const reflection::ServerReflectionResponse response = Ask(request);
    std::vector<std::string> names;
    for (const auto& service : response.list_services_response().service()) {
      names.push_back(service.name());
    }
    return names;
  }

  // Adds the file declaring `symbol`, and what it imports, to the pool.
  void Load(const std::string& symbol) {
    reflection::ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    const reflection::ServerReflectionResponse response = Ask(request);
    EXPECT_FALSE(response.has_error_response()) << response.error_response().error_message();
    for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
      protobuf::FileDescriptorProto file;
      ASSERT_TRUE(file.ParseFromString(bytes));
      database_.Add(file);
    }
  }

  const protobuf::DescriptorPool& pool() const { return pool_; }

  // Calls `method` ("package.Service.Method") by name with a request read
  // from `request_json`; returns the answer as JSON, or "error: <message>".
  std::string Call(const std::string& method, const std::string& request_json) {
    const protobuf::MethodDescriptor* descriptor = pool_.FindMethodByName(method);
    if (descriptor == nullptr) return "error: no method " + method;
    std::unique_ptr<protobuf::Message> request(
        factory_.GetPrototype(descriptor->input_type())->New());
    if (!protobuf::util::JsonStringToMessage(request_json, request.get()).ok()) {
      return "error: bad request JSON";
    }
    const std::string bytes = request->SerializeAsString();
    ::grpc::Slice slice(bytes);
    ::grpc::ByteBuffer request_buffer(&slice, 1);
    ::grpc::ByteBuffer response_buffer;
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ::grpc::GenericStub stub(channel_);
    absl::Notification done;
    ::grpc::Status status;
    const std::string path = "/" + descriptor->service()->full_name() + "/" + descriptor->name();
    stub.UnaryCall(&context, path, ::grpc::StubOptions(), &request_buffer, &response_buffer,
                   [&](::grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    if (!status.ok()) return "error: " + status.error_message();
    std::vector<::grpc::Slice> slices;
    if (!response_buffer.Dump(&slices).ok()) return "error: unreadable answer";
    std::string answer;
    for (const ::grpc::Slice& s : slices)
      answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
    std::unique_ptr<protobuf::Message> response(
        factory_.GetPrototype(descriptor->output_type())->New());
    if (!response->ParseFromString(answer))
      return "error: answer is not a " + descriptor->output_type()->full_name();
    std::string json;
    protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    if (!protobuf::util::MessageToJsonString(*response, &json, options).ok()) {
      return "error: answer not printable";
    }
    return json;
  }

 private:
  reflection::ServerReflectionResponse Ask(const reflection::ServerReflectionRequest& request) {
    reflection::ServerReflectionResponse response;
    EXPECT_TRUE(stream_->Write(request));
    EXPECT_TRUE(stream_->Read(&response));
    return response;
  }

  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<reflection::ServerReflection::Stub> stub_;
  ::grpc::ClientContext context_;
  std::unique_ptr<::grpc::ClientReaderWriter<reflection::ServerReflectionRequest,
                                             reflection::ServerReflectionResponse>>
      stream_;
  protobuf::SimpleDescriptorDatabase database_;
  protobuf::DescriptorPool pool_{&database_};
  protobuf::DynamicMessageFactory factory_{&pool_};
};

class GrpcReflectionTest : public ::testing::TestWithParam<harness::Topology::Kind> {
 protected:
  void SetUp() override {
    auto engine = harness::Topology::Start(GetParam());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }

  std::unique_ptr<harness::Topology> engine_;
};

TEST_P(GrpcReflectionTest, ListsTheAdminServices) {
  EXPECT_THAT(Reflection(engine_->store_address()).Services(),
              IsSupersetOf({"jsengine.v1.StoreService", "grpc.health.v1.Health"}));
  EXPECT_THAT(Reflection(engine_->consumer_address()).Services(),
              IsSupersetOf({"jsengine.v1.ConsumerService", "grpc.health.v1.Health"}));
}

TEST_P(GrpcReflectionTest, CallsAdminRpcsByNameWithoutOurStubs) {
  Reflection store(engine_->store_address());
  store.Load("jsengine.v1.StoreService");
  const protobuf::ServiceDescriptor* service =
      store.pool().FindServiceByName("jsengine.v1.StoreService");
  ASSERT_NE(service, nullptr);
  EXPECT_NE(service->FindMethodByName("GetStreamInfo"), nullptr);

  const std::string created =
      store.Call("jsengine.v1.StoreService.CreateStream",
                 R"({"config": {"name": "REFLECTED", "subjects": ["reflected.*"]}})");
  EXPECT_THAT(created, ::testing::HasSubstr(R"("name":"REFLECTED")"));
  EXPECT_THAT(store.Call("jsengine.v1.StoreService.GetStreamInfo", R"({"name": "REFLECTED"})"),
              ::testing::HasSubstr(R"("subjects":["reflected.*"])"));
  EXPECT_EQ(store.Call("jsengine.v1.StoreService.GetStreamInfo", R"({"name": "NOPE"})"),
            "error: stream not found");

  Reflection consumers(engine_->consumer_address());
  consumers.Load("jsengine.v1.ConsumerService");
  EXPECT_THAT(consumers.Call("jsengine.v1.ConsumerService.CreateConsumer",
                             R"({"stream": "REFLECTED", "config": {"durable_name": "by-name",
                         "ack_policy": "ACK_EXPLICIT"}})"),
              ::testing::HasSubstr(R"("name":"by-name")"));
  EXPECT_THAT(
      consumers.Call("jsengine.v1.ConsumerService.ConsumerNames", R"({"stream": "REFLECTED"})"),
      ::testing::HasSubstr(R"("names":["by-name"])"));
}

INSTANTIATE_TEST_SUITE_P(Deployments, GrpcReflectionTest,
                         ::testing::Values(harness::Topology::kEmbedded,
                                           harness::Topology::kSeparate),
                         [](const ::testing::TestParamInfo<harness::Topology::Kind>& info) {
                           return harness::Topology::Name(info.param);
                         });

}  // namespace
}  // namespace jsengine::testing
