#include "gateway/core/options.h"

#include <cstdio>
#include <fstream>

#include "gateway/core/version.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(OptionsTest, Defaults) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({}, &o, &rest).ok());
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 4222);
  EXPECT_EQ(o.max_payload, 1024 * 1024);
  EXPECT_FALSE(o.jetstream);
  EXPECT_TRUE(rest.empty());
}

TEST(OptionsTest, NatsServerFlags) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-a", "127.0.0.1", "--port=5000", "-js", "-sd", "/data", "-n",
                               "srv", "--user", "u", "--pass", "p", "--auth", "tok", "-DV",
                               "--max_payload", "2MB"},
                              &o, &rest)
                  .ok());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 5000);
  EXPECT_TRUE(o.jetstream);
  EXPECT_EQ(o.store_dir, "/data");
  EXPECT_EQ(o.server_name, "srv");
  EXPECT_EQ(o.username, "u");
  EXPECT_EQ(o.password, "p");
  EXPECT_EQ(o.token, "tok");
  EXPECT_TRUE(o.debug);
  EXPECT_TRUE(o.trace);
  EXPECT_EQ(o.max_payload, 2 * 1024 * 1024);
  ServerOptions o2;
  ASSERT_TRUE(ParseServerArgs({"--addr", "::1", "-p", "1", "--jetstream", "--store_dir=/x",
                               "--server_name", "n", "-D", "-h"},
                              &o2, &rest)
                  .ok());
  EXPECT_EQ(o2.host, "::1");
  EXPECT_EQ(o2.store_dir, "/x");
  EXPECT_TRUE(o2.debug);
  EXPECT_FALSE(o2.trace);
  EXPECT_TRUE(o2.show_help);
}

TEST(OptionsTest, TlsFlags) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"--tls", "--tlscert", "s.pem", "--tlskey=k.pem"}, &o, &rest).ok());
  EXPECT_TRUE(o.tls.enabled);
  EXPECT_EQ(o.tls.cert_file, "s.pem");
  EXPECT_EQ(o.tls.key_file, "k.pem");
  EXPECT_FALSE(o.tls.verify);

  ServerOptions v;
  ASSERT_TRUE(ParseServerArgs({"--tlsverify", "--tlscert", "s.pem", "--tlskey", "k.pem",
                               "--tlscacert", "ca.pem"},
                              &v, &rest)
                  .ok());
  EXPECT_TRUE(v.tls.enabled) << "--tlsverify alone turns TLS on, as in nats-server";
  EXPECT_TRUE(v.tls.verify);
  EXPECT_EQ(v.tls.ca_file, "ca.pem");

  ServerOptions off;
  ASSERT_TRUE(ParseServerArgs({"--tls=false", "--tlscert", "s.pem"}, &off, &rest).ok());
  EXPECT_FALSE(off.tls.enabled);

  ServerOptions bad;
  EXPECT_EQ(ParseServerArgs({"--tls", "--tlskey", "k.pem"}, &bad, &rest).message(),
            "TLS Server certificate must be present and valid");
  EXPECT_EQ(ParseServerArgs({"--tlsverify", "--tlscert", "s.pem"}, &bad, &rest).message(),
            "TLS Server private key must be present and valid");
  EXPECT_TRUE(rest.empty());
}

TEST(OptionsTest, TlsFlagsReplaceTheConfigFilesTlsBlock) {
  const std::string path = ::testing::TempDir() + "/tls.conf";
  {
    std::ofstream f(path);
    f << "tls { cert_file: c.pem, key_file: k.pem, ca_file: ca.pem, verify: true, timeout: 5 }\n";
  }
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-c", path}, &o, &rest).ok());
  EXPECT_TRUE(o.tls.verify);
  ServerOptions flags;
  ASSERT_TRUE(ParseServerArgs({"-c", path, "--tls", "--tlscert", "f.pem", "--tlskey", "fk.pem"},
                              &flags, &rest)
                  .ok());
  EXPECT_TRUE(flags.tls.enabled);
  EXPECT_EQ(flags.tls.cert_file, "f.pem");
  EXPECT_EQ(flags.tls.ca_file, "");
  EXPECT_FALSE(flags.tls.verify);
  EXPECT_EQ(flags.tls.timeout, absl::Seconds(5));
  ServerOptions off;
  ASSERT_TRUE(ParseServerArgs({"-c", path, "--tls=false"}, &off, &rest).ok());
  EXPECT_FALSE(off.tls.enabled);
  std::remove(path.c_str());
}

