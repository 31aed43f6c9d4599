#include "gateway/core/jwt_testing.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/core/nkey_signature.h"

namespace jsengine::gateway::core {
namespace {

std::string Base64Url(const std::string& raw) {
  std::string out;
  absl::WebSafeBase64Escape(raw, &out);
  return out;
}

}  // namespace

TestNkey TestNkey::Create(uint8_t prefix) {
  TestNkey k;
  RAND_bytes(k.seed.data(), k.seed.size());
  k.public_key = EncodePublicKey(NkeyPublicKeyFromSeed(k.seed), prefix);
  return k;
}

std::string SignJwt(nlohmann::json claims, const TestNkey& issuer, bool v1) {
  claims["iss"] = issuer.public_key;
  if (!claims.contains("iat")) claims["iat"] = absl::ToUnixSeconds(absl::Now());
  if (!claims.contains("jti"))
    claims["jti"] = Base64Url(std::to_string(absl::GetCurrentTimeNanos()));
  if (!claims.contains("nats")) claims["nats"] = nlohmann::json::object();
  std::string header;
  if (v1) {
    claims["type"] = claims["nats"].value("type", "");
    claims["nats"].erase("type");
    header = Base64Url(R"({"typ":"jwt","alg":"ed25519"})");
  } else {
    claims["nats"]["version"] = 2;
    header = Base64Url(R"({"typ":"JWT","alg":"ed25519-nkey"})");
  }
  const std::string body = Base64Url(claims.dump());
  const std::string signed_text = v1 ? body : absl::StrCat(header, ".", body);
  return absl::StrCat(header, ".", body, ".", SignNkeyNonce(issuer.seed, signed_text));
}

std::string CredsFile(const std::string& user_jwt, const NkeyBytes& user_seed) {
  return absl::StrCat("-----BEGIN NATS USER JWT-----\n", user_jwt,
                      "\n------END NATS USER JWT------\n\n"
                      "-----BEGIN USER NKEY SEED-----\n",
                      EncodeUserSeed(user_seed), "\n------END USER NKEY SEED------\n");
}

}  // namespace jsengine::gateway::core
