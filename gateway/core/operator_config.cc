#include "gateway/core/operator_config.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/durable_file.h"
#include "gateway/core/account_exports.h"
#include "gateway/core/config_values.h"
#include "gateway/core/nkey.h"
#include "gateway/core/subject_mapping.h"
#include "gateway/core/version.h"
#include "glog/logging.h"

namespace jsengine::gateway::core {
namespace {

absl::Status ConfigError(const ConfigValue& v, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("config line ", v.line, ": ", what));
}

bool IsPublicKey(const std::string& key, uint8_t prefix) {
  return DecodePublicKey(key, prefix).ok();
}

// A string or an array of strings.
absl::Status StringOrList(const ConfigValue& v, const std::string& what,
                          std::vector<std::string>* out) {
  if (v.kind == ConfigValue::Kind::kScalar) {
    out->push_back(v.text);
    return absl::OkStatus();
  }
  if (v.kind != ConfigValue::Kind::kArray) {
    return ConfigError(v, absl::StrCat("error parsing ", what, ": unsupported type"));
  }
  for (const ConfigValue& item : v.items) {
    if (item.kind != ConfigValue::Kind::kScalar) {
      return ConfigError(item, absl::StrCat("error parsing ", what, ": unsupported type in array"));
    }
    out->push_back(item.text);
  }
  return absl::OkStatus();
}

// readOperatorJWT: a (decorated) file, or the JWT itself inline.
absl::StatusOr<std::string> ReadOperatorJwt(const std::string& name) {
  std::ifstream in(name);
  std::string contents;
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    contents = ss.str();
  } else if (absl::StartsWith(name, "eyJ")) {
    contents = name;
  } else {
    return absl::NotFoundError(absl::StrCat("open ", name, ": no such file or directory"));
  }
  return ParseDecoratedJwt(contents);
}

absl::Status GoDuration(const std::string& key, const ConfigValue& v, absl::Duration* out) {
  if (v.kind != ConfigValue::Kind::kScalar || !absl::ParseDuration(v.text, out)) {
    return ConfigError(v, absl::StrCat("time: invalid duration \"", v.text, "\" (", key, ")"));
  }
  return absl::OkStatus();
}

absl::Status ApplyResolverMap(const ConfigValue& v, ResolverOptions* r) {
  std::string type;
  bool hard_delete_set = false;
  for (const auto& [k, val] : v.entries) {
    absl::Status s;
    if (k == "dir") {
      s = GetString(k, val, &r->dir);
    } else if (k == "type") {
      s = GetString(k, val, &type);
    } else if (k == "allow_delete") {
      s = GetBool(k, val, &r->allow_delete);
    } else if (k == "hard_delete") {
      hard_delete_set = true;
      s = GetBool(k, val, &r->hard_delete);
    } else if (k == "limit") {
      s = GetSize(k, val, &r->limit);
    } else if (k == "ttl") {
      s = GoDuration(k, val, &r->ttl);
    } else if (k == "interval") {
      s = GoDuration(k, val, &r->interval);
    } else if (k == "timeout") {
      s = GoDuration(k, val, &r->timeout);
    }
    if (!s.ok()) return s;
  }
  type = absl::AsciiStrToUpper(type);
  auto check_dir = [&]() -> absl::Status {
    if (r->dir.empty()) return ConfigError(v, "dir has no value and needs to point to a directory");
    struct stat st;
    if (stat(r->dir.c_str(), &st) == 0 && (!S_ISDIR(st.st_mode) || (st.st_mode & S_IRUSR) == 0)) {
      return ConfigError(v, "dir needs to point to an accessible directory");
    }
    return absl::OkStatus();
  };
  if (type == "CACHE") {
    if (absl::Status s = check_dir(); !s.ok()) return s;
    if (r->interval != absl::ZeroDuration()) return ConfigError(v, "CACHE does not accept sync");
    if (r->allow_delete) return ConfigError(v, "CACHE does not accept allow_delete");
    if (hard_delete_set) return ConfigError(v, "CACHE does not accept hard_delete");
    r->type = ResolverOptions::Type::kCache;
  } else if (type == "FULL") {
    if (absl::Status s = check_dir(); !s.ok()) return s;
    if (r->ttl != absl::ZeroDuration()) return ConfigError(v, "FULL does not accept ttl");
    if (hard_delete_set && !r->allow_delete) {
      return ConfigError(v, "hard_delete has no effect without delete");
    }
    r->type = ResolverOptions::Type::kFull;
  } else if (type == "MEM" || type == "MEMORY") {
    r->type = ResolverOptions::Type::kMemory;
  }
  return absl::OkStatus();
}

