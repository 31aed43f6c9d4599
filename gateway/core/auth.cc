#include "gateway/core/auth.h"

#include <crypt.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/string_view.h"
#include "common/subject.h"
#include "gateway/core/jwt.h"
#include "gateway/core/nkey_signature.h"

namespace jsengine::gateway::core {
namespace {

bool IsBcrypt(const std::string& s) {
  return s.size() > 4 && s[0] == '$' && s[1] == '2' && (s[3] == '$' || s[2] == '$');
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

bool MatchesAny(const std::vector<std::string>& patterns, std::string_view subject) {
  for (const std::string& p : patterns) {
    if (common::SubjectMatches(p, subject)) return true;
  }
  return false;
}

// Null when the user may publish and subscribe to everything.
const UserPermissions* PermissionsOrNull(const UserAccount& u) {
  const UserPermissions& p = u.permissions;
  const bool unrestricted = p.publish.allow.empty() && p.publish.deny.empty() &&
                            p.subscribe.allow.empty() && p.subscribe.deny.empty();
  return unrestricted ? nullptr : &u.permissions;
}

}  // namespace

bool PasswordMatches(const std::string& password, const std::string& expected) {
  if (!IsBcrypt(expected)) return ConstantTimeEquals(password, expected);
  struct crypt_data data;
  std::memset(&data, 0, sizeof(data));
  const char* hashed = crypt_r(password.c_str(), expected.c_str(), &data);
  return hashed != nullptr && hashed[0] != '*' && ConstantTimeEquals(hashed, expected);
}

bool PermissionChecker::CanPublish(std::string_view subject) {
  if (permissions_ == nullptr) return true;
  auto it = publish_cache_.find(absl::string_view(subject.data(), subject.size()));
  if (it != publish_cache_.end()) return it->second;
  const SubjectPermission& p = permissions_->publish;
  const bool ok =
      (p.allow.empty() ? !permissions_->responses.enabled : MatchesAny(p.allow, subject)) &&
      !MatchesAny(p.deny, subject);
  if (publish_cache_.size() > 1024) publish_cache_.clear();
  publish_cache_.emplace(std::string(subject), ok);
  return ok;
}

bool PermissionChecker::CanSubscribe(std::string_view subject) const {
  if (permissions_ == nullptr) return true;
  const SubjectPermission& p = permissions_->subscribe;
  if (!p.allow.empty()) {
    bool allowed = false;
    for (const std::string& a : p.allow) {
      if (common::SubjectIsSubsetOf(subject, a)) {
        allowed = true;
        break;
      }
    }
    if (!allowed) return false;
  }
  for (const std::string& d : p.deny) {
    if (common::SubjectIsSubsetOf(subject, d)) return false;
  }
  return true;
}

bool PermissionChecker::DeliveryDenied(std::string_view subject) const {
  return permissions_ != nullptr && MatchesAny(permissions_->subscribe.deny, subject);
}

Authenticator::Authenticator(const ServerOptions& options)
    : token_(options.token),
      username_(options.username),
      password_(options.password),
      users_(options.users),
      no_auth_user_(options.no_auth_user) {
  for (size_t i = 0; i < users_.size(); ++i) {
    if (users_[i].nkey.empty()) continue;
    absl::StatusOr<NkeyBytes> key = DecodeUserPublicKey(users_[i].nkey);
    if (key.ok()) nkey_users_.emplace_back(*key, i);
  }
  required_ = !token_.empty() || !username_.empty() || !users_.empty();
  operator_mode_ = options.operator_mode.enabled();
  if (operator_mode_) {
    required_ = true;
    for (const auto& [claims, jwt] : options.operator_mode.accounts) {
      jwt_accounts_.emplace(claims.claims.subject, claims);
    }
    pinned_accounts_ = options.operator_mode.pinned_accounts;
  }
}

bool Authenticator::CheckJwt(const Credentials& c, const UserPermissions** permissions,
                             const std::string** account, UserSession* session) const {
  if (c.jwt.empty()) return false;
  absl::StatusOr<UserClaims> user = DecodeUserClaims(c.jwt);
  const absl::Time now = absl::Now();
  if (!user.ok() || !CheckTimes(user->claims, now).ok()) return false;
  const std::string& issuer =
      user->issuer_account.empty() ? user->claims.issuer : user->issuer_account;
  if (!pinned_accounts_.empty() && std::find(pinned_accounts_.begin(), pinned_accounts_.end(),
                                             issuer) == pinned_accounts_.end()) {
    return false;
  }
  auto acc = jwt_accounts_.find(issuer);
  if (acc == jwt_accounts_.end()) return false;
  const AccountClaims& a = acc->second;
  const AccountSigningKey* signer = a.FindIssuer(user->claims.issuer);
  if (signer == nullptr) return false;
  if (!CheckTimes(a.claims, now).ok()) return false;
  if (user->bearer_token && a.disallow_bearer) return false;
  // Every client here is a STANDARD connection (no websocket, MQTT or
  // leafnode ports); a list without it keeps the user out, as nats-server
  // keeps out a connection of a type not listed.
  const std::vector<std::string>& types = user->allowed_connection_types;
  if (!types.empty() && std::find(types.begin(), types.end(), "STANDARD") == types.end()) {
    return false;
  }
  if (!user->bearer_token) {
    absl::StatusOr<NkeyBytes> key = DecodeUserPublicKey(user->claims.subject);
    if (c.sig.empty() || !key.ok() || !VerifyNkeySignature(*key, c.nonce, c.sig)) return false;
  }
  if (a.IsRevoked(user->claims.subject, user->claims.issued_at)) return false;
  if (!SourceAllowed(*user, c.ip) || !TimeAllowed(*user, now)) return false;
  auto p = std::make_unique<UserPermissions>(
      signer->scoped ? signer->template_permissions
                     : (user->has_permissions ? user->permissions : a.default_permissions));
  const bool unrestricted = p->publish.allow.empty() && p->publish.deny.empty() &&
                            p->subscribe.allow.empty() && p->subscribe.deny.empty() &&
                            !p->responses.enabled;
  if (unrestricted) {
    *permissions = nullptr;
  } else {
    common::MutexLock lock(&jwt_mu_);
    auto [it, added] = jwt_permissions_.try_emplace(c.jwt, std::move(p));
    *permissions = it->second.get();
  }
  if (account != nullptr) *account = &acc->first;
  if (session != nullptr) {
    session->expires = user->claims.expires > 0 ? absl::FromUnixSeconds(user->claims.expires)
                                                : absl::InfiniteFuture();
    session->max_subscriptions =
        signer->scoped ? signer->template_max_subscriptions : user->max_subscriptions;
    session->max_payload = signer->scoped ? signer->template_max_payload : user->max_payload;
    session->public_key = user->claims.subject;
  }
  return true;
}

bool Authenticator::Check(const Credentials& c, const UserPermissions** permissions,
                          const std::string** account, UserSession* session) const {
  static const std::string* const kGlobal = new std::string();
  *permissions = nullptr;
  if (account != nullptr) *account = kGlobal;
  if (session != nullptr) *session = UserSession();
  if (!required_) return true;
  if (operator_mode_) return CheckJwt(c, permissions, account, session);
  if (!nkey_users_.empty() && !c.nkey.empty()) {
    for (const auto& [key, index] : nkey_users_) {
      const UserAccount& user = users_[index];
      if (user.nkey != c.nkey) continue;
      if (!VerifyNkeySignature(key, c.nonce, c.sig)) return false;
      if (account != nullptr) *account = &user.account;
      *permissions = PermissionsOrNull(user);
      return true;
    }
    return false;
  }
  const bool no_auth = c.user.empty() && c.pass.empty() && c.token.empty() && c.nkey.empty() &&
                       !no_auth_user_.empty();
  if (!token_.empty() && PasswordMatches(c.token, token_)) return true;
  if (!username_.empty() && c.user == username_ && PasswordMatches(c.pass, password_)) {
    return true;
  }
  for (const UserAccount& u : users_) {
    if (no_auth ? u.user == no_auth_user_ : (u.user == c.user && !c.user.empty())) {
      if (!no_auth && !PasswordMatches(c.pass, u.password)) return false;
      if (account != nullptr) *account = &u.account;
      *permissions = PermissionsOrNull(u);
      return true;
    }
  }
  return false;
}

bool Authenticator::CheckCertificate(const CertIdentity& identity,
                                     const UserPermissions** permissions,
                                     const std::string** account, std::string* user) const {
  const UserAccount* found = nullptr;
  for (const std::string& name : identity.alt_names) {
    for (const UserAccount& u : users_) {
      if (found == nullptr && !u.user.empty() && u.user == name) found = &u;
    }
  }
  for (const UserAccount& u : users_) {
    if (found == nullptr && !u.user.empty() && DistinguishedNameMatches(u.user, identity)) {
      found = &u;
    }
  }
  if (found == nullptr) return false;
  *permissions = PermissionsOrNull(*found);
  *account = &found->account;
  *user = found->user;
  return true;
}

bool Authenticator::JwtRevoked(const Credentials& c) const {
  if (!operator_mode_ || c.jwt.empty()) return false;
  absl::StatusOr<UserClaims> user = DecodeUserClaims(c.jwt);
  if (!user.ok()) return false;
  auto acc =
      jwt_accounts_.find(user->issuer_account.empty() ? user->claims.issuer : user->issuer_account);
  return acc != jwt_accounts_.end() &&
         acc->second.IsRevoked(user->claims.subject, user->claims.issued_at);
}

const std::string* Authenticator::AccountOfUser(std::string_view user) const {
  for (const UserAccount& u : users_) {
    if (u.user == user) return &u.account;
  }
  return nullptr;
}

}  // namespace jsengine::gateway::core
