// nkey users, run the same way against the gateway binary and the reference
// nats-server: INFO carries a nonce, libnats signs it with the seed, a raw
// client with a bad signature gets -ERR 'Authorization Violation' and is
// closed.
#include "gateway/core/nkey.h"

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/core/nkey_signature.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"
#include "testing/core/backends.h"
#include "testing/core/raw_client.h"
#include "testing/harness/harness.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::core {
namespace {

using gateway::core::DecodeUserSeed;
using gateway::core::SignNkeyNonce;

// A user key pair from the Go client's tests, and one the server does not know.
constexpr char kSeed[] = "SUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY";
constexpr char kPublic[] = "UAT6BWCSCWLUKJT6K6MBJJOEOTXZ5AJDOYKNEVRFC7VNO6OA43N4TRNO";

class NkeyTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string binary = GetParam().binary();
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
    dir_ = util::MakeTempDir("nkey-");
    const std::string config = dir_ + "/server.conf";
    std::ofstream(config) << "authorization {\n  users: [\n    {nkey: " << kPublic
                          << ", permissions: {publish: \"nk.>\", subscribe: \"nk.>\"}}\n"
                          << "    {user: alice, password: pw}\n  ]\n}\n";
    seed_file_ = dir_ + "/user.nk";
    std::ofstream(seed_file_) << kSeed << "\n";
    auto ports = StartOnFreePort(binary, {"-c", config}, &server_);
    ASSERT_TRUE(ports.ok()) << ports.status();
    const std::string& url = ports->nats.front();
    port_ = std::stoi(url.substr(url.rfind(':') + 1));
  }

  // Connects as `public_key`, libnats signing the nonce with the seed in
  // `seed_file`. libnats before 3.10 (Debian's is 3.4.1) leaves the
  // signature out of CONNECT when its first byte is zero (nats.c issue 705),
  // for one nonce in 256; such an attempt is made again with a new nonce.
  natsStatus Connect(natsConnection** nc, const char* public_key, const std::string& seed_file) {
    std::ifstream in(seed_file);
    std::getline(in, signer_.seed);
    natsStatus s = NATS_ERR;
    for (int attempt = 0; attempt < 4; ++attempt) {
      signer_.dropped = false;
      natsOptions* opts = LocalClientOptions(port_);
      EXPECT_EQ(natsOptions_SetNKey(opts, public_key, &Signer::Sign, &signer_), NATS_OK);
      s = natsConnection_Connect(nc, opts);
      natsOptions_Destroy(opts);
      if (s == NATS_OK || !signer_.dropped) break;
    }
    return s;
  }

  // INFO's JSON, read by `raw`.
  nlohmann::json ReadInfo(RawClient* raw) {
    EXPECT_TRUE(raw->ReadUntil("\r\n"));
    const std::string& b = raw->buffer();
    EXPECT_TRUE(absl::StartsWith(b, "INFO ")) << b;
    nlohmann::json info = nlohmann::json::parse(b.substr(5, b.find("\r\n") - 5), nullptr, false);
    raw->Clear();
    return info;
  }

  // libnats' signature handler for Connect(): nats_Sign with the seed,
  // noting a signature libnats will not send.
  struct Signer {
    static natsStatus Sign(char**, unsigned char** signature, int* length, const char* nonce,
                           void* closure) {
      auto* signer = static_cast<Signer*>(closure);
      const natsStatus s = nats_Sign(signer->seed.c_str(), nonce, signature, length);
      if (s == NATS_OK && *length > 0 && (*signature)[0] == 0) signer->dropped = true;
      return s;
    }
    std::string seed;
    bool dropped = false;
  };

  std::string dir_;
  std::string seed_file_;
  Signer signer_;
  std::unique_ptr<harness::Process> server_;
  int port_ = 0;
};