absl::Status ApplyResolver(const ConfigValue& v, ResolverOptions* r) {
  *r = ResolverOptions();
  if (v.kind == ConfigValue::Kind::kScalar) {
    static const std::regex* const kMem = new std::regex("(MEM|MEMORY)\\s*", std::regex::icase);
    static const std::regex* const kUrl = new std::regex(
        "(?:URL){1}(?:\\({1}\\s*\"?([^\\s\"]*)\"?\\s*\\){1})?\\s*", std::regex::icase);
    std::smatch m;
    if (std::regex_search(v.text, *kMem)) {
      r->type = ResolverOptions::Type::kMemory;
    } else if (std::regex_search(v.text, m, *kUrl) && m[1].matched) {
      r->type = ResolverOptions::Type::kUrl;
      r->url = m[1].str();
      if (!absl::StartsWith(r->url, "http://") && !absl::StartsWith(r->url, "https://")) {
        return ConfigError(v, absl::StrCat("error parsing account resolver url \"", r->url,
                                           "\": needs an http or https URL"));
      }
    }
  } else if (v.kind == ConfigValue::Kind::kMap) {
    if (absl::Status s = ApplyResolverMap(v, r); !s.ok()) return s;
  } else {
    return ConfigError(v, "error parsing operator resolver, wrong type");
  }
  if (r->type == ResolverOptions::Type::kNone) {
    return ConfigError(v,
                       "error parsing account resolver, should be MEM or  URL(\"url\") or a map "
                       "containing dir and type state=[FULL|CACHE])");
  }
  return absl::OkStatus();
}

// `[major.minor.update]` of a version string, as jwt.ParseServerVersion.
bool ParseVersion(const std::string& text, int out[3]) {
  out[0] = out[1] = out[2] = 0;
  if (text.empty()) return true;
  std::string v = absl::StartsWith(text, "v") ? text.substr(1) : text;
  std::vector<std::string> parts = absl::StrSplit(v, '.');
  if (parts.size() != 3) return false;
  for (int i = 0; i < 3; ++i) {
    if (!absl::SimpleAtoi(parts[i], &out[i])) return false;
  }
  return true;
}

absl::Status CheckServerVersion(const OperatorClaims& op) {
  int want[3], have[3];
  ParseVersion(kServerVersion, have);
  if (!ParseVersion(op.assert_server_version, want)) {
    return absl::InvalidArgumentError(absl::StrCat("operator ", op.claims.subject,
                                                   " expects version ", op.assert_server_version,
                                                   " got error instead: invalid version"));
  }
  static const char* const kNames[] = {"major", "minor", "update"};
  for (int i = 0; i < 3; ++i) {
    if (want[i] > have[i]) {
      return absl::InvalidArgumentError(absl::StrCat("operator ", op.claims.subject, " expected ",
                                                     kNames[i], " version ", want[i], " > server ",
                                                     kNames[i], " version ", have[i]));
    }
    if (have[i] > want[i]) break;
  }
  return absl::OkStatus();
}

