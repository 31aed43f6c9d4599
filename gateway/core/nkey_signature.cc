#include "gateway/core/nkey_signature.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "absl/strings/escaping.h"

namespace jsengine::gateway::core {
namespace {

constexpr size_t kNonceRawSize = 11;
constexpr size_t kSignatureSize = 64;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string UnpaddedWebSafe(std::string_view raw) {
  std::string out;
  absl::WebSafeBase64Escape(absl::string_view(raw.data(), raw.size()), &out);
  return out;
}

Pkey PrivateKey(const NkeyBytes& seed) {
  return Pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
}

}  // namespace

std::string NewNkeyNonce() {
  unsigned char raw[kNonceRawSize];
  RAND_bytes(raw, sizeof(raw));
  return UnpaddedWebSafe(std::string_view(reinterpret_cast<char*>(raw), sizeof(raw)));
}

bool VerifyNkeySignature(const NkeyBytes& public_key, std::string_view nonce,
                         std::string_view signature) {
  const absl::string_view text(signature.data(), signature.size());
  std::string sig;
  if (!absl::WebSafeBase64Unescape(text, &sig) && !absl::Base64Unescape(text, &sig)) return false;
  if (sig.size() != kSignatureSize) return false;
  Pkey key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (key == nullptr || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size()) == 1;
}

NkeyBytes NkeyPublicKeyFromSeed(const NkeyBytes& seed) {
  NkeyBytes pub{};
  Pkey key = PrivateKey(seed);
  size_t len = pub.size();
  if (key != nullptr) EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len);
  return pub;
}

std::string SignNkeyNonce(const NkeyBytes& seed, std::string_view nonce) {
  Pkey key = PrivateKey(seed);
  MdCtx ctx(EVP_MD_CTX_new());
  unsigned char sig[kSignatureSize];
  size_t len = sizeof(sig);
  if (key == nullptr || ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(nonce.data()),
                     nonce.size()) != 1) {
    return "";
  }
  return UnpaddedWebSafe(std::string_view(reinterpret_cast<char*>(sig), len));
}

}  // namespace jsengine::gateway::core