TEST(OptionsTest, MinusOnePicksAnyFreePortAsInNatsServer) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-p", "-1", "--ports_file_dir=/run/ports"}, &o, &rest).ok());
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.ports_file_dir, "/run/ports");
  EXPECT_FALSE(ParseServerArgs({"-p", "-2"}, &o, &rest).ok());
}

TEST(OptionsTest, ConfigFileListenMinusOnePicksAnyFreePort) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/listen.conf";
  std::ofstream(path) << "listen: 127.0.0.1:-1\n";
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-c", path}, &o, &rest).ok());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 0);
  std::remove(path.c_str());
}

TEST(OptionsTest, ProcessFlags) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(
      ParseServerArgs({"-P", "/run/g.pid", "-l", "/tmp/g.log", "-T=false", "-t"}, &o, &rest).ok());
  EXPECT_EQ(o.pid_file, "/run/g.pid");
  EXPECT_EQ(o.log_file, "/tmp/g.log");
  EXPECT_FALSE(o.logtime);
  EXPECT_TRUE(o.check_config);
  EXPECT_FALSE(o.show_version);
  ServerOptions o2;
  ASSERT_TRUE(
      ParseServerArgs({"--pid=p", "--log", "l", "--logtime", "--version"}, &o2, &rest).ok());
  EXPECT_EQ(o2.pid_file, "p");
  EXPECT_EQ(o2.log_file, "l");
  EXPECT_TRUE(o2.logtime);
  EXPECT_TRUE(o2.show_version);
  ServerOptions o3;
  ASSERT_TRUE(ParseServerArgs({"-v"}, &o3, &rest).ok());
  EXPECT_TRUE(o3.show_version);
  EXPECT_TRUE(rest.empty());
}

TEST(OptionsTest, MonitoringAndProfilingPorts) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-m", "8222"}, &o, &rest).ok());
  EXPECT_EQ(o.http_port, 8222);
  ASSERT_TRUE(ParseServerArgs({"--profile", "6060"}, &o, &rest).ok());
  EXPECT_EQ(o.prof_port, 6060);
  ASSERT_TRUE(ParseServerArgs({"-profile=-1"}, &o, &rest).ok());
  EXPECT_EQ(o.prof_port, kRandomPort);
  EXPECT_EQ(ParseServerArgs({"--profile", "x"}, &o, &rest).message(), "invalid profiling port: x");
  ASSERT_TRUE(ParseServerArgs({"--http_port=-1"}, &o, &rest).ok());
  EXPECT_EQ(o.http_port, kRandomPort);
  EXPECT_FALSE(ParseServerArgs({"-m", "web"}, &o, &rest).ok());
  ASSERT_TRUE(ParseServerArgs({"-ms", "8443"}, &o, &rest).ok());
  EXPECT_EQ(o.https_port, 8443);
  ASSERT_TRUE(ParseServerArgs({"--https_port=-1"}, &o, &rest).ok());
  EXPECT_EQ(o.https_port, kRandomPort);
  EXPECT_FALSE(ParseServerArgs({"-ms", "web"}, &o, &rest).ok());
}

TEST(OptionsTest, BooleanFlagsTakeGoStyleValues) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-js=false", "-D=true", "-T=0"}, &o, &rest).ok());
  EXPECT_FALSE(o.jetstream);
  EXPECT_TRUE(o.debug);
  EXPECT_FALSE(o.logtime);
  EXPECT_FALSE(ParseServerArgs({"-js=maybe"}, &o, &rest).ok());
}

