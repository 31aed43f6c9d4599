// nkey users: the config block and the Authenticator's challenge check.
#include "gateway/core/auth.h"
#include "gateway/core/config.h"
#include "gateway/core/nkey_signature.h"
#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

constexpr char kSeed[] = "SUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY";
constexpr char kPublic[] = "UAT6BWCSCWLUKJT6K6MBJJOEOTXZ5AJDOYKNEVRFC7VNO6OA43N4TRNO";

ServerOptions NkeyConfig() {
  ServerOptions o;
  absl::Status s = ApplyConfigText(R"(
authorization {
  users: [
    {nkey: UAT6BWCSCWLUKJT6K6MBJJOEOTXZ5AJDOYKNEVRFC7VNO6OA43N4TRNO, permissions: {publish: "a.>"}}
    {user: alice, password: pw}
  ]
}
)",
                                   &o);
  EXPECT_TRUE(s.ok()) << s;
  return o;
}

TEST(NkeyAuthTest, ConfigReadsNkeyUsers) {
  ServerOptions o = NkeyConfig();
  ASSERT_EQ(o.users.size(), 2u);
  EXPECT_EQ(o.users[0].nkey, kPublic);
  EXPECT_EQ(o.users[0].permissions.publish.allow, std::vector<std::string>{"a.>"});
}

TEST(NkeyAuthTest, ConfigRejectsBadNkeys) {
  ServerOptions o;
  absl::Status s =
      ApplyConfigText("authorization { users: [ {nkey: UAT6BWCSCWLUKJT6K6MBJJOEOTXZ5} ] }", &o);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a valid public nkey"), std::string::npos) << s;
  s = ApplyConfigText(std::string("authorization { users: [ {nkey: ") + kSeed + "} ] }", &o);
  EXPECT_FALSE(s.ok());
  s = ApplyConfigText(
      std::string("authorization { users: [ {nkey: ") + kPublic + ", user: bob} ] }", &o);
  EXPECT_FALSE(s.ok());
}

TEST(NkeyAuthTest, ChecksTheSignedNonce) {
  Authenticator a(NkeyConfig());
  EXPECT_TRUE(a.required());
  EXPECT_TRUE(a.nonce_required());
  const NkeyBytes seed = *DecodeUserSeed(kSeed);
  Credentials c;
  c.nkey = kPublic;
  c.nonce = NewNkeyNonce();
  c.sig = SignNkeyNonce(seed, c.nonce);
  const UserPermissions* p = nullptr;
  EXPECT_TRUE(a.Check(c, &p));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->publish.allow, std::vector<std::string>{"a.>"});

  Credentials replayed = c;
  replayed.nonce = NewNkeyNonce();
  EXPECT_FALSE(a.Check(replayed, &p));
  Credentials unsigned_key = c;
  unsigned_key.sig.clear();
  EXPECT_FALSE(a.Check(unsigned_key, &p));
  Credentials unknown = c;
  unknown.nkey = EncodeUserPublicKey(NkeyBytes{});
  EXPECT_FALSE(a.Check(unknown, &p));

  Credentials password;
  password.user = "alice";
  password.pass = "pw";
  EXPECT_TRUE(a.Check(password, &p));
  EXPECT_EQ(p, nullptr);
}

TEST(NkeyAuthTest, NoNonceWithoutNkeyUsers) {
  ServerOptions o;
  o.token = "t";
  EXPECT_FALSE(Authenticator(o).nonce_required());
}

}  // namespace
}  // namespace jsengine::gateway::core
