#include "gateway/core/account_config.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/subject.h"
#include "gateway/core/account_exports.h"
#include "gateway/core/config_values.h"
#include "gateway/core/nkey.h"
#include "gateway/core/service_export_config.h"

namespace jsengine::gateway::core {
namespace {

absl::Status ConfigError(int line, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("config line ", line, ": ", what));
}

// `{stream: "a.>", accounts: [B]}` or `{service: ...}`.
absl::Status ApplyExport(const ConfigValue& v, AccountOptions* account) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return ConfigError(v.line, "Export Items should be a map with type entry");
  }
  AccountExport e;
  bool stream = false;
  bool service = false;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "stream" || k == "service") {
      if (stream || service) {
        return ConfigError(val.line,
                           absl::StrCat("Detected ", k, " \"", val.text, "\" but already saw a ",
                                        stream ? "stream" : "service"));
      }
      (k == "stream" ? stream : service) = true;
      s = GetString(k, val, &e.subject);
      if (s.ok() && !common::IsValidSubject(e.subject)) {
        s = ValueError(k, val, "is not a valid subject");
      }
    } else if (k == "accounts") {
      s = GetStringList(k, val, &e.accounts);
    } else if (IsServiceExportKey(k)) {
      s = ApplyServiceExportKey(k, val, &e);
    } else {
      s = UnknownKey("exports", k, val);
    }
    if (!s.ok()) return s;
  }
  if (!stream && !service) return ConfigError(v.line, "export needs a stream or a service");
  if (stream) JSE_RETURN_IF_ERROR(CheckStreamExport(v));
  (stream ? account->stream_exports : account->service_exports).push_back(std::move(e));
  return absl::OkStatus();
}

// `{account: A, subject: "a.>"}`, the source of an import.
absl::Status ApplyImportSource(const ConfigValue& v, AccountImport* import) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return ConfigError(v.line, "Import entry should be an account map");
  }
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "account") {
      s = GetString(k, val, &import->account);
    } else if (k == "subject") {
      s = GetString(k, val, &import->subject);
    } else {
      s = UnknownKey("imports", k, val);
    }
    if (!s.ok()) return s;
  }
  if (import->account.empty() || import->subject.empty() ||
      !common::IsValidSubject(import->subject)) {
    return ConfigError(v.line, "Expect an account name and a subject");
  }
  return absl::OkStatus();
}

// `{stream: {account: A, subject: "a.>"}, prefix: p}` or `{service: {...}, to: x}`.
absl::Status ApplyImport(const ConfigValue& v, AccountOptions* account) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return ConfigError(v.line, "Import Items should be a map with type entry");
  }
  AccountImport import;
  bool stream = false;
  bool service = false;
  std::string prefix;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "stream" || k == "service") {
      if (stream || service) {
        return ConfigError(val.line, absl::StrCat("Detected ", k, " but already saw a ",
                                                  stream ? "stream" : "service"));
      }
      (k == "stream" ? stream : service) = true;
      s = ApplyImportSource(val, &import);
    } else if (k == "prefix") {
      s = GetString(k, val, &prefix);
    } else if (k == "to") {
      s = GetString(k, val, &import.to);
    } else {
      s = UnknownKey("imports", k, val);
    }
    if (!s.ok()) return s;
  }
  if (!stream && !service) return ConfigError(v.line, "import needs a stream or a service");
  if (!prefix.empty()) {
    if (!import.to.empty()) {
      return ConfigError(v.line, "Stream import can not have a 'prefix' and a 'to' property");
    }
    if (service) return ConfigError(v.line, "'prefix' is only for stream imports");
    if (!common::IsValidLiteralSubject(prefix)) {
      return ConfigError(v.line, absl::StrCat("prefix \"", prefix, "\" must be a literal subject"));
    }
    import.to = absl::StrCat(prefix, ".", import.subject);
  }
  if (!import.to.empty() && !ImportMapping::Valid(import.subject, import.to)) {
    return ConfigError(v.line,
                       absl::StrCat("cannot map \"", import.subject, "\" to \"", import.to, "\""));
  }
  (stream ? account->stream_imports : account->service_imports).push_back(std::move(import));
  return absl::OkStatus();
}

// A size, or -1 for unlimited.
absl::Status GetLimit(const std::string& key, const ConfigValue& v, int64_t* out) {
  if (v.kind == ConfigValue::Kind::kScalar && v.text == "-1") {
    *out = -1;
    return absl::OkStatus();
  }
  return GetSize(key, v, out);
}