TEST(OptionsTest, VersionLineIsNatsServersWithTheAnnouncedVersion) {
  EXPECT_EQ(VersionLine(), std::string("nats-server: v") + kServerVersion);
}

TEST(OptionsTest, HelpAndVersionDoNotReadTheConfigFile) {
  ServerOptions o;
  std::vector<std::string> rest;
  EXPECT_TRUE(ParseServerArgs({"-c", "/nonexistent.conf", "-v"}, &o, &rest).ok());
  EXPECT_TRUE(ParseServerArgs({"-c", "/nonexistent.conf", "-h"}, &o, &rest).ok());
  EXPECT_FALSE(ParseServerArgs({"-c", "/nonexistent.conf", "-t"}, &o, &rest).ok());
}

TEST(OptionsTest, UnknownFlagsArePassedOn) {
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(
      ParseServerArgs({"--store_addr=x:1", "-p", "7", "--embedded", "pos"}, &o, &rest).ok());
  EXPECT_EQ(o.port, 7);
  EXPECT_EQ(rest, (std::vector<std::string>{"--store_addr=x:1", "--embedded", "pos"}));
}

TEST(OptionsTest, Errors) {
  ServerOptions o;
  std::vector<std::string> rest;
  EXPECT_FALSE(ParseServerArgs({"-p"}, &o, &rest).ok());
  EXPECT_FALSE(ParseServerArgs({"-p", "http"}, &o, &rest).ok());
  EXPECT_FALSE(ParseServerArgs({"-p", "70000"}, &o, &rest).ok());
  EXPECT_FALSE(ParseServerArgs({"--user", "u"}, &o, &rest).ok());
  EXPECT_FALSE(ParseServerArgs({"-c", "/nonexistent.conf"}, &o, &rest).ok());
}

TEST(OptionsTest, FlagsOverrideConfigFile) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/server.conf";
  std::ofstream(path) << "port: 1234\nserver_name: from-file\nmax_payload: 512KB\n";
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-p", "4000", "-c", path}, &o, &rest).ok());
  EXPECT_EQ(o.port, 4000);
  EXPECT_EQ(o.server_name, "from-file");
  EXPECT_EQ(o.max_payload, 512 * 1024);
  EXPECT_EQ(o.config_file, path);
}

TEST(OptionsTest, OperationsFlagsAndKeys) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/ops.conf";
  std::ofstream(path) << "syslog: true\nlame_duck_duration: \"45s\"\n"
                      << "lame_duck_grace_period: 5\nremote_syslog: \"udp://logs:514\"\n";
  ServerOptions o;
  std::vector<std::string> rest;
  ASSERT_TRUE(ParseServerArgs({"-c", path, "--signal", "ldm=/run/g.pid"}, &o, &rest).ok());
  EXPECT_TRUE(o.syslog);
  EXPECT_EQ(o.remote_syslog, "udp://logs:514");
  EXPECT_EQ(o.lame_duck_duration, absl::Seconds(45));
  EXPECT_EQ(o.lame_duck_grace_period, absl::Seconds(5));
  EXPECT_EQ(o.signal, "ldm=/run/g.pid");
  ServerOptions flags;
  ASSERT_TRUE(ParseServerArgs({"-s", "-sl", "reload", "-r", "tcp://logs:601"}, &flags, &rest).ok());
  EXPECT_TRUE(flags.syslog);
  EXPECT_EQ(flags.remote_syslog, "tcp://logs:601");
  ServerOptions long_flag;
  ASSERT_TRUE(ParseServerArgs({"--remote_syslog=udp://h:514"}, &long_flag, &rest).ok());
  EXPECT_EQ(long_flag.remote_syslog, "udp://h:514");
  EXPECT_EQ(flags.signal, "reload");
  EXPECT_TRUE(rest.empty());
}

}  // namespace
}  // namespace jsengine::gateway::core
