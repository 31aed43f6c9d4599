#include "gateway/core/jwt.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "gateway/core/nkey.h"
#include "gateway/core/nkey_signature.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::core {
namespace {

using Json = nlohmann::json;

absl::Status Invalid(const std::string& what) { return absl::InvalidArgumentError(what); }

absl::StatusOr<std::string> DecodeChunk(std::string_view chunk) {
  std::string out;
  const absl::string_view text(chunk.data(), chunk.size());
  if (text.find_first_of("+/") != absl::string_view::npos ||
      !absl::WebSafeBase64Unescape(text, &out)) {
    return Invalid("illegal base64 data");
  }
  return out;
}

absl::StatusOr<Json> ParseObject(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("invalid JSON object");
  return j;
}

// The role prefix of a public key's text, or -1 if it is none we know.
int PrefixOf(std::string_view key) {
  if (key.empty()) return -1;
  switch (key[0]) {
    case 'O':
      return kNkeyPrefixOperator;
    case 'A':
      return kNkeyPrefixAccount;
    case 'U':
      return kNkeyPrefixUser;
    default:
      return -1;
  }
}

bool IsPublicKeyOf(std::string_view key, uint8_t prefix) {
  return PrefixOf(key) == prefix && DecodePublicKey(key, prefix).ok();
}

std::string String(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->get<std::string>();
}

int64_t Int(const Json& j, const char* key, int64_t otherwise) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return otherwise;
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  return it->get<int64_t>();
}

bool Bool(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && !it->is_null() && it->get<bool>();
}

const Json& Object(const Json& j, const char* key) {
  static const Json* const kEmpty = new Json(Json::object());
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return *kEmpty;
  if (!it->is_object()) throw std::invalid_argument(std::string(key) + " is not an object");
  return *it;
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (it->is_string()) {  // v1 comma separated lists
    for (absl::string_view s : absl::StrSplit(it->get<std::string>(), ',', absl::SkipEmpty())) {
      out.emplace_back(absl::StripAsciiWhitespace(s));
    }
    return out;
  }
  for (const Json& item : it->get<std::vector<Json>>()) out.push_back(item.get<std::string>());
  return out;
}

// {"pub": {"allow": [...], "deny": [...]}, "sub": {...}, "resp": {"max", "ttl"}}.
bool ReadPermissions(const Json& j, UserPermissions* p) {
  const Json& pub = Object(j, "pub");
  const Json& sub = Object(j, "sub");
  p->publish.allow = Strings(pub, "allow");
  p->publish.deny = Strings(pub, "deny");
  p->subscribe.allow = Strings(sub, "allow");
  p->subscribe.deny = Strings(sub, "deny");
  bool any = !p->publish.allow.empty() || !p->publish.deny.empty() || !p->subscribe.allow.empty() ||
             !p->subscribe.deny.empty();
  auto resp = j.find("resp");
  if (resp != j.end() && resp->is_object()) {
    p->responses.enabled = true;
    const int64_t max = Int(*resp, "max", 0);
    const int64_t ttl = Int(*resp, "ttl", 0);
    p->responses.max_msgs = max == 0 ? 1 : static_cast<int>(max);
    p->responses.expires = ttl == 0 ? absl::Minutes(2) : absl::Nanoseconds(ttl);
    any = true;
  }
  return any;
}

