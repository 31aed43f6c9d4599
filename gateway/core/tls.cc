#include "gateway/core/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>

#include "absl/strings/str_join.h"
#include "gateway/core/cipher_suites.h"
#include "glog/logging.h"

namespace jsengine::gateway::core {
namespace {

// OpenSSL's queued errors, oldest first, joined; clears the queue.
std::string DrainErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

absl::Status FileError(std::string_view what, const std::string& path) {
  std::string reason = DrainErrors();
  return absl::InvalidArgumentError(std::string("TLS ") + std::string(what) + " " + path + ": " +
                                    (reason.empty() ? "unusable" : reason));
}

void IgnoreSigpipeUnlessHandled() {
  struct sigaction current;
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
}

}  // namespace

TlsSession::TlsSession(ssl_st* ssl) : ssl_(ssl) {}

TlsSession::~TlsSession() { SSL_free(ssl_); }

TlsSession::HandshakeResult TlsSession::Handshake() {
  if (established_) return kDone;
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    established_ = true;
    return kDone;
  }
  return Result(rc) < 0 && errno == EAGAIN ? kWouldBlock : kFailed;
}

std::vector<TlsPeerCert> TlsSession::PeerCerts() const { return PeerCertsOf(ssl_); }

std::string TlsSession::version() const {
  switch (SSL_version(ssl_)) {
    case TLS1_2_VERSION:
      return "1.2";
    case TLS1_3_VERSION:
      return "1.3";
    default:
      return SSL_get_version(ssl_);
  }
}

std::string TlsSession::cipher_suite() const {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  const char* name = cipher == nullptr ? nullptr : SSL_CIPHER_standard_name(cipher);
  return name == nullptr ? "" : name;
}

CertIdentity TlsSession::PeerIdentity() const {
  CertIdentity id;
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return id;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int type : {GEN_EMAIL, GEN_DNS, GEN_URI}) {
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type != type) continue;
      const ASN1_IA5STRING* text = name->d.ia5;
      id.alt_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                                ASN1_STRING_length(text));
      if (type == GEN_DNS) id.dns_names.push_back(id.alt_names.back());
    }
  }
  GENERAL_NAMES_free(names);
  const X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = 0; i < X509_NAME_entry_count(subject); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(subject, i);
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    unsigned char* utf8 = nullptr;
    const int size = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (size < 0) continue;
    const char* type = nid == NID_undef ? "" : OBJ_nid2sn(nid);
    id.subject.emplace_back(type, std::string(reinterpret_cast<char*>(utf8), size));
    OPENSSL_free(utf8);
  }
  X509_free(cert);
  return id;
}

ssize_t TlsSession::Read(char* buf, size_t len) {
  ERR_clear_error();
  const int rc = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(len, 1 << 30)));
  return rc > 0 ? rc : Result(rc);
}

ssize_t TlsSession::Write(const char* buf, size_t len) {
  // SSL_write takes one record at a time; go on until the socket is full.
  size_t written = 0;
  while (written < len) {
    ERR_clear_error();
    const int rc =
        SSL_write(ssl_, buf + written, static_cast<int>(std::min<size_t>(len - written, 1 << 30)));
    if (rc <= 0) {
      const ssize_t r = Result(rc);
      if (written > 0 && r < 0 && errno == EAGAIN) break;
      return r;
    }
    written += rc;
  }
  return static_cast<ssize_t>(written);
}

ssize_t TlsSession::Result(int rc) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      error_ = DrainErrors();
      if (error_.empty()) {
        if (saved_errno == EAGAIN || saved_errno == EINTR) {
          errno = EAGAIN;
          return -1;
        }
        if (saved_errno == 0) return 0;  // the peer closed without close_notify
        error_ = std::string("socket: ") + strerror(saved_errno);
      }
      errno = EIO;
      return -1;
    default:
      error_ = DrainErrors();
      if (error_.empty()) error_ = "TLS failure";
      errno = EIO;
      return -1;
  }
}

namespace {

// OpenSSL's name of each suite `ctx`'s library offers, by standard name.
std::map<std::string, std::string> OfferedSuites(SSL_CTX* ctx) {
  std::map<std::string, std::string> offered;
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return offered;
  SSL_set_cipher_list(ssl, "ALL:COMPLEMENTOFALL");
  STACK_OF(SSL_CIPHER)* all = SSL_get_ciphers(ssl);
  for (int i = 0; all != nullptr && i < sk_SSL_CIPHER_num(all); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(all, i);
    offered[SSL_CIPHER_standard_name(c)] = SSL_CIPHER_get_name(c);
  }
  SSL_free(ssl);
  return offered;
}

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

// Refuses a client certificate whose public key is not pinned (at depth 0).
int VerifyPinned(int preverify_ok, X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error_depth(store) != 0) return preverify_ok;
  SSL* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* pinned =
      static_cast<const std::vector<std::string>*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (pinned == nullptr || cert == nullptr) return 0;
  unsigned char* der = nullptr;
  const int size = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (size <= 0) return 0;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  const bool hashed = EVP_Digest(der, size, digest, &digest_size, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!hashed) return 0;
  const std::string hex = Hex(digest, digest_size);
  if (std::find(pinned->begin(), pinned->end(), hex) == pinned->end()) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  return preverify_ok;
}

