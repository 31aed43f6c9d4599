#include "gateway/core/peer_cert.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace jsengine::gateway::core {
namespace {

// The attributes Go parses into named fields, in the order its String()
// prints them (the reverse of ToRDNSequence's).
struct NamedType {
  int nid;
  const char* go_name;
};
constexpr NamedType kNamedTypes[] = {
    {NID_serialNumber, "SERIALNUMBER"},
    {NID_commonName, "CN"},
    {NID_organizationalUnitName, "OU"},
    {NID_organizationName, "O"},
    {NID_postalCode, "POSTALCODE"},
    {NID_streetAddress, "STREET"},
    {NID_localityName, "L"},
    {NID_stateOrProvinceName, "ST"},
    {NID_countryName, "C"},
};

const NamedType* Named(int nid) {
  for (const NamedType& t : kNamedTypes) {
    if (t.nid == nid) return &t;
  }
  return nullptr;
}

std::string Utf8(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, value);
  if (size < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return out;
}

// Go's RDN value escaping.
std::string Escape(const std::string& value) {
  std::string out;
  for (size_t k = 0; k < value.size(); ++k) {
    const char c = value[k];
    bool escape = false;
    switch (c) {
      case ',':
      case '+':
      case '"':
      case '\\':
      case '<':
      case '>':
      case ';':
        escape = true;
        break;
      case ' ':
        escape = k == 0 || k == value.size() - 1;
        break;
      case '#':
        escape = k == 0;
        break;
      default:
        break;
    }
    if (escape) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

bool GoPrintable(const std::string& s) {
  for (unsigned char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    absl::string_view(" '()+,-./:=?").find(c) != absl::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Go marshals a parsed string value again as PrintableString when it can,
// else UTF8String.
std::string DerOfString(const std::string& value) {
  std::string der(1, GoPrintable(value) ? '\x13' : '\x0c');
  const size_t n = value.size();
  if (n < 128) {
    der.push_back(static_cast<char>(n));
  } else {
    std::string len;
    for (size_t v = n; v > 0; v >>= 8) len.insert(len.begin(), static_cast<char>(v & 0xff));
    der.push_back(static_cast<char>(0x80 | len.size()));
    der += len;
  }
  return der + value;
}

std::string Oid(const ASN1_OBJECT* object) {
  char text[128];
  const int n = OBJ_obj2txt(text, sizeof(text), object, 1);
  return n > 0 ? std::string(text, static_cast<size_t>(std::min<int>(n, sizeof(text) - 1))) : "";
}

std::string Sha256Hex(const unsigned char* data, size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(data, size, digest, &digest_size, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

// SHA-256 hex of `part`'s DER encoding by `i2d`.
template <typename T>
std::string HashOfDer(const T* part, int (*i2d)(const T*, unsigned char**)) {
  unsigned char* der = nullptr;
  const int size = i2d(part, &der);
  if (size <= 0) return "";
  std::string hex = Sha256Hex(der, static_cast<size_t>(size));
  OPENSSL_free(der);
  return hex;
}

}  // namespace

std::string GoNameString(const X509_name_st* name) {
  std::vector<std::string> parts;
  for (const NamedType& type : kNamedTypes) {
    std::vector<std::string> values;
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
      const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
      if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)) != type.nid) continue;
      std::string value = Utf8(X509_NAME_ENTRY_get_data(entry));
      // Go keeps one common name and one serial number: the last.
      if (type.nid == NID_commonName || type.nid == NID_serialNumber) values.clear();
      values.push_back(absl::StrCat(type.go_name, "=", Escape(value)));
    }
    if (!values.empty()) parts.push_back(absl::StrJoin(values, "+"));
  }
  for (int i = X509_NAME_entry_count(name) - 1; i >= 0; --i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
    if (Named(OBJ_obj2nid(object)) != nullptr) continue;
    const std::string value = Utf8(X509_NAME_ENTRY_get_data(entry));
    parts.push_back(absl::StrCat(Oid(object), "=#", absl::BytesToHexString(DerOfString(value))));
  }
  return absl::StrJoin(parts, ",");
}

TlsPeerCert DescribePeerCert(x509_st* cert) {
  TlsPeerCert out;
  out.subject = GoNameString(X509_get_subject_name(cert));
  out.spki_sha256 = HashOfDer(X509_get_X509_PUBKEY(cert), &i2d_X509_PUBKEY);
  out.cert_sha256 = HashOfDer(cert, &i2d_X509);
  return out;
}

std::vector<TlsPeerCert> PeerCertsOf(ssl_st* ssl) {
  std::vector<TlsPeerCert> out;
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) return out;
  out.push_back(DescribePeerCert(leaf));
  // On the server side OpenSSL's chain leaves the leaf out.
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    if (X509_cmp(cert, leaf) != 0) out.push_back(DescribePeerCert(cert));
  }
  return out;
}

}  // namespace jsengine::gateway::core