// The account JWTs in a resolver directory (`<public key>.jwt`).
std::vector<std::pair<std::string, std::string>> ReadJwtDir(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (!absl::EndsWith(name, ".jwt")) continue;
    std::ifstream in(dir + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    out.emplace_back(name.substr(0, name.size() - 4),
                     std::string(absl::StripAsciiWhitespace(ss.str())));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool Trusted(const OperatorOptions& m, const std::string& issuer) {
  return std::find(m.trusted_keys.begin(), m.trusted_keys.end(), issuer) != m.trusted_keys.end();
}

// Whether `token` is an activation by `exporter` (or one of its signing
// keys) of `importer` for `subject`.
bool ActivationValid(const std::string& token, const AccountClaims& exporter,
                     const std::string& importer, const std::string& subject, absl::Time now) {
  absl::StatusOr<ActivationClaims> a = DecodeActivationClaims(token);
  if (!a.ok() || !CheckTimes(a->claims, now).ok() || a->claims.subject != importer) return false;
  if (exporter.FindIssuer(a->claims.issuer) == nullptr) return false;
  return a->import_subject.empty() || a->import_subject == subject;
}

}  // namespace

bool IsOperatorKey(const std::string& key) {
  return key == "operator" || key == "operators" || key == "roots" || key == "root" ||
         key == "root_operators" || key == "root_operator" || key == "resolver" ||
         key == "account_resolver" || key == "accounts_resolver" || key == "resolver_preload" ||
         key == "resolver_pinned_accounts" || key == "trusted" || key == "trusted_keys" ||
         key == "resolver_tls";
}

absl::Status ApplyOperatorKey(const std::string& key, const ConfigValue& v, ServerOptions* o) {
  OperatorOptions& m = o->operator_mode;
  if (key == "resolver" || key == "account_resolver" || key == "accounts_resolver") {
    return ApplyResolver(v, &m.resolver);
  }
  if (key == "resolver_tls") {
    return NotSupported(key, v, "it is for URL account resolvers, which are not implemented");
  }
  if (key == "resolver_preload") {
    if (v.kind != ConfigValue::Kind::kMap) {
      return ConfigError(v, "preload should be a map of account_public_key:account_jwt");
    }
    for (const auto& [account, jwt] : v.entries) {
      if (jwt.kind != ConfigValue::Kind::kScalar) {
        return ConfigError(jwt, "preload map value should be a string JWT");
      }
      if (!DecodeAccountClaims(jwt.text).ok()) return ConfigError(jwt, "invalid account JWT");
      m.preload.emplace_back(account, jwt.text);
    }
    return absl::OkStatus();
  }
  if (key == "resolver_pinned_accounts") {
    m.pinned_accounts.clear();
    return StringOrList(v, "resolver_pinned_accounts", &m.pinned_accounts);
  }
  if (key == "trusted" || key == "trusted_keys") {
    m.trusted_keys.clear();
    if (absl::Status s = StringOrList(v, "trusted", &m.trusted_keys); !s.ok()) return s;
    for (const std::string& k : m.trusted_keys) {
      if (!IsPublicKey(k, kNkeyPrefixOperator)) {
        return ConfigError(
            v, absl::StrCat("trust key \"", k, "\" required to be a valid public operator nkey"));
      }
    }
    return absl::OkStatus();
  }
  // operator, operators, roots, root, root_operators, root_operator.
  std::vector<std::string> names;
  if (absl::Status s = StringOrList(v, "operators", &names); !s.ok()) return s;
  m.jwts.clear();
  m.operators.clear();
  for (const std::string& name : names) {
    absl::StatusOr<std::string> jwt = ReadOperatorJwt(name);
    absl::StatusOr<OperatorClaims> claims =
        jwt.ok() ? DecodeOperatorClaims(*jwt) : absl::StatusOr<OperatorClaims>(jwt.status());
    if (!claims.ok()) {
      return ConfigError(v,
                         absl::StrCat("error parsing operator JWT: ", claims.status().message()));
    }
    m.jwts.push_back(*jwt);
    m.operators.push_back(*std::move(claims));
  }
  return absl::OkStatus();
}

AccountOptions AccountFromClaims(const AccountClaims& c) {
  AccountOptions a;
  a.name = c.claims.subject;
  a.nkey = c.claims.subject;
  a.limits = c.limits;
  a.jetstream = c.jetstream;
  a.jetstream_limits = c.jetstream_limits;
  for (const SubjectMappingOptions& m : c.mappings) {
    if (absl::Status s = SubjectMapper::Create({m}, "").status(); !s.ok()) {
      LOG(WARNING) << "account " << a.name << ": mapping of " << m.source << " left out: " << s;
      continue;
    }
    a.mappings.push_back(m);
  }
  for (const JwtExport& e : c.exports) {
    AccountExport x;
    x.subject = e.subject;
    x.response_type = e.response_type;
    (e.service ? a.service_exports : a.stream_exports).push_back(std::move(x));
  }
  return a;
}

void BuildOperatorAccounts(ServerOptions* o, absl::Time now) {
  const OperatorOptions& m = o->operator_mode;
  absl::flat_hash_map<std::string, const AccountClaims*> by_key;
  for (const auto& [claims, jwt] : m.accounts) by_key[claims.claims.subject] = &claims;
  o->accounts.clear();
  for (const auto& [claims, jwt] : m.accounts) o->accounts.push_back(AccountFromClaims(claims));
  if (!o->system_account.empty() && !by_key.contains(o->system_account)) {
    AccountOptions system;
    system.name = o->system_account;
    system.nkey = o->system_account;
    o->accounts.push_back(std::move(system));
  }
  absl::flat_hash_map<std::string, AccountOptions*> options_by_key;
  for (AccountOptions& a : o->accounts) options_by_key[a.name] = &a;
  // Imports an export allows; a token-required export lists the importers
  // that hold a valid activation.
  for (const auto& [importer, jwt] : m.accounts) {
    const std::string& name = importer.claims.subject;
    for (const JwtImport& i : importer.imports) {
      auto exporter = by_key.find(i.account);
      if (exporter == by_key.end() || i.subject.empty()) continue;
      AccountOptions* exporter_options = options_by_key[i.account];
      std::vector<AccountExport>& exports =
          i.service ? exporter_options->service_exports : exporter_options->stream_exports;
      const JwtExport* matched = nullptr;
      size_t matched_index = 0;
      for (size_t k = 0; k < exporter->second->exports.size(); ++k) {
        const JwtExport& e = exporter->second->exports[k];
        if (e.service == i.service && ExportAllows({AccountExport{e.subject}}, i.subject, name)) {
          matched = &e;
          break;
        }
      }
      if (matched == nullptr) continue;
      for (size_t k = 0; k < exports.size(); ++k) {
        if (exports[k].subject == matched->subject) matched_index = k;
      }
      if (matched->token_required) {
        if (!ActivationValid(i.token, *exporter->second, name, i.subject, now)) continue;
        exports[matched_index].accounts.push_back(name);
      }
      AccountImport x;
      x.account = i.account;
      x.subject = i.subject;
      x.to = i.to_is_prefix ? absl::StrCat(i.local_subject, ".", i.subject) : i.local_subject;
      if (!x.to.empty() && !ImportMapping::Valid(x.subject, x.to)) continue;
      AccountOptions* importer_options = options_by_key[name];
      (i.service ? importer_options->service_imports : importer_options->stream_imports)
          .push_back(std::move(x));
    }
  }
  // A token-required export nobody activated stays closed to everyone (but
  // its own account, which never imports it).
  for (const auto& [claims, jwt] : m.accounts) {
    AccountOptions* a = options_by_key[claims.claims.subject];
    for (const JwtExport& e : claims.exports) {
      if (!e.token_required) continue;
      for (auto* exports : {&a->stream_exports, &a->service_exports}) {
        for (AccountExport& x : *exports) {
          if (x.subject == e.subject && x.accounts.empty()) x.accounts.push_back(a->name);
        }
      }
    }
  }
}

absl::Status LoadOperatorAccounts(ServerOptions* o, absl::Time now) {
  OperatorOptions& m = o->operator_mode;
  // The account JWTs: the resolver directory's, then the preloaded ones
  // (the newer of two for one account wins, as a full resolver stores a
  // preload only over an older JWT).
  std::vector<std::pair<std::string, std::string>> jwts;
  if (!m.resolver.dir.empty()) {
    if (absl::Status s = common::CreateDirsDurably(m.resolver.dir); !s.ok()) return s;
    jwts = ReadJwtDir(m.resolver.dir);
  }
  for (const auto& [key, jwt] : m.preload) {
    absl::StatusOr<AccountClaims> claims = DecodeAccountClaims(jwt);
    if (!claims.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("preload account error for \"", key, "\": ", claims.status().message()));
    }
    jwts.emplace_back(key, jwt);
  }
  absl::flat_hash_map<std::string, size_t> index;
  m.accounts.clear();
  for (const auto& [key, jwt] : jwts) {
    absl::StatusOr<AccountClaims> claims = DecodeAccountClaims(jwt);
    if (!claims.ok() || claims->claims.subject != key) {
      LOG(WARNING) << "account JWT for " << key << " not valid: "
                   << (claims.ok() ? "subject does not match" : claims.status().message());
      continue;
    }
    if (!Trusted(m, claims->claims.issuer)) {
      LOG(WARNING) << "account JWT for " << key << " not signed by a trusted operator";
      continue;
    }
    auto [it, added] = index.emplace(key, m.accounts.size());
    if (added) {
      m.accounts.emplace_back(*std::move(claims), jwt);
    } else if (claims->claims.issued_at >= m.accounts[it->second].first.claims.issued_at) {
      m.accounts[it->second] = {*std::move(claims), jwt};
    }
  }
  BuildOperatorAccounts(o, now);
  return absl::OkStatus();
}