// `jetstream: enabled | disabled | true | false | {max_mem: 1G, ...}`, with
// nats-server's key aliases.
absl::Status ApplyAccountJetStream(const ConfigValue& v, AccountOptions* account) {
  if (v.kind == ConfigValue::Kind::kScalar) {
    const std::string word = absl::AsciiStrToLower(v.text);
    if (word == "enabled" || word == "enable") {
      account->jetstream = true;
      return absl::OkStatus();
    }
    if (word == "disabled" || word == "disable") {
      account->jetstream = false;
      return absl::OkStatus();
    }
    if (!v.quoted) return GetBool("jetstream", v, &account->jetstream);
    return ConfigError(v.line, absl::StrCat("Expected 'enabled' or 'disabled' for string value, "
                                            "got '",
                                            v.text, "'"));
  }
  if (v.kind != ConfigValue::Kind::kMap) {
    return ValueError("jetstream", v, "must be a map, bool or string");
  }
  JetStreamLimits limits;
  for (const auto& [key, val] : v.entries) {
    const std::string k = absl::AsciiStrToLower(key);
    absl::Status s;
    if (k == "max_memory" || k == "max_mem" || k == "mem" || k == "memory") {
      s = GetLimit(key, val, &limits.max_memory);
    } else if (k == "max_store" || k == "max_file" || k == "max_disk" || k == "store" ||
               k == "disk") {
      s = GetLimit(key, val, &limits.max_storage);
    } else if (k == "max_streams" || k == "streams") {
      s = GetLimit(key, val, &limits.max_streams);
    } else if (k == "max_consumers" || k == "consumers") {
      s = GetLimit(key, val, &limits.max_consumers);
    } else if (k == "max_bytes_required" || k == "max_stream_bytes" || k == "max_bytes") {
      s = GetBool(key, val, &limits.max_bytes_required);
    } else if (k == "mem_max_stream_bytes" || k == "memory_max_stream_bytes") {
      s = GetLimit(key, val, &limits.memory_max_stream_bytes);
    } else if (k == "disk_max_stream_bytes" || k == "store_max_stream_bytes") {
      s = GetLimit(key, val, &limits.storage_max_stream_bytes);
    } else if (k == "max_ack_pending") {
      s = GetLimit(key, val, &limits.max_ack_pending);
    } else {
      s = UnknownKey("jetstream", key, val);
    }
    if (!s.ok()) return s;
  }
  account->jetstream = true;
  account->jetstream_limits = limits;
  return absl::OkStatus();
}

// A value of an account's `limits {}`: an unquoted integer, negative or
// with a size suffix as nats-server reads them (`1KB`), within the 32 bits
// nats-server keeps.
absl::Status GetAccountLimit(const std::string& key, const ConfigValue& v, int64_t* out) {
  if (v.kind != ConfigValue::Kind::kScalar || v.quoted) {
    return ValueError(key, v, "must be an integer");
  }
  ConfigValue magnitude = v;
  const bool negative = absl::StartsWith(v.text, "-");
  if (negative) magnitude.text.erase(0, 1);
  int64_t n = 0;
  if (!GetSize(key, magnitude, &n).ok()) return ValueError(key, v, "must be an integer");
  if (negative) n = -n;
  if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
    return ValueError(key, v, "does not fit in 32 bits");
  }
  *out = n;
  return absl::OkStatus();
}