// For insecure dialed routes: the chain is not checked, the pin still is.
int VerifyPinnedOnly(int /*preverify_ok*/, X509_STORE_CTX* store) {
  return X509_STORE_CTX_get_error_depth(store) != 0 ? 1 : VerifyPinned(1, store);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& options) {
  return Create(options, /*routes=*/false);
}

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::CreateForRoutes(const TlsOptions& options) {
  TlsOptions verifying = options;
  verifying.verify = true;
  return Create(verifying, /*routes=*/true);
}

absl::StatusOr<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& options,
                                                               bool routes) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(routes ? TLS_method() : TLS_server_method());
  if (ctx == nullptr) return absl::InternalError("SSL_CTX_new: " + DrainErrors());
  std::unique_ptr<TlsContext> context(new TlsContext(ctx, routes && options.insecure));
  const int min_version = options.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(ctx, min_version);
  // nats-server's TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only.
  // TLS 1.3 keeps OpenSSL's suites, the three Go offers too.
  constexpr char kTls12Ciphers[] =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return absl::InternalError("SSL_CTX_set_cipher_list: " + DrainErrors());
  }
  if (!options.cipher_suites.empty()) {
    absl::StatusOr<CipherSuiteSelection> suites =
        SelectCipherSuites(options.cipher_suites, OfferedSuites(ctx));
    if (!suites.ok()) return suites.status();
    if (!suites->dropped.empty()) {
      LOG(WARNING) << "cipher_suites: " << absl::StrJoin(suites->dropped, ", ")
                   << (suites->dropped.size() == 1 ? " is" : " are")
                   << " not available in this server's TLS library ("
                   << OpenSSL_version(OPENSSL_VERSION) << "); left out";
    }
    if (suites->tls12_list.empty()) {
      // As nats-server given only TLS 1.3 names: no TLS 1.2 suite is left.
      if (min_version != TLS1_3_VERSION) {
        LOG(WARNING) << "cipher_suites: no TLS 1.2 suite is left; TLS 1.2 clients cannot connect";
      }
      SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    } else if (SSL_CTX_set_cipher_list(ctx, suites->tls12_list.c_str()) != 1) {
      return absl::InvalidArgumentError("cipher_suites: " + DrainErrors());
    }
  }
  if (!options.curves.empty()) {
    std::string groups;
    for (const std::string& curve : options.curves) {
      groups += (groups.empty() ? "" : ":") + curve;
    }
    if (SSL_CTX_set1_groups_list(ctx, groups.c_str()) != 1) {
      return absl::InvalidArgumentError("curve_preferences: " + DrainErrors());
    }
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // A route whose server stops without close_notify just closed.
  if (routes) SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
    return FileError("certificate", options.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return FileError("private key", options.key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return FileError("private key does not match certificate; key", options.key_file);
  }
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return FileError("CA file", options.ca_file);
    }
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(ctx, names);
    }
  } else if (options.verify) {
    SSL_CTX_set_default_verify_paths(ctx);
  }
  context->pinned_certs_ = options.pinned_certs;
  if (!options.pinned_certs.empty()) {
    if (options.ca_file.empty() && !options.verify) SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_app_data(ctx, &context->pinned_certs_);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &VerifyPinned);
  } else if (options.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  IgnoreSigpipeUnlessHandled();
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::unique_ptr<TlsSession> TlsContext::NewSession(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  SSL_set_fd(ssl, fd);
  SSL_set_accept_state(ssl);
  return std::make_unique<TlsSession>(ssl);
}

std::unique_ptr<TlsSession> TlsContext::NewClientSession(int fd,
                                                         const std::string& server_name) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  auto session = std::make_unique<TlsSession>(ssl);
  SSL_set_fd(ssl, fd);
  SSL_set_connect_state(ssl);
  in6_addr ip6;
  in_addr ip4;
  const bool is_ip = inet_pton(AF_INET, server_name.c_str(), &ip4) == 1 ||
                     inet_pton(AF_INET6, server_name.c_str(), &ip6) == 1;
  // As Go's TLS client: SNI for host names only.
  if (!is_ip && !server_name.empty() && SSL_set_tlsext_host_name(ssl, server_name.c_str()) != 1) {
    return nullptr;
  }
  if (insecure_) {
    if (pinned_certs_.empty()) {
      SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    } else {
      SSL_set_verify(ssl, SSL_VERIFY_PEER, &VerifyPinnedOnly);
    }
    return session;
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const int named = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str())
                          : X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), 0);
  if (named != 1) return nullptr;
  return session;
}

}  // namespace jsengine::gateway::core
