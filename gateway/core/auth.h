// Authentication and authorization of client connections, as configured by
// ServerOptions: a token, a single user/password, or a list of users with
// per-user publish/subscribe permissions. Passwords may be bcrypt hashes.
// Immutable after construction; thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_AUTH_H_
#define JSENGINE_GATEWAY_CORE_AUTH_H_

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "gateway/core/cert_identity.h"
#include "gateway/core/nkey.h"
#include "gateway/core/options.h"

namespace jsengine::gateway::core {

// Credentials a client sent in CONNECT.
struct Credentials {
  std::string user;
  std::string pass;
  std::string token;
  std::string nkey;   // an nkey user's public key
  std::string sig;    // its signature of `nonce`
  std::string nonce;  // what the server sent in INFO
  std::string jwt;    // operator mode: the user JWT (`sig` signs the nonce)
  std::string ip;     // where the client connects from (user JWT `src`)
};

// True if `password` equals `expected`, which may be a bcrypt hash.
bool PasswordMatches(const std::string& password, const std::string& expected);

// Checks subjects against one user's permissions, caching publish decisions.
// Not thread-safe: each connection owns its own.
class PermissionChecker {
 public:
  explicit PermissionChecker(const UserPermissions* permissions) : permissions_(permissions) {}
  bool CanPublish(std::string_view subject);
  // A subscription is refused when it is not covered by the allow list or
  // lies entirely inside a denied subject. A wildcard subscription that only
  // overlaps a deny entry is accepted; DeliveryDenied() filters its messages.
  bool CanSubscribe(std::string_view subject) const;
  // Thread-safe (reads only the immutable permissions).
  bool DeliveryDenied(std::string_view subject) const;
  bool filters_deliveries() const {
    return permissions_ != nullptr && !permissions_->subscribe.deny.empty();
  }

 private:
  const UserPermissions* permissions_;  // null: everything allowed
  absl::flat_hash_map<std::string, bool> publish_cache_;
};

// What a user JWT says about its connection beyond permissions and
// account: when it expires, its own limits (nats-server's user limits,
// -1 unlimited, 0 nothing: a v2 JWT without them allows no subscription and
// no payload, as in nats-server) and its public key.
struct UserSession {
  absl::Time expires = absl::InfiniteFuture();
  int64_t max_subscriptions = -1;
  int64_t max_payload = -1;
  std::string public_key;
};

class Authenticator {
 public:
  explicit Authenticator(const ServerOptions& options);
  bool required() const { return required_; }
  // True if INFO must carry a nonce for nkey (and JWT) users to sign.
  bool nonce_required() const { return !nkey_users_.empty() || operator_mode_; }
  bool operator_mode() const { return operator_mode_; }
  // What INFO's auth_required says: false when no_auth_user lets clients in
  // without credentials (as nats-server).
  bool announced_required() const { return required_ && no_auth_user_.empty(); }
  // Returns false if the credentials are rejected. On success sets
  // `*permissions` to the user's permissions (null if unrestricted) and, if
  // given, `*account` to the user's account name (empty: the global
  // account); the pointers live as long as this Authenticator. Without
  // credentials, the no_auth_user's.
  // In operator mode the credentials are a user JWT and the nonce's
  // signature (auth.go's checks: the account known and trusted, the JWT
  // issued by it or one of its signing keys, unexpired, not revoked, `src`
  // and `times`); `*account` is the account's public key and `*session`,
  // if given, what the user JWT says of its connection (defaults otherwise).
  bool Check(const Credentials& credentials, const UserPermissions** permissions,
             const std::string** account = nullptr, UserSession* session = nullptr) const;
  // verify_and_map: the configured user (with a password or not) that a
  // client certificate names, as nats-server looks it up: the first
  // subject alternative name that is a user's name, else a user whose name
  // is the certificate's distinguished name. Sets what Check() sets and
  // `*user` to the user's name; false if none.
  bool CheckCertificate(const CertIdentity& identity, const UserPermissions** permissions,
                        const std::string** account, std::string* user) const;
  // Operator mode: whether the user JWT in `credentials` is revoked by its
  // account's JWT (what nats-server closes connected clients for with
  // 'User Authentication Revoked').
  bool JwtRevoked(const Credentials& credentials) const;
  // The account of a configured user (empty: the global account), or null
  // when there is no such user.
  const std::string* AccountOfUser(std::string_view user) const;

 private:
  std::string token_;
  std::string username_;
  std::string password_;
  std::vector<UserAccount> users_;
  std::vector<std::pair<NkeyBytes, size_t>> nkey_users_;  // key, index in users_
  std::string no_auth_user_;
  bool required_ = false;

  bool CheckJwt(const Credentials& c, const UserPermissions** permissions,
                const std::string** account, UserSession* session) const;
  bool operator_mode_ = false;
  absl::flat_hash_map<std::string, AccountClaims> jwt_accounts_;  // by public key
  std::vector<std::string> pinned_accounts_;
  // The permissions of each user JWT seen, by JWT (never freed: clients
  // hold plain pointers, as to users_' permissions).
  mutable common::Mutex jwt_mu_;
  mutable absl::flat_hash_map<std::string, std::unique_ptr<const UserPermissions>> jwt_permissions_
      ABSL_GUARDED_BY(jwt_mu_);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_AUTH_H_