TEST_P(NkeyTest, InfoCarriesAFreshNonce) {
  RawClient a(port_), b(port_);
  nlohmann::json ia = ReadInfo(&a), ib = ReadInfo(&b);
  ASSERT_TRUE(ia.contains("nonce")) << ia.dump();
  EXPECT_EQ(ia["auth_required"], true);
  EXPECT_FALSE(ia["nonce"].get<std::string>().empty());
  EXPECT_NE(ia["nonce"], ib["nonce"]);
}

TEST_P(NkeyTest, LibnatsSignsWithTheSeed) {
  natsConnection* nc = nullptr;
  ASSERT_EQ(Connect(&nc, kPublic, seed_file_), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, nc, "nk.a"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(nc, "nk.a", "hi"), NATS_OK);
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, sub, 5000), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetData(m), natsMsg_GetDataLength(m)), "hi");
  natsMsg_Destroy(m);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
}

TEST_P(NkeyTest, LibnatsWithAnUnknownKeyIsRefused) {
  // A valid seed whose public key is not configured.
  gateway::core::NkeyBytes other{};
  other[0] = 7;
  const std::string other_seed_file = dir_ + "/other.nk";
  std::ofstream(other_seed_file) << gateway::core::EncodeUserSeed(other) << "\n";
  const std::string other_public =
      gateway::core::EncodeUserPublicKey(gateway::core::NkeyPublicKeyFromSeed(other));
  natsConnection* nc = nullptr;
  EXPECT_EQ(Connect(&nc, other_public.c_str(), other_seed_file), NATS_CONNECTION_AUTH_FAILED);
  // The configured key signed with another seed.
  EXPECT_EQ(Connect(&nc, kPublic, other_seed_file), NATS_CONNECTION_AUTH_FAILED);
  if (nc != nullptr) natsConnection_Destroy(nc);
}

TEST_P(NkeyTest, RawSignatureChecked) {
  const gateway::core::NkeyBytes seed = *DecodeUserSeed(kSeed);
  {
    RawClient raw(port_);
    const std::string nonce = ReadInfo(&raw)["nonce"];
    const std::string sig = SignNkeyNonce(seed, nonce);
    ASSERT_TRUE(raw.Send(absl::StrCat(R"(CONNECT {"verbose":false,"nkey":")", kPublic,
                                      R"(","sig":")", sig, "\"}\r\nPING\r\n")));
    EXPECT_TRUE(raw.ReadUntil("PONG\r\n")) << raw.buffer();
  }
  {
    // A signature of another nonce.
    RawClient raw(port_);
    ReadInfo(&raw);
    const std::string sig = SignNkeyNonce(seed, "not-the-nonce");
    ASSERT_TRUE(raw.Send(absl::StrCat(R"(CONNECT {"verbose":false,"nkey":")", kPublic,
                                      R"(","sig":")", sig, "\"}\r\nPING\r\n")));
    EXPECT_TRUE(raw.WaitClosed());
    EXPECT_EQ(raw.buffer(), "-ERR 'Authorization Violation'\r\n");
  }
  {
    // No signature at all.
    RawClient raw(port_);
    ReadInfo(&raw);
    ASSERT_TRUE(
        raw.Send(absl::StrCat(R"(CONNECT {"verbose":false,"nkey":")", kPublic, "\"}\r\nPING\r\n")));
    EXPECT_TRUE(raw.WaitClosed());
    EXPECT_EQ(raw.buffer(), "-ERR 'Authorization Violation'\r\n");
  }
  {
    // Password users still work beside nkey users.
    RawClient raw(port_);
    ReadInfo(&raw);
    ASSERT_TRUE(
        raw.Send("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"pw\"}\r\nPING\r\n"));
    EXPECT_TRUE(raw.ReadUntil("PONG\r\n")) << raw.buffer();
  }
}

INSTANTIATE_TEST_SUITE_P(Servers, NkeyTest, BothServers(), BackendName);

}  // namespace
}  // namespace jsengine::testing::core
