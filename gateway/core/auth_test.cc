#include "gateway/core/auth.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

// bcrypt("s3cret") with cost 6.
constexpr char kHash[] = "$2a$06$abcdefghijklmnopqrstuuNOnw6EGKc3988bZtxlqHMps74iVdpdC";

TEST(AuthTest, Passwords) {
  EXPECT_TRUE(PasswordMatches("pw", "pw"));
  EXPECT_FALSE(PasswordMatches("pw", "pW"));
  EXPECT_FALSE(PasswordMatches("", "pw"));
  EXPECT_TRUE(PasswordMatches("s3cret", kHash));
  EXPECT_FALSE(PasswordMatches("s3cret!", kHash));
  EXPECT_FALSE(PasswordMatches(kHash, kHash));
}

TEST(AuthTest, NoAuthConfigured) {
  Authenticator a{ServerOptions()};
  EXPECT_FALSE(a.required());
  const UserPermissions* p = nullptr;
  EXPECT_TRUE(a.Check({}, &p));
  EXPECT_EQ(p, nullptr);
}

TEST(AuthTest, TokenUserAndUsers) {
  ServerOptions o;
  o.token = "tok";
  o.username = "single";
  o.password = "spw";
  UserAccount limited{"lim", kHash, {}};
  limited.permissions.publish.allow = {"a.>"};
  o.users = {limited, {"free", "fpw", {}}};
  Authenticator a(o);
  EXPECT_TRUE(a.required());
  const UserPermissions* p = nullptr;
  EXPECT_TRUE(a.Check({"", "", "tok"}, &p));
  EXPECT_FALSE(a.Check({"", "", "bad"}, &p));
  EXPECT_TRUE(a.Check({"single", "spw", ""}, &p));
  EXPECT_FALSE(a.Check({"single", "x", ""}, &p));
  EXPECT_TRUE(a.Check({"lim", "s3cret", ""}, &p));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->publish.allow[0], "a.>");
  EXPECT_TRUE(a.Check({"free", "fpw", ""}, &p));
  EXPECT_EQ(p, nullptr);
  EXPECT_FALSE(a.Check({"nobody", "x", ""}, &p));
  EXPECT_FALSE(a.Check({}, &p));
}

TEST(AuthTest, AccountsAndNoAuthUser) {
  ServerOptions o;
  o.users = {{"a", "apw", "", {}, "A"}, {"g", "gpw", "", {}, ""}};
  o.users[0].permissions.publish.allow = {"a.>"};
  {
    Authenticator a(o);
    EXPECT_TRUE(a.announced_required());
    const UserPermissions* p = nullptr;
    const std::string* account = nullptr;
    EXPECT_TRUE(a.Check({"a", "apw", ""}, &p, &account));
    EXPECT_EQ(*account, "A");
    EXPECT_NE(p, nullptr);
    EXPECT_TRUE(a.Check({"g", "gpw", ""}, &p, &account));
    EXPECT_EQ(*account, "");
    EXPECT_FALSE(a.Check({}, &p, &account));
  }
  o.no_auth_user = "a";
  Authenticator a(o);
  EXPECT_TRUE(a.required());
  EXPECT_FALSE(a.announced_required());
  const UserPermissions* p = nullptr;
  const std::string* account = nullptr;
  EXPECT_TRUE(a.Check({}, &p, &account));
  EXPECT_EQ(*account, "A");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->publish.allow[0], "a.>");
  EXPECT_FALSE(a.Check({"a", "wrong", ""}, &p, &account));
  EXPECT_TRUE(a.Check({"g", "gpw", ""}, &p, &account));
  EXPECT_EQ(*account, "");
}

TEST(AuthTest, CertificateNamesTheUser) {
  ServerOptions o;
  o.users = {{"CN=alice,O=Example", "", "", {}, "A"},
             {"bob@example.com", "", "", {}, ""},
             {"host.example.com", "", "", {}, "B"}};
  Authenticator a(o);
  const UserPermissions* p = nullptr;
  const std::string* account = nullptr;
  std::string user;
  CertIdentity alice;
  alice.subject = {{"O", "Example"}, {"CN", "alice"}};
  ASSERT_TRUE(a.CheckCertificate(alice, &p, &account, &user));
  EXPECT_EQ(user, "CN=alice,O=Example");
  EXPECT_EQ(*account, "A");
  // Alternative names come first: emails, then DNS names.
  CertIdentity bob;
  bob.alt_names = {"nobody@example.com", "bob@example.com", "host.example.com"};
  bob.subject = alice.subject;
  ASSERT_TRUE(a.CheckCertificate(bob, &p, &account, &user));
  EXPECT_EQ(user, "bob@example.com");
  CertIdentity stranger;
  stranger.alt_names = {"x@example.com"};
  stranger.subject = {{"CN", "mallory"}};
  EXPECT_FALSE(a.CheckCertificate(stranger, &p, &account, &user));
  EXPECT_FALSE(a.CheckCertificate(CertIdentity{}, &p, &account, &user));
}

TEST(AuthTest, PermissionChecker) {
  UserPermissions perms;
  perms.publish.allow = {"orders.>", "_INBOX.>"};
  perms.publish.deny = {"orders.secret"};
  perms.subscribe.allow = {"orders.*", "_INBOX.>"};
  perms.subscribe.deny = {"orders.hidden"};
  PermissionChecker c(&perms);
  EXPECT_TRUE(c.CanPublish("orders.new"));
  EXPECT_TRUE(c.CanPublish("orders.new"));  // cached
  EXPECT_FALSE(c.CanPublish("orders.secret"));
  EXPECT_FALSE(c.CanPublish("other"));
  EXPECT_TRUE(c.CanSubscribe("orders.new"));
  EXPECT_TRUE(c.CanSubscribe("_INBOX.abc.*"));
  EXPECT_FALSE(c.CanSubscribe("orders.>"));
  EXPECT_FALSE(c.CanSubscribe("orders.hidden"));
  EXPECT_TRUE(c.CanSubscribe("orders.*"));  // overlaps the deny: deliveries are filtered
  EXPECT_TRUE(c.filters_deliveries());
  EXPECT_TRUE(c.DeliveryDenied("orders.hidden"));
  EXPECT_FALSE(c.DeliveryDenied("orders.new"));
  EXPECT_FALSE(c.CanSubscribe("x"));
  PermissionChecker open(nullptr);
  EXPECT_TRUE(open.CanPublish("anything"));
  EXPECT_TRUE(open.CanSubscribe(">"));
  EXPECT_FALSE(open.filters_deliveries());
  EXPECT_FALSE(open.DeliveryDenied("x"));
}

}  // namespace
}  // namespace jsengine::gateway::core
