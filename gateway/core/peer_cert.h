// What nats-server's /connz shows (with auth=true) of each certificate a TLS
// client sent, leaf first: tls_peer_certs [{subject, spki_sha256,
// cert_sha256}].
//
//   std::vector<TlsPeerCert> certs = PeerCertsOf(ssl);
//
// The subject is written as Go's pkix.Name.String(): RFC 2253 style, the
// attributes Go names (SERIALNUMBER, CN, OU, O, POSTALCODE, STREET, L, ST, C,
// in that order, values of one type joined with '+'), then the others as
// OID=#DER-hex; the hashes are lowercase hex SHA-256 of the certificate's
// SubjectPublicKeyInfo and of the whole DER certificate. Pure functions.
#ifndef JSENGINE_GATEWAY_CORE_PEER_CERT_H_
#define JSENGINE_GATEWAY_CORE_PEER_CERT_H_

#include <string>
#include <vector>

// OpenSSL's types, without its headers.
struct ssl_st;
struct x509_st;
struct X509_name_st;

namespace jsengine::gateway::core {

struct TlsPeerCert {
  std::string subject;
  std::string spki_sha256;
  std::string cert_sha256;

  bool operator==(const TlsPeerCert& o) const {
    return subject == o.subject && spki_sha256 == o.spki_sha256 && cert_sha256 == o.cert_sha256;
  }
};

// Go's pkix.Name.String() of `name`.
std::string GoNameString(const X509_name_st* name);

TlsPeerCert DescribePeerCert(x509_st* cert);

// The certificates the peer of an established server-side session sent,
// leaf first; empty without a client certificate.
std::vector<TlsPeerCert> PeerCertsOf(ssl_st* ssl);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_PEER_CERT_H_
