#include "gateway/core/cipher_suites.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

// What Debian 12's OpenSSL 3 offers of nats-server's names (no RC4, no 3DES).
const std::map<std::string, std::string> kOpenSsl3 = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"},
};

TEST(CipherSuitesTest, KnowsNatsServerNamesOnly) {
  for (const char* name : {"TLS_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
                           "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_AES_256_GCM_SHA384",
                           "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"}) {
    EXPECT_TRUE(CheckCipherSuiteName(name).ok()) << name;
  }
  // OpenSSL's names, and IANA names nats-server's table lacks, are refused
  // as nats-server refuses them.
  for (const char* name :
       {"ECDHE-RSA-AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "tls_rsa_with_aes_128_cbc_sha", ""}) {
    EXPECT_EQ(CheckCipherSuiteName(name).message(), std::string("unrecognized cipher ") + name);
  }
}

TEST(CipherSuitesTest, MapsToOpenSslNamesInOrderAndDropsWhatItLacks) {
  auto s = SelectCipherSuites({"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_RSA_WITH_RC4_128_SHA",
                               "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                               "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"},
                              kOpenSsl3);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->tls12_list, "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA");
  EXPECT_EQ(s->dropped, (std::vector<std::string>{"TLS_RSA_WITH_RC4_128_SHA",
                                                  "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}));
}

TEST(CipherSuitesTest, Tls13NamesAreAcceptedAndLeaveTls12Empty) {
  auto s =
      SelectCipherSuites({"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}, kOpenSsl3);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->tls12_list, "");
  EXPECT_TRUE(s->dropped.empty());
  auto mixed =
      SelectCipherSuites({"TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"}, kOpenSsl3);
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(mixed->tls12_list, "");
  EXPECT_EQ(mixed->dropped, std::vector<std::string>{"TLS_RSA_WITH_RC4_128_SHA"});
}

TEST(CipherSuitesTest, RefusesUnknownNamesAndListsWithNothingLeft) {
  EXPECT_EQ(
      SelectCipherSuites({"TLS_RSA_WITH_AES_128_CBC_SHA", "RC4-SHA"}, kOpenSsl3).status().message(),
      "unrecognized cipher RC4-SHA");
  EXPECT_EQ(
      SelectCipherSuites({"TLS_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA"}, kOpenSsl3)
          .status()
          .message(),
      "cipher_suites: none of the suites listed is available in this server's TLS library "
      "(TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_RC4_128_SHA)");
}

}  // namespace
}  // namespace jsengine::gateway::core
