#include "gateway/core/cert_identity.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

TEST(CertIdentityTest, DistinguishedNamesMatchInAnyOrder) {
  CertIdentity id;
  id.subject = {{"O", "Example"}, {"CN", "client.example.com"}};
  EXPECT_TRUE(DistinguishedNameMatches("CN=client.example.com,O=Example", id));
  EXPECT_TRUE(DistinguishedNameMatches("O=Example, cn=client.example.com", id));
  EXPECT_FALSE(DistinguishedNameMatches("CN=client.example.com", id));
  EXPECT_FALSE(DistinguishedNameMatches("CN=client.example.com,O=Other", id));
  EXPECT_FALSE(DistinguishedNameMatches("CN=client.example.com,O=Example,OU=x", id));
  EXPECT_FALSE(DistinguishedNameMatches("client.example.com", id));
  id.subject = {{"CN", "a,b"}};
  EXPECT_TRUE(DistinguishedNameMatches("CN=a\\,b", id));
  EXPECT_FALSE(DistinguishedNameMatches("CN=a,b", id));
  EXPECT_FALSE(DistinguishedNameMatches("CN=a", CertIdentity{}));
}

}  // namespace
}  // namespace jsengine::gateway::core