// `limits {max_connections: 10, max_subs: 100, max_payload: 1KB,
// max_leafnodes: 2}`, with nats-server's key aliases.
absl::Status ApplyAccountLimits(const ConfigValue& v, AccountLimits* limits) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return ConfigError(v.line,
                       absl::StrCat("Expected account limits to be a map/struct, got ",
                                    v.kind == ConfigValue::Kind::kArray ? "a list" : v.text));
  }
  for (const auto& [key, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key);
    absl::Status s;
    if (k == "max_connections" || k == "max_conn") {
      s = GetAccountLimit(key, val, &limits->max_connections);
    } else if (k == "max_subscriptions" || k == "max_subs") {
      s = GetAccountLimit(key, val, &limits->max_subscriptions);
    } else if (k == "max_payload" || k == "max_pay") {
      s = GetAccountLimit(key, val, &limits->max_payload);
    } else if (k == "max_leafnodes" || k == "max_leafs") {
      s = GetAccountLimit(key, val, &limits->max_leafnodes);
    } else {
      s = UnknownKey("account limits", key, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ApplyList(const std::string& key, const ConfigValue& v, AccountOptions* account,
                       absl::Status (*apply)(const ConfigValue&, AccountOptions*)) {
  if (v.kind != ConfigValue::Kind::kArray) return ValueError(key, v, "must be a list");
  for (const ConfigValue& item : v.items) {
    if (absl::Status s = apply(item, account); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ApplyAccount(const std::string& name, const ConfigValue& v, ServerOptions* o) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return ConfigError(v.line, "Expected map entries for accounts");
  }
  AccountOptions account;
  account.name = name;
  const size_t first_user = o->users.size();
  std::optional<UserPermissions> defaults;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "users") {
      s = ApplyUsers(k, val, &o->users);
    } else if (k == "default_permissions") {
      s = ApplyPermissions(val, &defaults.emplace());
    } else if (k == "exports") {
      s = ApplyList(k, val, &account, &ApplyExport);
    } else if (k == "imports") {
      s = ApplyList(k, val, &account, &ApplyImport);
    } else if (k == "jetstream") {
      s = ApplyAccountJetStream(val, &account);
    } else if (k == "mappings" || k == "maps") {
      s = ApplyMappings(k, val, &account.mappings);
    } else if (k == "nkey") {
      s = GetString(k, val, &account.nkey);
      if (s.ok() && !DecodePublicKey(account.nkey, kNkeyPrefixAccount).ok()) {
        s = ConfigError(val.line, absl::StrCat("Not a valid public nkey for an account: \"",
                                               account.nkey, "\""));
      }
    } else if (k == "limits") {
      s = ApplyAccountLimits(val, &account.limits);
    } else {
      s = UnknownKey("accounts", k, val);
    }
    if (!s.ok()) return s;
  }
  for (size_t i = first_user; i < o->users.size(); ++i) o->users[i].account = name;
  if (defaults.has_value()) ApplyDefaultPermissions(*defaults, first_user, &o->users);
  o->accounts.push_back(std::move(account));
  return absl::OkStatus();
}

const AccountOptions* FindAccount(const ServerOptions& o, const std::string& name) {
  for (const AccountOptions& a : o.accounts) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

absl::Status CheckImports(const ServerOptions& o, const AccountOptions& importer) {
  for (bool stream : {true, false}) {
    const char* kind = stream ? "stream" : "service";
    for (const AccountImport& i : stream ? importer.stream_imports : importer.service_imports) {
      const AccountOptions* exporter = FindAccount(o, i.account);
      if (exporter == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", i.account, "\" account not defined for ", kind, " import"));
      }
      if (!ExportAllows(stream ? exporter->stream_exports : exporter->service_exports, i.subject,
                        importer.name)) {
        return absl::InvalidArgumentError(absl::StrCat("Error adding ", kind, " import \"",
                                                       i.subject, "\": ", kind,
                                                       " import not authorized"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyAccounts(const ConfigValue& v, ServerOptions* o) {
  if (v.kind == ConfigValue::Kind::kArray) {
    for (const ConfigValue& item : v.items) {
      std::string name;
      if (absl::Status s = GetString("accounts", item, &name); !s.ok()) return s;
      ConfigValue empty;
      empty.kind = ConfigValue::Kind::kMap;
      empty.line = item.line;
      if (absl::Status s = ApplyAccount(name, empty, o); !s.ok()) return s;
    }
  } else if (v.kind == ConfigValue::Kind::kMap) {
    for (const auto& [name, val] : v.entries) {
      if (absl::Status s = ApplyAccount(name, val, o); !s.ok()) return s;
    }
  } else {
    return ValueError("accounts", v, "must be a map");
  }
  absl::flat_hash_set<std::string> names;
  for (const AccountOptions& a : o->accounts) {
    if (a.name == kGlobalAccount) {
      return ConfigError(v.line, absl::StrCat("\"", a.name, "\" is a Reserved Account"));
    }
    if (!names.insert(a.name).second) {
      return ConfigError(v.line, absl::StrCat("Duplicate Account Entry: ", a.name));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAccounts(const ServerOptions& o) {
  absl::flat_hash_set<std::string> users;
  bool account_users = false;
  for (const UserAccount& u : o.users) {
    const bool nkey = !u.nkey.empty();
    if (!users.insert(nkey ? u.nkey : u.user).second) {
      return absl::InvalidArgumentError(absl::StrCat("Duplicate ", nkey ? "nkey" : "user", " \"",
                                                     nkey ? u.nkey : u.user, "\" detected"));
    }
    account_users |= !u.account.empty();
  }
  if (account_users && !o.username.empty()) {
    return absl::InvalidArgumentError("Can not have a single user/pass and accounts");
  }
  if (account_users && !o.token.empty()) {
    return absl::InvalidArgumentError("Can not have a token and accounts");
  }
  if (!o.no_auth_user.empty()) {
    if (o.users.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "no_auth_user: \"", o.no_auth_user, "\" present, but users/nkeys are not defined"));
    }
    if (!users.contains(o.no_auth_user)) {
      return absl::InvalidArgumentError(
          absl::StrCat("no_auth_user: \"", o.no_auth_user,
                       "\" not present as user or nkey in authorization block or account "
                       "configuration"));
    }
  }
  if (!o.system_account.empty() && o.system_account != "$SYS" &&
      FindAccount(o, o.system_account) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("error resolving system account: account \"",
                                                   o.system_account, "\" not found"));
  }
  for (const AccountOptions& a : o.accounts) {
    for (const auto* exports : {&a.stream_exports, &a.service_exports}) {
      for (const AccountExport& e : *exports) {
        for (const std::string& name : e.accounts) {
          if (FindAccount(o, name) == nullptr) {
            return absl::InvalidArgumentError(
                absl::StrCat("\"", name, "\" account not defined for ",
                             exports == &a.stream_exports ? "stream" : "service", " export"));
          }
        }
      }
    }
    if (absl::Status s = CheckImports(o, a); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
