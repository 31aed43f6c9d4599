#include "gateway/core/peer_cert.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace jsengine::gateway::core {
namespace {

using Name = std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)>;

Name MakeName(const std::vector<std::pair<const char*, const char*>>& entries) {
  Name name(X509_NAME_new(), &X509_NAME_free);
  for (const auto& [type, value] : entries) {
    EXPECT_EQ(X509_NAME_add_entry_by_txt(name.get(), type, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(value), -1, -1, 0),
              1)
        << type;
  }
  return name;
}

TEST(GoNameStringTest, CommonNameAlone) {
  EXPECT_EQ(GoNameString(MakeName({{"CN", "client"}}).get()), "CN=client");
}

TEST(GoNameStringTest, GoOrderNotCertificateOrder) {
  // As Go prints a parsed name: SERIALNUMBER, CN, OU, O, POSTALCODE, STREET,
  // L, ST, C, whatever order the certificate has them in.
  Name name = MakeName({{"C", "US"},
                        {"ST", "CA"},
                        {"L", "Los Angeles"},
                        {"O", "Synadia"},
                        {"OU", "nats.io"},
                        {"OU", "dev"},
                        {"CN", "localhost"},
                        {"serialNumber", "42"},
                        {"street", "1 Main St"},
                        {"postalCode", "90001"}});
  EXPECT_EQ(GoNameString(name.get()),
            "SERIALNUMBER=42,CN=localhost,OU=nats.io+OU=dev,O=Synadia,POSTALCODE=90001,"
            "STREET=1 Main St,L=Los Angeles,ST=CA,C=US");
}

TEST(GoNameStringTest, EscapesAsGo) {
  EXPECT_EQ(GoNameString(MakeName({{"CN", " a,b+c\"d\\e<f>g;h "}}).get()),
            "CN=\\ a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\ ");
  EXPECT_EQ(GoNameString(MakeName({{"CN", "#x#"}}).get()), "CN=\\#x#");
}

TEST(GoNameStringTest, OtherAttributesLastAsDerHex) {
  // emailAddress (1.2.840.113549.1.9.1): '@' is not PrintableString, so Go
  // marshals it as UTF8String (tag 0x0c); "US" as PrintableString (0x13).
  Name name = MakeName({{"emailAddress", "a@b"}, {"CN", "x"}, {"DC", "US"}});
  EXPECT_EQ(GoNameString(name.get()),
            "CN=x,0.9.2342.19200300.100.1.25=#13025553,1.2.840.113549.1.9.1=#0c03614062");
}

TEST(DescribePeerCertTest, HashesTheKeyAndTheCertificate) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  ASSERT_NE(key, nullptr);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  Name name = MakeName({{"CN", "alice"}});
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(), name.get());
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);

  const TlsPeerCert described = DescribePeerCert(cert.get());
  EXPECT_EQ(described.subject, "CN=alice");
  ASSERT_EQ(described.spki_sha256.size(), 64u);
  ASSERT_EQ(described.cert_sha256.size(), 64u);
  EXPECT_NE(described.spki_sha256, described.cert_sha256);
  EXPECT_EQ(described.spki_sha256.find_first_not_of("0123456789abcdef"), std::string::npos);

  // The same key in another certificate: same key hash, another cert hash.
  std::unique_ptr<X509, decltype(&X509_free)> other(X509_dup(cert.get()), &X509_free);
  ASN1_INTEGER_set(X509_get_serialNumber(other.get()), 2);
  ASSERT_GT(X509_sign(other.get(), key.get(), EVP_sha256()), 0);
  const TlsPeerCert again = DescribePeerCert(other.get());
  EXPECT_EQ(again.spki_sha256, described.spki_sha256);
  EXPECT_NE(again.cert_sha256, described.cert_sha256);
}

}  // namespace
}  // namespace jsengine::gateway::core