// Decodes header and claims, checks the signature; leaves the claims JSON
// in `*body`.
absl::StatusOr<JwtClaims> Decode(std::string_view token, Json* body) {
  std::vector<std::string_view> chunks;
  for (size_t start = 0;;) {
    const size_t dot = token.find('.', start);
    chunks.push_back(token.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (chunks.size() != 3) return Invalid("expected 3 chunks");
  absl::StatusOr<std::string> header_text = DecodeChunk(chunks[0]);
  if (!header_text.ok()) return header_text.status();
  absl::StatusOr<Json> header = ParseObject(*header_text);
  if (!header.ok()) return header.status();
  std::string typ, alg;
  try {
    typ = String(*header, "typ");
    alg = String(*header, "alg");
  } catch (const std::exception&) {
    return Invalid("invalid JWT header");
  }
  if (absl::AsciiStrToUpper(typ) != "JWT")
    return Invalid(absl::StrCat("not supported type \"", typ, "\""));
  const std::string lower_alg = absl::AsciiStrToLower(alg);
  if (lower_alg != "ed25519" && lower_alg != "ed25519-nkey") {
    return Invalid(absl::StrCat("unexpected \"", alg, "\" algorithm"));
  }
  absl::StatusOr<std::string> claims_text = DecodeChunk(chunks[1]);
  if (!claims_text.ok()) return claims_text.status();
  absl::StatusOr<Json> j = ParseObject(*claims_text);
  if (!j.ok()) return j.status();
  JwtClaims c;
  try {
    c.id = String(*j, "jti");
    c.issuer = String(*j, "iss");
    c.subject = String(*j, "sub");
    c.name = String(*j, "name");
    auto aud = j->find("aud");
    if (aud != j->end() && aud->is_string()) c.audience = aud->get<std::string>();
    c.issued_at = Int(*j, "iat", 0);
    c.expires = Int(*j, "exp", 0);
    c.not_before = Int(*j, "nbf", 0);
    const Json& nats = Object(*j, "nats");
    c.nats = nats.dump();
    c.type = String(*j, "type");
    if (!c.type.empty()) {
      c.version = 1;
    } else {
      c.type = String(nats, "type");
      c.version = static_cast<int>(Int(nats, "version", 1));
    }
  } catch (const std::exception& e) {
    return Invalid(absl::StrCat("json: ", e.what()));
  }
  if (c.version > 2) return Invalid("JWT was generated by a newer version ");
  absl::StatusOr<std::string> sig = DecodeChunk(chunks[2]);
  if (!sig.ok()) return sig.status();
  const int prefix = PrefixOf(c.issuer);
  absl::StatusOr<NkeyBytes> issuer_key =
      prefix < 0 ? absl::StatusOr<NkeyBytes>(Invalid("bad issuer"))
                 : DecodePublicKey(c.issuer, static_cast<uint8_t>(prefix));
  const std::string_view signed_text =
      c.version <= 1 ? chunks[1] : token.substr(0, chunks[0].size() + 1 + chunks[1].size());
  if (!issuer_key.ok() || !VerifyNkeySignature(*issuer_key, signed_text, chunks[2])) {
    return Invalid(c.version <= 1 ? "claim failed V1 signature verification"
                                  : "claim failed V2 signature verification");
  }
  *body = std::move(*j);
  return c;
}

absl::Status RequireIssuer(const JwtClaims& c, std::initializer_list<uint8_t> prefixes,
                           const char* names) {
  for (uint8_t p : prefixes) {
    if (IsPublicKeyOf(c.issuer, p)) return absl::OkStatus();
  }
  return Invalid(absl::StrCat("unable to validate expected prefixes - ", names));
}

// Runs `read` over the claims' "nats" object, turning JSON type errors into
// a status.
template <typename Claims, typename Read>
absl::StatusOr<Claims> DecodeTyped(std::string_view token, const char* type, Read read) {
  Json body;
  absl::StatusOr<JwtClaims> c = Decode(token, &body);
  if (!c.ok()) return c.status();
  if (c->type != type) return Invalid(absl::StrCat("not ", type, " claim"));
  Claims out;
  out.claims = *c;
  try {
    const Json& nats = Object(body, "nats");
    if (absl::Status s = read(body, nats, &out); !s.ok()) return s;
  } catch (const std::exception& e) {
    return Invalid(absl::StrCat("json: ", e.what()));
  }
  return out;
}

AccountExport::ResponseType ResponseTypeOf(const std::string& s) {
  if (s == "Stream") return AccountExport::ResponseType::kStream;
  if (s == "Chunked") return AccountExport::ResponseType::kChunked;
  return AccountExport::ResponseType::kSingleton;
}

bool ParseIp(std::string_view text, unsigned char out[16], int* family) {
  const std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out) == 1) {
    *family = AF_INET6;
    return true;
  }
  return false;
}

