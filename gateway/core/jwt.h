// NATS JWTs (github.com/nats-io/jwt, v1 and v2): the operator, account, user
// and activation claims of decentralized authentication ("operator mode").
// A JWT is three base64url chunks, header.claims.signature; the header says
// {"typ":"JWT","alg":"ed25519-nkey"} (v2, which signs "header.claims") or
// {"typ":"jwt","alg":"ed25519"} (v1, which signs the claims chunk only); the
// signature is the Ed25519 signature of the issuer (`iss`, an nkey public
// key). Decoding checks the format, the signature and the issuer's role, with
// the jwt library's error texts; time checks are separate (CheckTimes), as
// nats-server applies them at different moments. Pure functions, thread-safe.
//
//   absl::StatusOr<UserClaims> user = DecodeUserClaims(connect_jwt);
//   if (user.ok() && CheckTimes(user->claims, absl::Now()).ok()) ...
#ifndef JSENGINE_GATEWAY_CORE_JWT_H_
#define JSENGINE_GATEWAY_CORE_JWT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/core/account_options.h"
#include "gateway/core/permission_options.h"

namespace jsengine::gateway::core {

// The fields every claim has.
struct JwtClaims {
  std::string id;  // jti
  std::string issuer;
  std::string subject;
  std::string name;
  std::string audience;
  int64_t issued_at = 0;   // unix seconds
  int64_t expires = 0;     // 0: never
  int64_t not_before = 0;  // 0: always
  std::string type;        // "operator", "account", "user", "activation", ...
  int version = 1;
  std::string nats;  // the "nats" object's JSON text (jwt's GenericClaims.Data)
};

// Decodes and verifies any claim; `type` and `version` say which.
absl::StatusOr<JwtClaims> DecodeJwt(std::string_view token);

// "claim is expired" / "claim is not yet valid" at `now`, as the jwt
// library's validation reports them.
absl::Status CheckTimes(const JwtClaims& claims, absl::Time now);

struct OperatorClaims {
  JwtClaims claims;
  std::vector<std::string> signing_keys;
  std::string system_account;
  std::string account_server_url;
  std::string assert_server_version;
  bool strict_signing_key_usage = false;
};

// A key an account signs users with. A scoped key ("kind": "user_scope")
// imposes its template's permissions on the users it signs.
struct AccountSigningKey {
  std::string key;
  bool scoped = false;
  UserPermissions template_permissions;
  int64_t template_max_subscriptions = 0;
  int64_t template_max_payload = 0;
};

struct JwtExport {
  std::string name;
  std::string subject;
  bool service = false;
  bool token_required = false;
  AccountExport::ResponseType response_type = AccountExport::ResponseType::kSingleton;
};

struct JwtImport {
  std::string name;
  std::string account;        // the exporter
  std::string subject;        // the exporter's subject
  std::string local_subject;  // where the importer sees it (v2 local_subject, or v1 `to`)
  std::string token;          // an activation JWT, for exports requiring one
  bool service = false;
  bool to_is_prefix = false;  // a stream import's v1 `to`: a prefix
};

// Limits missing from an account JWT are 0 (nothing allowed), as the jwt
// library reads them; nsc writes -1 (unlimited) for each.
struct AccountClaims {
  JwtClaims claims;
  std::vector<AccountSigningKey> signing_keys;
  AccountLimits limits;
  JetStreamLimits jetstream_limits;
  bool jetstream = false;  // mem_storage or disk_storage not 0
  bool disallow_bearer = false;
  std::vector<JwtExport> exports;
  std::vector<JwtImport> imports;
  // User public key (or "*" for all) -> revoked if issued at or before.
  absl::flat_hash_map<std::string, int64_t> revocations;
  UserPermissions default_permissions;
  // `mappings`: subject -> weighted destinations (a weight of 0 is 100).
  std::vector<SubjectMappingOptions> mappings;

  // Null if `issuer` (a user JWT's `iss`) is neither the account nor one of
  // its signing keys; else the signing key (or a static one for the
  // account's own key).
  const AccountSigningKey* FindIssuer(std::string_view issuer) const;
  // jwt's IsClaimRevoked.
  bool IsRevoked(std::string_view user, int64_t issued_at) const;
};

struct UserClaims {
  JwtClaims claims;
  std::string issuer_account;
  UserPermissions permissions;
  bool has_permissions = false;  // any pub/sub/resp given
  bool bearer_token = false;
  std::vector<std::string> src;                            // CIDRs
  std::vector<std::pair<std::string, std::string>> times;  // "HH:MM:SS" ranges
  std::string times_location;
  std::vector<std::string> allowed_connection_types;  // empty: any
  // As written; missing is 0 (none allowed), as the jwt library reads them.
  int64_t max_subscriptions = 0;
  int64_t max_payload = 0;
};

struct ActivationClaims {
  JwtClaims claims;
  std::string import_subject;
  bool service = false;
  std::string issuer_account;
};

// Each checks that the JWT is one of that type ("not <type> claim" else).
absl::StatusOr<OperatorClaims> DecodeOperatorClaims(std::string_view token);
absl::StatusOr<AccountClaims> DecodeAccountClaims(std::string_view token);
absl::StatusOr<UserClaims> DecodeUserClaims(std::string_view token);
absl::StatusOr<ActivationClaims> DecodeActivationClaims(std::string_view token);

// The JWT inside a decorated file (a creds or operator file with
// "-----BEGIN NATS ... JWT-----" lines), or the text itself when it has none,
// as jwt.ParseDecoratedJWT.
std::string ParseDecoratedJwt(std::string_view contents);

// Whether a user connecting from `ip` (text) is inside one of `src`'s CIDRs
// (true when `src` is empty), as nats-server's validateSrc.
bool SourceAllowed(const UserClaims& user, std::string_view ip);
// Whether `now` is inside one of the user's connect `times` (true when
// there are none), in `times_location` (local time when empty).
bool TimeAllowed(const UserClaims& user, absl::Time now);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_JWT_H_