absl::Status FinishOperatorMode(ServerOptions* o, absl::Time now) {
  OperatorOptions& m = o->operator_mode;
  if (m.operators.empty()) {
    if (m.trusted_keys.empty()) return absl::OkStatus();
  } else {
    if (m.resolver.type == ResolverOptions::Type::kNone && m.operators.size() == 1 &&
        !m.operators[0].account_server_url.empty()) {
      m.resolver.type = ResolverOptions::Type::kUrl;
      m.resolver.url = m.operators[0].account_server_url + "/accounts";
    }
    if (o->system_account.empty() && m.operators.size() == 1) {
      o->system_account = m.operators[0].system_account;
    }
    if (m.resolver.type == ResolverOptions::Type::kNone) {
      return absl::InvalidArgumentError("operators require an account resolver to be configured");
    }
    if (!o->accounts.empty()) {
      return absl::InvalidArgumentError(
          "operators do not allow Accounts to be configured directly");
    }
    if (!o->users.empty()) {
      return absl::InvalidArgumentError("operators do not allow users to be configured directly");
    }
    if (!m.trusted_keys.empty()) {
      return absl::InvalidArgumentError(
          "conflicting options for 'TrustedKeys' and 'TrustedOperators'");
    }
    const bool dir_resolver = m.resolver.type == ResolverOptions::Type::kFull ||
                              m.resolver.type == ResolverOptions::Type::kCache;
    if (!o->system_account.empty()) {
      bool found = false, non_empty = false;
      for (const OperatorClaims& op : m.operators) {
        non_empty |= !op.system_account.empty();
        found |= op.system_account == o->system_account;
      }
      if (non_empty && !found) {
        return absl::InvalidArgumentError(
            "system_account in config and operator JWT must be identical");
      }
    } else if (m.operators[0].system_account.empty() && dir_resolver) {
      return absl::InvalidArgumentError(
          "using nats based account resolver - the system account needs to be specified in "
          "configuration or the operator jwt");
    }
    for (const OperatorClaims& op : m.operators) {
      if (absl::Status s = CheckServerVersion(op); !s.ok()) return s;
    }
    for (const OperatorClaims& op : m.operators) {
      if (!op.strict_signing_key_usage) m.trusted_keys.push_back(op.claims.subject);
      m.trusted_keys.insert(m.trusted_keys.end(), op.signing_keys.begin(), op.signing_keys.end());
    }
  }
  for (const std::string& key : m.pinned_accounts) {
    if (!IsPublicKey(key, kNkeyPrefixAccount)) {
      return absl::InvalidArgumentError(
          absl::StrCat("pinned account key \"", key, "\" is not a valid public account nkey"));
    }
  }
  if (!m.pinned_accounts.empty() && !o->system_account.empty()) {
    m.pinned_accounts.push_back(o->system_account);
  }
  if (m.resolver.type == ResolverOptions::Type::kUrl) {
    return absl::InvalidArgumentError(
        "URL account resolvers are not implemented (use MEMORY with resolver_preload, or a "
        "full/cache resolver directory)");
  }

  return LoadOperatorAccounts(o, now);
}

}  // namespace jsengine::gateway::core