bool CidrContains(std::string_view cidr, const unsigned char ip[16], int family) {
  const size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  unsigned char net[16];
  int net_family = 0;
  int bits = 0;
  if (!ParseIp(cidr.substr(0, slash), net, &net_family) ||
      !absl::SimpleAtoi(absl::string_view(cidr.data() + slash + 1, cidr.size() - slash - 1),
                        &bits) ||
      net_family != family || bits < 0 || bits > (family == AF_INET ? 32 : 128)) {
    return false;
  }
  for (int i = 0; i < bits; ++i) {
    const unsigned char mask = static_cast<unsigned char>(0x80 >> (i % 8));
    if ((net[i / 8] & mask) != (ip[i / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<JwtClaims> DecodeJwt(std::string_view token) {
  Json body;
  return Decode(token, &body);
}

absl::Status CheckTimes(const JwtClaims& claims, absl::Time now) {
  const int64_t t = absl::ToUnixSeconds(now);
  if (claims.expires > 0 && t > claims.expires) return Invalid("claim is expired");
  if (claims.not_before > 0 && t < claims.not_before) return Invalid("claim is not yet valid");
  return absl::OkStatus();
}

absl::StatusOr<OperatorClaims> DecodeOperatorClaims(std::string_view token) {
  return DecodeTyped<OperatorClaims>(
      token, "operator", [](const Json&, const Json& nats, OperatorClaims* o) -> absl::Status {
        if (absl::Status s = RequireIssuer(o->claims, {kNkeyPrefixOperator}, "[O]"); !s.ok()) {
          return s;
        }
        o->signing_keys = Strings(nats, "signing_keys");
        o->system_account = String(nats, "system_account");
        o->account_server_url = String(nats, "account_server_url");
        o->assert_server_version = String(nats, "assert_server_version");
        o->strict_signing_key_usage = Bool(nats, "strict_signing_key_usage");
        for (const std::string& k : o->signing_keys) {
          if (!IsPublicKeyOf(k, kNkeyPrefixOperator)) {
            return Invalid(absl::StrCat("\"", k, "\" is not an operator public key"));
          }
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<AccountClaims> DecodeAccountClaims(std::string_view token) {
  return DecodeTyped<AccountClaims>(
      token, "account", [](const Json&, const Json& nats, AccountClaims* a) -> absl::Status {
        if (absl::Status s =
                RequireIssuer(a->claims, {kNkeyPrefixAccount, kNkeyPrefixOperator}, "[A O]");
            !s.ok()) {
          return s;
        }
        if (!IsPublicKeyOf(a->claims.subject, kNkeyPrefixAccount)) {
          return Invalid(absl::StrCat("\"", a->claims.subject, "\" is not an account public key"));
        }
        const Json& limits = Object(nats, "limits");
        a->limits.max_connections = Int(limits, "conn", 0);
        a->limits.max_subscriptions = Int(limits, "subs", 0);
        a->limits.max_payload = Int(limits, "payload", 0);
        a->limits.max_leafnodes = Int(limits, "leaf", 0);
        a->disallow_bearer = Bool(limits, "disallow_bearer");
        JetStreamLimits& js = a->jetstream_limits;
        js.max_memory = Int(limits, "mem_storage", 0);
        js.max_storage = Int(limits, "disk_storage", 0);
        js.max_streams = Int(limits, "streams", 0);
        js.max_consumers = Int(limits, "consumer", 0);
        js.max_ack_pending = Int(limits, "max_ack_pending", 0);
        js.memory_max_stream_bytes = Int(limits, "mem_max_stream_bytes", 0);
        js.storage_max_stream_bytes = Int(limits, "disk_max_stream_bytes", 0);
        js.max_bytes_required = Bool(limits, "max_bytes_required");
        a->jetstream = js.max_memory != 0 || js.max_storage != 0;
        // As nats-server reports them: streams and consumers as written (0
        // is no limit there too), the others 0 -> -1.
        for (int64_t* v :
             {&js.max_ack_pending, &js.memory_max_stream_bytes, &js.storage_max_stream_bytes}) {
          if (*v == 0) *v = -1;
        }
        auto keys = nats.find("signing_keys");
        if (keys != nats.end() && keys->is_array()) {
          for (const Json& k : *keys) {
            AccountSigningKey key;
            if (k.is_string()) {
              key.key = k.get<std::string>();
            } else {
              key.key = String(k, "key");
              key.scoped = String(k, "kind") == "user_scope";
              if (key.scoped) {
                const Json& t = Object(k, "template");
                ReadPermissions(t, &key.template_permissions);
                key.template_max_subscriptions = Int(t, "subs", 0);
                key.template_max_payload = Int(t, "payload", 0);
              }
            }
            if (!IsPublicKeyOf(key.key, kNkeyPrefixAccount)) {
              return Invalid(absl::StrCat("\"", key.key, "\" is not an account public key"));
            }
            a->signing_keys.push_back(std::move(key));
          }
        }
        auto exports = nats.find("exports");
        if (exports != nats.end() && exports->is_array()) {
          for (const Json& e : *exports) {
            JwtExport x;
            x.name = String(e, "name");
            x.subject = String(e, "subject");
            x.service = String(e, "type") == "service";
            x.token_required = Bool(e, "token_req");
            x.response_type = ResponseTypeOf(String(e, "response_type"));
            a->exports.push_back(std::move(x));
          }
        }
        auto imports = nats.find("imports");
        if (imports != nats.end() && imports->is_array()) {
          for (const Json& i : *imports) {
            JwtImport x;
            x.name = String(i, "name");
            x.account = String(i, "account");
            x.subject = String(i, "subject");
            x.service = String(i, "type") == "service";
            x.token = String(i, "token");
            x.local_subject = String(i, "local_subject");
            if (x.local_subject.empty()) {
              x.local_subject = String(i, "to");
              x.to_is_prefix = !x.service && !x.local_subject.empty();
            }
            a->imports.push_back(std::move(x));
          }
        }
        auto revocations = nats.find("revocations");
        if (revocations != nats.end() && revocations->is_object()) {
          for (const auto& [user, at] : revocations->items()) {
            a->revocations[user] = at.get<int64_t>();
          }
        }
        ReadPermissions(Object(nats, "default_permissions"), &a->default_permissions);
        for (const auto& [source, destinations] : Object(nats, "mappings").items()) {
          SubjectMappingOptions m;
          m.source = source;
          for (const Json& d : destinations.get<std::vector<Json>>()) {
            const int64_t weight = Int(d, "weight", 0);
            m.destinations.push_back({String(d, "subject"),
                                      weight == 0 ? 100 : static_cast<int>(weight),
                                      String(d, "cluster")});
          }
          a->mappings.push_back(std::move(m));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<UserClaims> DecodeUserClaims(std::string_view token) {
  return DecodeTyped<UserClaims>(
      token, "user", [](const Json&, const Json& nats, UserClaims* u) -> absl::Status {
        if (absl::Status s = RequireIssuer(u->claims, {kNkeyPrefixAccount}, "[A]"); !s.ok()) {
          return s;
        }
        if (!IsPublicKeyOf(u->claims.subject, kNkeyPrefixUser)) {
          return Invalid(absl::StrCat("\"", u->claims.subject, "\" is not a user public key"));
        }
        u->issuer_account = String(nats, "issuer_account");
        if (!u->issuer_account.empty() && !IsPublicKeyOf(u->issuer_account, kNkeyPrefixAccount)) {
          return Invalid("account_id is not an account public key");
        }
        u->has_permissions = ReadPermissions(nats, &u->permissions);
        u->bearer_token = Bool(nats, "bearer_token");
        u->src = Strings(nats, "src");
        for (const std::string& cidr : u->src) {
          unsigned char ip[16];
          int family = 0;
          const size_t slash = cidr.find('/');
          if (slash == std::string::npos ||
              !ParseIp(std::string_view(cidr).substr(0, slash), ip, &family)) {
            return Invalid(absl::StrCat("invalid cidr \"", cidr, "\""));
          }
        }
        auto times = nats.find("times");
        if (times != nats.end() && times->is_array()) {
          for (const Json& t : *times) {
            const std::string start = String(t, "start"), end = String(t, "end");
            absl::Time parsed;
            std::string err;
            if (!absl::ParseTime("%H:%M:%S", start, &parsed, &err) ||
                !absl::ParseTime("%H:%M:%S", end, &parsed, &err)) {
              return Invalid(absl::StrCat("times: ", err));
            }
            u->times.emplace_back(start, end);
          }
        }
        u->times_location = String(nats, "times_location");
        if (!u->times_location.empty()) {
          absl::TimeZone tz;
          if (!absl::LoadTimeZone(u->times_location, &tz)) {
            return Invalid(absl::StrCat("could not parse time zone ", u->times_location));
          }
        }
        u->allowed_connection_types = Strings(nats, "allowed_connection_types");
        u->max_subscriptions = Int(nats, "subs", 0);
        u->max_payload = Int(nats, "payload", 0);
        return absl::OkStatus();
      });
}

absl::StatusOr<ActivationClaims> DecodeActivationClaims(std::string_view token) {
  return DecodeTyped<ActivationClaims>(
      token, "activation", [](const Json&, const Json& nats, ActivationClaims* a) -> absl::Status {
        if (absl::Status s =
                RequireIssuer(a->claims, {kNkeyPrefixAccount, kNkeyPrefixOperator}, "[A O]");
            !s.ok()) {
          return s;
        }
        a->import_subject = String(nats, "subject");
        a->service = String(nats, "kind") == "service" || String(nats, "type") == "service";
        a->issuer_account = String(nats, "issuer_account");
        return absl::OkStatus();
      });
}

const AccountSigningKey* AccountClaims::FindIssuer(std::string_view issuer) const {
  static const AccountSigningKey* const kSelf = new AccountSigningKey();
  if (issuer == claims.subject) return kSelf;
  for (const AccountSigningKey& k : signing_keys) {
    if (k.key == issuer) return &k;
  }
  return nullptr;
}

bool AccountClaims::IsRevoked(std::string_view user, int64_t issued_at) const {
  auto all = revocations.find("*");
  if (all != revocations.end() && all->second >= issued_at) return true;
  auto it = revocations.find(absl::string_view(user.data(), user.size()));
  return it != revocations.end() && it->second >= issued_at;
}

std::string ParseDecoratedJwt(std::string_view contents) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::string_view(contents.data(), contents.size()), '\n');
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    const absl::string_view line = absl::StripAsciiWhitespace(lines[i]);
    if (absl::StartsWith(line, "---") && absl::EndsWith(line, "---") &&
        absl::StrContains(line, "JWT")) {
      return std::string(absl::StripAsciiWhitespace(lines[i + 1]));
    }
  }
  return std::string(
      absl::StripAsciiWhitespace(absl::string_view(contents.data(), contents.size())));
}

bool SourceAllowed(const UserClaims& user, std::string_view ip_text) {
  if (user.src.empty()) return true;
  unsigned char ip[16];
  int family = 0;
  if (!ParseIp(ip_text, ip, &family)) return false;
  for (const std::string& cidr : user.src) {
    if (CidrContains(cidr, ip, family)) return true;
  }
  return false;
}

bool TimeAllowed(const UserClaims& user, absl::Time now) {
  if (user.times.empty()) return true;
  absl::TimeZone tz = absl::LocalTimeZone();
  if (!user.times_location.empty() && !absl::LoadTimeZone(user.times_location, &tz)) return false;
  const absl::CivilDay today = absl::ToCivilDay(now, tz);
  for (const auto& [start_text, end_text] : user.times) {
    int sh, sm, ss, eh, em, es;
    if (std::sscanf(start_text.c_str(), "%d:%d:%d", &sh, &sm, &ss) != 3 ||
        std::sscanf(end_text.c_str(), "%d:%d:%d", &eh, &em, &es) != 3) {
      return false;
    }
    const absl::Time start =
        absl::FromCivil(absl::CivilSecond(today) + sh * 3600 + sm * 60 + ss, tz);
    absl::CivilSecond end_civil = absl::CivilSecond(today) + eh * 3600 + em * 60 + es;
    if (start_text > end_text) end_civil += 24 * 3600;
    const absl::Time end = absl::FromCivil(end_civil, tz);
    if (start < now && end > now) return true;
  }
  return false;
}

}  // namespace jsengine::gateway::core
