#include "tools/jsm/args.h"

#include <map>

#include "gtest/gtest.h"

namespace jsengine::tools::jsm {
namespace {

TEST(ParseArgsTest, SeedVerbsAndTodaysNamesAreTheSameCommand) {
  const std::pair<std::vector<std::string>, Verb> cases[] = {
      {{"add"}, Verb::kAdd},
      {{"stream", "add"}, Verb::kAdd},
      {{"list"}, Verb::kList},
      {{"ls"}, Verb::kList},
      {{"stream", "ls"}, Verb::kList},
      {{"info", "S"}, Verb::kInfo},
      {{"stream", "info", "S"}, Verb::kInfo},
      {{"rm", "S"}, Verb::kRm},
      {{"stream", "rm", "S"}, Verb::kRm},
      {{"purge", "S"}, Verb::kPurge},
      {{"get", "S", "1"}, Verb::kGet},
      {{"edit", "S"}, Verb::kEdit},
      {{"rm-msg", "S", "1"}, Verb::kRmMsg},
      {{"add-obs"}, Verb::kAddObs},
      {{"consumer", "add"}, Verb::kAddObs},
      {{"ls-obs", "S"}, Verb::kLsObs},
      {{"consumer", "ls", "S"}, Verb::kLsObs},
      {{"info-obs", "S", "C"}, Verb::kInfoObs},
      {{"consumer", "info", "S", "C"}, Verb::kInfoObs},
      {{"rm-obs", "S", "C"}, Verb::kRmObs},
      {{"consumer", "rm", "S", "C"}, Verb::kRmObs},
      {{"next", "S", "C"}, Verb::kNext},
      {{"consumer", "next", "S", "C"}, Verb::kNext},
      {{"pub", "a", "b"}, Verb::kPub},
      {{"sub", "a"}, Verb::kSub},
      {{"req", "a", "b"}, Verb::kReq},
      {{"request", "a", "b"}, Verb::kReq},
      {{"kv", "get", "b", "k"}, Verb::kKv},
  };
  for (const auto& [argv, verb] : cases) {
    absl::StatusOr<Args> args = ParseArgs(argv);
    ASSERT_TRUE(args.ok()) << argv[0] << ": " << args.status();
    EXPECT_EQ(args->verb, verb) << argv[0];
  }
}

TEST(ParseArgsTest, PositionalArgumentsFollowTheVerbsWords) {
  absl::StatusOr<Args> args = ParseArgs({"consumer", "info", "devices-events", "temperature"});
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->positional, (std::vector<std::string>{"devices-events", "temperature"}));
}

TEST(ParseArgsTest, FlagsGoAnywhereInEitherForm) {
  absl::StatusOr<Args> args =
      ParseArgs({"--store", "h:1", "add", "S", "--subjects=a.*,b", "--max-msgs", "-1", "--json"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->verb, Verb::kAdd);
  EXPECT_EQ(args->positional, std::vector<std::string>{"S"});
  EXPECT_EQ(args->Get("store"), "h:1");
  EXPECT_EQ(args->Get("subjects"), "a.*,b");
  EXPECT_EQ(args->Get("max-msgs"), "-1");
  EXPECT_TRUE(args->Has("json"));
  EXPECT_FALSE(args->Has("pull"));
  EXPECT_EQ(args->Get("pull"), "");
  EXPECT_EQ(ParseArgs({"sub", "a", "--count", "2"})->Get("count"), "2");
}

TEST(ParseArgsTest, NoCommandOrHelpFlagAsksForHelp) {
  EXPECT_EQ(ParseArgs({})->verb, Verb::kHelp);
  EXPECT_EQ(ParseArgs({"help"})->verb, Verb::kHelp);
  EXPECT_EQ(ParseArgs({"add", "-h"})->verb, Verb::kHelp);
  EXPECT_EQ(ParseArgs({"--help"})->verb, Verb::kHelp);
}

TEST(ParseArgsTest, RejectsWhatItDoesNotKnow) {
  EXPECT_EQ(ParseArgs({"frobnicate"}).status().message(),
            "unknown command \"frobnicate\" (see jsm help)");
  EXPECT_EQ(ParseArgs({"stream", "frob"}).status().message(),
            "unknown command \"stream frob\" (see jsm help)");
  EXPECT_EQ(ParseArgs({"ls", "--colour"}).status().message(),
            "unknown flag --colour (see jsm help)");
  EXPECT_EQ(ParseArgs({"add", "--subjects"}).status().message(), "flag --subjects needs a value");
  EXPECT_EQ(ParseArgs({"add", "--pull=yes"}).status().message(), "flag --pull takes no value");
}

TEST(ExpectPositionalTest, SaysWhatIsWrongWithTheUsage) {
  EXPECT_TRUE(ExpectPositional(*ParseArgs({"info", "S"}), 1, "info <set>").ok());
  EXPECT_EQ(ExpectPositional(*ParseArgs({"info"}), 1, "info <set>").message(),
            "missing arguments: jsm info <set>");
  EXPECT_EQ(ExpectPositional(*ParseArgs({"info", "S", "T"}), 1, "info <set>").message(),
            "too many arguments: jsm info <set>");
}

TEST(ParseArgsTest, DoubleDashEndsFlags) {
  absl::StatusOr<Args> args = ParseArgs({"info", "--", "--odd"});
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->positional, std::vector<std::string>{"--odd"});
}

TEST(ResolveEndpointsTest, FlagsBeatEnvironmentBeatsDefaults) {
  std::map<std::string, std::string> env;
  auto getenv = [&](const std::string& name) { return env[name]; };

  Endpoints defaults = *ResolveEndpoints(*ParseArgs({"ls"}), getenv);
  EXPECT_EQ(defaults.store, "127.0.0.1:4250");
  EXPECT_EQ(defaults.consumer, "127.0.0.1:4250");
  EXPECT_EQ(defaults.nats, "nats://127.0.0.1:4222");
  EXPECT_EQ(defaults.timeout, std::chrono::seconds(5));

  env["JSM_STORE"] = "s:1";
  env["JSM_CONSUMER"] = "c:2";
  env["JSM_SERVER"] = "nats://n:3";
  Endpoints from_env = *ResolveEndpoints(*ParseArgs({"ls"}), getenv);
  EXPECT_EQ(from_env.store, "s:1");
  EXPECT_EQ(from_env.consumer, "c:2");
  EXPECT_EQ(from_env.nats, "nats://n:3");

  Endpoints from_flags = *ResolveEndpoints(
      *ParseArgs({"ls", "--store", "s:3", "--consumer=c:4", "--timeout", "250ms"}), getenv);
  EXPECT_EQ(from_flags.store, "s:3");
  EXPECT_EQ(from_flags.consumer, "c:4");
  EXPECT_EQ(from_flags.timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(ResolveEndpoints(*ParseArgs({"pub", "-s", "nats://h:4", "a", "b"}), getenv)->nats,
            "nats://h:4");
  EXPECT_EQ(ResolveEndpoints(*ParseArgs({"sub", "a", "--server=nats://h:5"}), getenv)->nats,
            "nats://h:5");

  EXPECT_FALSE(ResolveEndpoints(*ParseArgs({"ls", "--timeout", "soon"}), getenv).ok());
}

TEST(ResolveEndpointsTest, GrpcTlsFilesFromFlagsElseEnvironment) {
  std::map<std::string, std::string> env;
  auto getenv = [&](const std::string& name) { return env[name]; };
  Endpoints plain = *ResolveEndpoints(*ParseArgs({"ls"}), getenv);
  EXPECT_EQ(plain.grpc_tls_cert, "");
  EXPECT_EQ(plain.grpc_tls_key, "");
  EXPECT_EQ(plain.grpc_tls_ca, "");

  env["JSM_GRPC_TLS_CERT"] = "env-cert.pem";
  env["JSM_GRPC_TLS_KEY"] = "env-key.pem";
  env["JSM_GRPC_TLS_CA"] = "env-ca.pem";
  Endpoints tls = *ResolveEndpoints(
      *ParseArgs({"ls", "--grpc-tls-ca", "ca.pem", "--grpc-tls-cert=cert.pem"}), getenv);
  EXPECT_EQ(tls.grpc_tls_ca, "ca.pem");
  EXPECT_EQ(tls.grpc_tls_cert, "cert.pem");
  EXPECT_EQ(tls.grpc_tls_key, "env-key.pem");
}

}  // namespace
}  // namespace jsengine::tools::jsm
