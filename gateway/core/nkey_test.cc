#include "gateway/core/nkey.h"

#include "gateway/core/nkey_signature.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

// A user seed and its public key from the Go client's tests (nats_test.go,
// where the key is the subject of the matching user JWT).
constexpr char kSeed[] = "SUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY";
constexpr char kPublic[] = "UAT6BWCSCWLUKJT6K6MBJJOEOTXZ5AJDOYKNEVRFC7VNO6OA43N4TRNO";

TEST(NkeyTest, Crc16IsXmodem) { EXPECT_EQ(NkeyCrc16("123456789"), 0x31C3); }

TEST(NkeyTest, SeedGivesKnownPublicKey) {
  absl::StatusOr<NkeyBytes> seed = DecodeUserSeed(kSeed);
  ASSERT_TRUE(seed.ok()) << seed.status();
  EXPECT_EQ(EncodeUserSeed(*seed), kSeed);
  EXPECT_EQ(EncodeUserPublicKey(NkeyPublicKeyFromSeed(*seed)), kPublic);
}

TEST(NkeyTest, DecodesPublicKeyRoundTrip) {
  absl::StatusOr<NkeyBytes> key = DecodeUserPublicKey(kPublic);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(EncodeUserPublicKey(*key), kPublic);
}

TEST(NkeyTest, RejectsBadKeys) {
  std::string flipped = kPublic;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodeUserPublicKey(flipped).ok());                             // checksum
  EXPECT_FALSE(DecodeUserPublicKey(std::string(kPublic).substr(0, 55)).ok());  // length
  EXPECT_FALSE(DecodeUserPublicKey(std::string(kPublic) + "A").ok());
  EXPECT_FALSE(
      DecodeUserPublicKey("uat6bwcscwlukjt6k6mbjjoeotxz5ajdoyknevrfc7vno6oa43n4trno").ok());
  EXPECT_FALSE(DecodeUserPublicKey(kSeed).ok());  // a seed is not a public key
  EXPECT_FALSE(DecodeUserPublicKey("").ok());
  EXPECT_FALSE(DecodeUserSeed(kPublic).ok());
  // The same bytes under an account's prefix ('A').
  EXPECT_FALSE(
      DecodeUserPublicKey("AAT6BWCSCWLUKJT6K6MBJJOEOTXZ5AJDOYKNEVRFC7VNO6OA43N4TRNO").ok());
}

TEST(NkeySignatureTest, VerifiesWhatTheSeedSigned) {
  const NkeyBytes seed = *DecodeUserSeed(kSeed);
  const NkeyBytes pub = *DecodeUserPublicKey(kPublic);
  const std::string nonce = NewNkeyNonce();
  EXPECT_EQ(nonce.size(), 15u);
  EXPECT_NE(nonce, NewNkeyNonce());
  const std::string sig = SignNkeyNonce(seed, nonce);
  EXPECT_EQ(sig.size(), 86u);
  EXPECT_TRUE(VerifyNkeySignature(pub, nonce, sig));
  EXPECT_FALSE(VerifyNkeySignature(pub, nonce + "x", sig));
  EXPECT_FALSE(VerifyNkeySignature(pub, nonce, sig.substr(1)));
  EXPECT_FALSE(VerifyNkeySignature(pub, nonce, ""));
  EXPECT_FALSE(VerifyNkeySignature(pub, nonce, "not base64!"));
  NkeyBytes other = pub;
  other[0] ^= 1;
  EXPECT_FALSE(VerifyNkeySignature(other, nonce, sig));
}

TEST(NkeySignatureTest, AcceptsStandardBase64) {
  const NkeyBytes seed = *DecodeUserSeed(kSeed);
  std::string sig = SignNkeyNonce(seed, "abc");
  for (char& c : sig) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  sig += "==";
  EXPECT_TRUE(VerifyNkeySignature(*DecodeUserPublicKey(kPublic), "abc", sig));
}

}  // namespace
}  // namespace jsengine::gateway::core
