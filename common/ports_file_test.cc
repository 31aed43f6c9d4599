#include "common/ports_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "testing/util/temp_dir.h"

namespace jsengine::common {
namespace {

TEST(PortsFilePathTest, IsNamedAfterTheExecutableAndPid) {
  EXPECT_EQ(PortsFilePath("/run/p", "/usr/sbin/nats-server", 42), "/run/p/nats-server_42.ports");
  EXPECT_EQ(PortsFilePath("d", "gateway", 7), "d/gateway_7.ports");
}

TEST(ParsePortsTest, ReadsWhatFormatPortsWrites) {
  Ports ports;
  ports.nats = {"nats://127.0.0.1:4222", "nats://10.0.0.1:4222"};
  ports.grpc = {"127.0.0.1:4250"};
  absl::StatusOr<Ports> parsed = ParsePorts(FormatPorts(ports));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->nats, ports.nats);
  EXPECT_EQ(parsed->grpc, ports.grpc);
}

TEST(ParsePortsTest, LeavesOutEmptyLists) {
  Ports ports;
  ports.grpc = {"127.0.0.1:1"};
  EXPECT_EQ(FormatPorts(ports), R"({"grpc":["127.0.0.1:1"]})");
}

TEST(ParsePortsTest, ReadsNatsServersFileIgnoringOtherKeys) {
  absl::StatusOr<Ports> parsed =
      ParsePorts(R"({"nats":["nats://127.0.0.1:34241"],"monitoring":["http://127.0.0.1:8222"]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->nats, std::vector<std::string>{"nats://127.0.0.1:34241"});
  EXPECT_TRUE(parsed->grpc.empty());
  absl::StatusOr<Ports> profiling = ParsePorts(
      R"({"nats":["nats://127.0.0.1:1"],"profile":["http://127.0.0.1:6060"],"websocket":["x"]})");
  ASSERT_TRUE(profiling.ok()) << profiling.status();
  EXPECT_EQ(profiling->profile, std::vector<std::string>{"http://127.0.0.1:6060"});
}

TEST(ParsePortsTest, RejectsAPartlyWrittenFile) {
  EXPECT_EQ(ParsePorts("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePorts(R"({"nats":["nats://127.0.0.1:342)").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePorts(R"({"nats":"nats://127.0.0.1:1"})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePorts(R"({"grpc":[1]})").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PortOfTest, TakesThePortOfAUrlOrAddress) {
  EXPECT_EQ(PortOf("nats://127.0.0.1:4222").value(), 4222);
  EXPECT_EQ(PortOf("127.0.0.1:4250").value(), 4250);
  EXPECT_EQ(PortOf("[::1]:1").value(), 1);
  EXPECT_FALSE(PortOf("nats://127.0.0.1").ok());
  EXPECT_FALSE(PortOf("127.0.0.1:0").ok());
  EXPECT_FALSE(PortOf("127.0.0.1:x").ok());
}

TEST(PortsFileTest, WritesThisProcesssFileAndRemovesItWhenDestroyed) {
  const std::string dir = testing::util::MakeTempDir("ports-");
  const std::string path = PortsFilePath(dir, program_invocation_short_name, getpid());
  EXPECT_EQ(ReadPortsFile(path).status().code(), absl::StatusCode::kNotFound);
  Ports ports;
  ports.grpc = {"127.0.0.1:4250"};
  {
    absl::StatusOr<std::unique_ptr<PortsFile>> file = PortsFile::Write(dir, ports);
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ((*file)->path(), path);
    absl::StatusOr<Ports> read = ReadPortsFile(path);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->grpc, ports.grpc);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                            std::filesystem::directory_iterator()),
              1);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(GrpcOnlyPortsTest, ListsTheListenHostWithTheBoundPort) {
  Ports ports = GrpcOnlyPorts("127.0.0.1:0", 41003);
  EXPECT_EQ(ports.grpc, std::vector<std::string>{"127.0.0.1:41003"});
  EXPECT_TRUE(ports.nats.empty());
}

TEST(PortsFileTest, WritesNothingWithoutADirectory) {
  absl::StatusOr<std::unique_ptr<PortsFile>> file = PortsFile::Write("", Ports());
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(*file, nullptr);
}

TEST(PortsFileTest, FailsWithoutItsDirectory) {
  EXPECT_FALSE(PortsFile::Write("/nonexistent/dir", Ports()).ok());
}

}  // namespace
}  // namespace jsengine::common
