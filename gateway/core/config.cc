#include "gateway/core/config.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gateway/core/account_config.h"
#include "gateway/core/cipher_suites.h"
#include "gateway/core/cluster_config.h"
#include "gateway/core/config_values.h"
#include "gateway/core/gateway_config.h"
#include "gateway/core/leafnode_config.h"
#include "gateway/core/nkey.h"
#include "gateway/core/operator_config.h"

namespace jsengine::gateway::core {
namespace {

// Recursive-descent parser over the configuration text.
class ConfigParser {
 public:
  // `base_dir`: where `include` paths are relative to (empty: the working
  // directory).
  ConfigParser(std::string_view text, std::string base_dir, int depth = 0)
      : text_(text), base_dir_(std::move(base_dir)), depth_(depth) {}

  absl::StatusOr<ConfigValue> ParseTop() {
    ConfigValue top;
    top.kind = ConfigValue::Kind::kMap;
    top.line = 1;
    if (absl::Status s = ParseEntries(&top, '\0'); !s.ok()) return s;
    return top;
  }

 private:
  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat("config line ", line_, ": ", what));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void Advance() {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }

  void SkipComment() {
    while (!AtEnd() && Peek() != '\n') Advance();
  }

  // Skips blanks and comments; also newlines and separators if `separators`.
  void SkipSpace(bool separators) {
    while (!AtEnd()) {
      char c = Peek();
      if (c == '#' || (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/')) {
        SkipComment();
      } else if (c == ' ' || c == '\t' || c == '\r') {
        Advance();
      } else if (separators && (c == '\n' || c == ',' || c == ';')) {
        Advance();
      } else {
        return;
      }
    }
  }

  static bool IsKeyChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$' ||
           c == '.';
  }

  // `$name`: a key of an enclosing block being parsed, or the environment.
  absl::Status ResolveVariable(ConfigValue* value) {
    const std::string name = value->text.substr(1);
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
      for (auto entry = (*scope)->entries.rbegin(); entry != (*scope)->entries.rend(); ++entry) {
        if (entry->first != name) continue;
        entry->second.used_as_variable = true;
        const int line = value->line;
        *value = entry->second;
        value->line = line;
        value->used_as_variable = false;
        return absl::OkStatus();
      }
    }
    if (const char* env = std::getenv(name.c_str())) {
      value->text = env;
      return absl::OkStatus();
    }
    return Error(absl::StrCat("variable reference for '", name, "' on line ", value->line,
                              " can not be found"));
  }

  // `include FILE` (nats-server's): FILE's entries join `map` here. A
  // relative FILE is relative to the including file's directory.
  absl::Status Include(ConfigValue* map) {
    ConfigValue path;
    if (absl::Status s = ParseValue(&path); !s.ok()) return s;
    if (path.kind != ConfigValue::Kind::kScalar || path.text.empty()) {
      return Error("include needs a file name");
    }
    if (depth_ >= 10) return Error("includes nested too deeply");
    std::string file = path.text;
    if (file[0] != '/' && !base_dir_.empty()) file = base_dir_ + "/" + file;
    std::ifstream in(file);
    if (!in) return Error(absl::StrCat("error parsing include file '", path.text, "'"));
    std::stringstream contents;
    contents << in.rdbuf();
    const std::string text = contents.str();
    const size_t slash = file.rfind('/');
    ConfigParser nested(text, slash == std::string::npos ? "" : file.substr(0, slash), depth_ + 1);
    nested.scopes_ = scopes_;
    absl::Status s = nested.ParseEntriesInScope(map, '\0');
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(file, ": ", s.message()));
    return absl::OkStatus();
  }

  absl::Status ParseEntries(ConfigValue* map, char close) {
    scopes_.push_back(map);
    absl::Status s = ParseEntriesInScope(map, close);
    scopes_.pop_back();
    return s;
  }

  absl::Status ParseEntriesInScope(ConfigValue* map, char close) {
    while (true) {
      SkipSpace(true);
      if (AtEnd()) {
        if (close != '\0') return Error(absl::StrCat("missing '", std::string(1, close), "'"));
        return absl::OkStatus();
      }
      if (Peek() == close) {
        Advance();
        return absl::OkStatus();
      }
      std::string key;
      if (Peek() == '"' || Peek() == '\'') {
        absl::StatusOr<std::string> k = ParseQuoted();
        if (!k.ok()) return k.status();
        key = *k;
      } else {
        while (!AtEnd() && IsKeyChar(Peek())) {
          key.push_back(Peek());
          Advance();
        }
      }
      if (key.empty()) return Error(absl::StrCat("expected a key, found '", std::string(1, Peek()), "'"));
      SkipSpace(false);
      if (key == "include" && Peek() != ':' && Peek() != '=') {
        if (absl::Status s = Include(map); !s.ok()) return s;
        continue;
      }
      if (Peek() == ':' || Peek() == '=') {
        Advance();
        SkipSpace(false);
      }
      ConfigValue value;
      if (absl::Status s = ParseValue(&value); !s.ok()) return s;
      map->entries.emplace_back(std::move(key), std::move(value));
    }
  }

  absl::StatusOr<std::string> ParseQuoted() {
    const char quote = Peek();
    Advance();
    std::string out;
    while (!AtEnd() && Peek() != quote) {
      char c = Peek();
      if (c == '\n') return Error("unterminated string");
      if (c == '\\' && quote == '"' && pos_ + 1 < text_.size()) {
        Advance();
        char e = Peek();
        out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      } else {
        out.push_back(c);
      }
      Advance();
    }
    if (AtEnd()) return Error("unterminated string");
    Advance();
    return out;
  }

  absl::Status ParseValue(ConfigValue* value) {
    value->line = line_;
    if (AtEnd()) return Error("missing value");
    const char c = Peek();
    if (c == '{') {
      Advance();
      value->kind = ConfigValue::Kind::kMap;
      return ParseEntries(value, '}');
    }
    if (c == '[') {
      Advance();
      value->kind = ConfigValue::Kind::kArray;
      while (true) {
        SkipSpace(true);
        if (AtEnd()) return Error("missing ']'");
        if (Peek() == ']') {
          Advance();
          return absl::OkStatus();
        }
        ConfigValue item;
        if (absl::Status s = ParseValue(&item); !s.ok()) return s;
        value->items.push_back(std::move(item));
      }
    }
    if (c == '"' || c == '\'') {
      absl::StatusOr<std::string> s = ParseQuoted();
      if (!s.ok()) return s.status();
      value->text = *s;
      value->quoted = true;
      return absl::OkStatus();
    }
    while (!AtEnd()) {
      char d = Peek();
      if (d == '\n' || d == ',' || d == ';' || d == '}' || d == ']' || d == '#') break;
      value->text.push_back(d);
      Advance();
    }
    value->text = std::string(absl::StripAsciiWhitespace(value->text));
    if (value->text.empty()) return Error("missing value");
    // An unquoted bcrypt hash ("$2a$11$...") is not a variable, as in nats-server.
    if (value->text.size() > 1 && value->text[0] == '$' && value->text.rfind("$2a$", 0) != 0) {
      return ResolveVariable(value);
    }
    return absl::OkStatus();
  }

  std::string_view text_;
  const std::string base_dir_;
  const int depth_;
  std::vector<ConfigValue*> scopes_;  // the maps being parsed, outermost first
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

absl::Status NotSupported(const std::string& key, const ConfigValue& v, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("config line ", v.line, ": '", key, "' is not supported (", why, ")"));
}

absl::Status ValueError(const std::string& key, const ConfigValue& v, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("config line ", v.line, ": '", key, "' ", what));
}

absl::Status GetString(const std::string& key, const ConfigValue& v, std::string* out) {
  if (v.kind != ConfigValue::Kind::kScalar) return ValueError(key, v, "must be a string");
  *out = v.text;
  return absl::OkStatus();
}

absl::Status GetBool(const std::string& key, const ConfigValue& v, bool* out) {
  std::string t = absl::AsciiStrToLower(v.text);
  if (v.kind == ConfigValue::Kind::kScalar) {
    if (t == "true" || t == "yes" || t == "on" || t == "enabled") {
      *out = true;
      return absl::OkStatus();
    }
    if (t == "false" || t == "no" || t == "off" || t == "disabled") {
      *out = false;
      return absl::OkStatus();
    }
  }
  return ValueError(key, v, "must be true or false");
}

// An integer with an optional size suffix (K, KB, M, MB, G, GB; powers of 1024).
absl::Status GetSize(const std::string& key, const ConfigValue& v, int64_t* out) {
  if (v.kind != ConfigValue::Kind::kScalar) return ValueError(key, v, "must be a number");
  // nats-server's suffixes: k, m, g, t are powers of 1000; kb, mb, gb, tb
  // (or ki, kib, ...) powers of 1024.
  std::string t = absl::AsciiStrToLower(v.text);
  int64_t mult = 1;
  struct Suffix {
    const char* text;
    int64_t mult;
  };
  static constexpr int64_t kKi = 1024, kK = 1000;
  static constexpr Suffix kSuffixes[] = {{"kib", kKi},
                                         {"mib", kKi * kKi},
                                         {"gib", kKi * kKi * kKi},
                                         {"tib", kKi * kKi * kKi * kKi},
                                         {"kb", kKi},
                                         {"ki", kKi},
                                         {"mb", kKi * kKi},
                                         {"mi", kKi * kKi},
                                         {"gb", kKi * kKi * kKi},
                                         {"gi", kKi * kKi * kKi},
                                         {"tb", kKi * kKi * kKi * kKi},
                                         {"ti", kKi * kKi * kKi * kKi},
                                         {"k", kK},
                                         {"m", kK * kK},
                                         {"g", kK * kK * kK},
                                         {"t", kK * kK * kK * kK},
                                         {"b", 1}};
  for (const Suffix& suffix : kSuffixes) {
    const std::string s(suffix.text);
    if (t.size() > s.size() && t.compare(t.size() - s.size(), s.size(), s) == 0) {
      t.resize(t.size() - s.size());
      mult = suffix.mult;
      break;
    }
  }
  int64_t n;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(t), &n) || n < 0) {
    return ValueError(key, v, "must be a non-negative number");
  }
  *out = n * mult;
  return absl::OkStatus();
}

absl::Status GetInt(const std::string& key, const ConfigValue& v, int* out) {
  int64_t n;
  if (v.kind != ConfigValue::Kind::kScalar || !absl::SimpleAtoi(v.text, &n) || n < 0 ||
      n > (1LL << 31) - 1) {
    return ValueError(key, v, "must be a non-negative integer");
  }
  *out = static_cast<int>(n);
  return absl::OkStatus();
}

absl::Status GetDuration(const std::string& key, const ConfigValue& v, absl::Duration* out) {
  if (v.kind != ConfigValue::Kind::kScalar) return ValueError(key, v, "must be a duration");
  double seconds;
  if (absl::SimpleAtod(v.text, &seconds) && seconds >= 0) {
    *out = absl::Seconds(seconds);
    return absl::OkStatus();
  }
  if (absl::ParseDuration(v.text, out) && *out >= absl::ZeroDuration()) return absl::OkStatus();
  return ValueError(key, v, "must be a duration like \"2m\" or a number of seconds");
}

absl::Status GetStringList(const std::string& key, const ConfigValue& v,
                           std::vector<std::string>* out) {
  if (v.kind == ConfigValue::Kind::kScalar) {
    out->push_back(v.text);
    return absl::OkStatus();
  }
  if (v.kind != ConfigValue::Kind::kArray) return ValueError(key, v, "must be a list of subjects");
  for (const ConfigValue& item : v.items) {
    if (item.kind != ConfigValue::Kind::kScalar) {
      return ValueError(key, item, "must be a list of subjects");
    }
    out->push_back(item.text);
  }
  return absl::OkStatus();
}

absl::Status UnknownKey(const std::string& where, const std::string& key, const ConfigValue& v) {
  // As nats-server: a key other values refer to as a variable is not an
  // unknown key, in any block.
  if (v.used_as_variable) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("config line ", v.line, ": unsupported key '",
                                                 key, "'", where.empty() ? "" : " in ", where));
}

// `publish: "a.>"`, `publish: ["a", "b"]` or `publish: {allow: [...], deny: [...]}`.
absl::Status ApplySubjectPermission(const std::string& key, const ConfigValue& v,
                                    SubjectPermission* p) {
  if (v.kind != ConfigValue::Kind::kMap) return GetStringList(key, v, &p->allow);
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "allow") {
      s = GetStringList(k, val, &p->allow);
    } else if (k == "deny") {
      s = GetStringList(k, val, &p->deny);
    } else {
      s = UnknownKey(key, k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// `allow_responses: true` or `{max: N, expires: "1m"}` (0: the default).
absl::Status ApplyResponsePermission(const std::string& key, const ConfigValue& v,
                                     ResponsePermission* r) {
  *r = ResponsePermission{};
  if (v.kind != ConfigValue::Kind::kMap) return GetBool(key, v, &r->enabled);
  r->enabled = true;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "max" || k == "max_msgs" || k == "max_messages" || k == "max_responses") {
      int max = 0;
      s = GetInt(k, val, &max);
      if (s.ok() && max != 0) r->max_msgs = max;
    } else if (k == "expires" || k == "expiration" || k == "ttl") {
      absl::Duration ttl;
      s = GetDuration(k, val, &ttl);
      if (s.ok() && ttl != absl::ZeroDuration()) r->expires = ttl;
    } else {
      s = UnknownKey(key, k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ApplyPermissions(const ConfigValue& v, UserPermissions* p) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("permissions", v, "must be a map");
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "publish" || k == "pub" || k == "import") {
      s = ApplySubjectPermission(k, val, &p->publish);
    } else if (k == "subscribe" || k == "sub" || k == "export") {
      s = ApplySubjectPermission(k, val, &p->subscribe);
    } else if (k == "allow_responses" || k == "publish_allow_responses") {
      s = ApplyResponsePermission(k, val, &p->responses);
    } else {
      s = UnknownKey("permissions", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

namespace {

absl::Status ApplyUser(const ConfigValue& v, UserAccount* user) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("users", v, "entries must be maps");
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "user" || k == "username") {
      s = GetString(k, val, &user->user);
    } else if (k == "password" || k == "pass") {
      s = GetString(k, val, &user->password);
    } else if (k == "nkey") {
      s = GetString(k, val, &user->nkey);
      if (s.ok() && !DecodeUserPublicKey(user->nkey).ok()) {
        s = ValueError(k, val, "is not a valid public nkey for a user");
      }
    } else if (k == "permissions") {
      s = ApplyPermissions(val, &user->permissions);
      user->permissions_set = true;
    } else {
      s = UnknownKey("users", k, val);
    }
    if (!s.ok()) return s;
  }
  if (user->user.empty() && user->nkey.empty()) return ValueError("users", v, "entry has no user");
  if (!user->nkey.empty() && (!user->user.empty() || !user->password.empty())) {
    return ValueError("users", v, "entry has both nkey and user/password");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyUsers(const std::string& key, const ConfigValue& v,
                        std::vector<UserAccount>* users) {
  if (v.kind != ConfigValue::Kind::kArray) return ValueError(key, v, "must be a list");
  for (const ConfigValue& item : v.items) {
    UserAccount user;
    if (absl::Status s = ApplyUser(item, &user); !s.ok()) return s;
    users->push_back(std::move(user));
  }
  return absl::OkStatus();
}

void ApplyDefaultPermissions(const UserPermissions& defaults, size_t first,
                             std::vector<UserAccount>* users) {
  for (size_t i = first; i < users->size(); ++i) {
    UserAccount& user = (*users)[i];
    if (!user.permissions_set) user.permissions = defaults;
  }
}

// A port number, or -1 (kRandomPort) for any free port, stored as `random`
// (0 for the client port, kRandomPort for monitoring), as the -p/-m flags.
absl::Status GetPort(const std::string& key, const ConfigValue& v, int random, int* port) {
  int number;
  if (v.kind != ConfigValue::Kind::kScalar || !absl::SimpleAtoi(v.text, &number) ||
      number < kRandomPort || number > 65535) {
    return ValueError(key, v, "must be a port number or -1");
  }
  *port = number == kRandomPort ? random : number;
  return absl::OkStatus();
}

// `host:port`, `host` or `:port` (`listen`, `http`); a bare number is a port.
absl::Status ApplyHostPort(const std::string& key, const ConfigValue& v, std::string* host,
                           int* port, int random) {
  std::string text;
  if (absl::Status s = GetString(key, v, &text); !s.ok()) return s;
  int number;
  if (absl::SimpleAtoi(text, &number)) text = absl::StrCat(":", text);
  const size_t colon = text.rfind(':');
  std::string host_part = colon == std::string::npos ? text : text.substr(0, colon);
  if (colon != std::string::npos) {
    if (!absl::SimpleAtoi(text.substr(colon + 1), &number) || number < kRandomPort ||
        number > 65535) {
      return ValueError(key, v, "must be host:port");
    }
    *port = number == kRandomPort ? random : number;
  }
  if (!host_part.empty()) *host = host_part;
  return absl::OkStatus();
}

namespace {

absl::Status ApplyAuthorization(const ConfigValue& v, ServerOptions* o) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("authorization", v, "must be a map");
  const size_t first_user = o->users.size();
  std::optional<UserPermissions> defaults;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "user" || k == "username") {
      s = GetString(k, val, &o->username);
    } else if (k == "password" || k == "pass") {
      s = GetString(k, val, &o->password);
    } else if (k == "token") {
      s = GetString(k, val, &o->token);
    } else if (k == "timeout") {
      s = GetDuration(k, val, &o->auth_timeout);
    } else if (k == "users") {
      s = ApplyUsers(k, val, &o->users);
    } else if (k == "default_permissions" || k == "default_permission" || k == "permissions") {
      s = ApplyPermissions(val, &defaults.emplace());
    } else {
      s = UnknownKey("authorization", k, val);
    }
    if (!s.ok()) return s;
  }
  if (defaults.has_value()) ApplyDefaultPermissions(*defaults, first_user, &o->users);
  return absl::OkStatus();
}

// nats-server's `jetstream { limits {} }`: max_ack_pending and
// max_request_batch bound consumers; max_ha_assets and duplicate_window are
// checked for type only (one node, docs/CONFIG.md).
absl::Status ApplyJetStreamLimits(const ConfigValue& v, ServerOptions* o) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("limits", v, "must be a map");
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    int64_t n;
    absl::Duration d;
    if (k == "max_ack_pending") {
      s = GetInt(k, val, &o->jetstream_max_ack_pending);
    } else if (k == "max_request_batch") {
      s = GetInt(k, val, &o->jetstream_max_request_batch);
    } else if (k == "max_ha_assets") {
      s = GetSize(k, val, &n);
    } else if (k == "duplicate_window") {
      s = GetDuration(k, val, &d);
    } else {
      s = UnknownKey("jetstream limits", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ApplyJetStream(const ConfigValue& v, ServerOptions* o) {
  if (v.kind == ConfigValue::Kind::kScalar) return GetBool("jetstream", v, &o->jetstream);
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("jetstream", v, "must be a map or bool");
  o->jetstream = true;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "store_dir" || k == "store") {
      s = GetString(k, val, &o->store_dir);
    } else if (k == "enabled") {
      s = GetBool(k, val, &o->jetstream);
    } else if (k == "sync" || k == "sync_interval") {
      absl::Duration d;
      if (val.kind == ConfigValue::Kind::kScalar && absl::AsciiStrToLower(val.text) == "always") {
        o->jetstream_sync = "always";
      } else if (s = GetDuration(k, val, &d); s.ok()) {
        o->jetstream_sync = absl::FormatDuration(d);
      }
    } else if (k == "max_memory_store" || k == "max_mem_store" || k == "max_mem") {
      s = GetSize(k, val, &o->jetstream_max_memory);
    } else if (k == "max_file_store" || k == "max_file") {
      s = GetSize(k, val, &o->jetstream_max_store);
    } else if (k == "unique_tag") {
      s = GetString(k, val, &o->compatibility.jetstream_unique_tag);
    } else if (k == "max_outstanding_catchup") {
      s = GetSize(k, val, &o->compatibility.jetstream_max_outstanding_catchup);
    } else if (k == "strict") {
      bool strict;
      s = GetBool(k, val, &strict);
    } else if (k == "limits") {
      s = ApplyJetStreamLimits(val, o);
    } else if (k == "key" || k == "ek" || k == "encryption_key" || k == "prev_key" ||
               k == "prev_ek" || k == "prev_encryption_key" || k == "cipher" || k == "tpm") {
      s = NotSupported(k, val, "JetStream encryption at rest is not supported");
    } else if (k == "domain") {
      s = GetString(k, val, &o->jetstream_domain);
      if (s.ok() && (o->jetstream_domain.empty() ||
                     o->jetstream_domain.find_first_of(" \t.*>") != std::string::npos)) {
        s = ValueError(k, val, "must be a name without spaces, dots or wildcards");
      }
    } else {
      s = UnknownKey("jetstream", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// curve_preferences: nats-server's Go names, as OpenSSL group names.
absl::Status ApplyCurves(const std::string& key, const ConfigValue& v,
                         std::vector<std::string>* curves) {
  std::vector<std::string> names;
  if (absl::Status s = GetStringList(key, v, &names); !s.ok()) return s;
  if (names.empty()) return ValueError(key, v, "cannot be empty");
  static constexpr std::pair<const char*, const char*> kCurves[] = {
      {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};
  for (const std::string& name : names) {
    const char* group = nullptr;
    for (const auto& [go, openssl] : kCurves) {
      if (name == go) group = openssl;
    }
    if (group == nullptr) {
      return ValueError(key, v, absl::StrCat("unrecognized curve preference ", name));
    }
    curves->push_back(group);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyTls(const ConfigValue& v, bool cluster, TlsOptions* tls) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("tls", v, "must be a map");
  TlsOptions parsed;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "cert_file") {
      s = GetString(k, val, &parsed.cert_file);
    } else if (k == "key_file") {
      s = GetString(k, val, &parsed.key_file);
    } else if (k == "ca_file") {
      s = GetString(k, val, &parsed.ca_file);
    } else if (k == "verify") {
      s = GetBool(k, val, &parsed.verify);
    } else if (k == "verify_and_map") {
      s = GetBool(k, val, &parsed.verify_and_map);
    } else if (k == "timeout") {
      s = GetDuration(k, val, &parsed.timeout);
    } else if (k == "cipher_suites") {
      s = GetStringList(k, val, &parsed.cipher_suites);
      if (s.ok() && parsed.cipher_suites.empty()) {
        s = ValueError(k, val, "cannot be empty");
      }
      // nats-server's check, with the line of the name it refuses.
      auto check = [&s](const ConfigValue& name) {
        absl::Status known = CheckCipherSuiteName(name.text);
        if (s.ok() && !known.ok()) {
          s = absl::InvalidArgumentError(
              absl::StrCat("config line ", name.line, ": ", known.message()));
        }
      };
      if (val.kind == ConfigValue::Kind::kScalar) check(val);
      for (const ConfigValue& item : val.items) check(item);
    } else if (k == "curve_preferences") {
      s = ApplyCurves(k, val, &parsed.curves);
    } else if (k == "pinned_certs") {
      s = GetStringList(k, val, &parsed.pinned_certs);
      for (std::string& pin : parsed.pinned_certs) {
        pin = absl::AsciiStrToLower(pin);
        if (s.ok() &&
            (pin.size() != 64 || pin.find_first_not_of("0123456789abcdef") != std::string::npos)) {
          s = ValueError(k, val,
                         absl::StrCat("entry ", pin,
                                      " does not look like lower case hex-encoded sha256 of "
                                      "DER encoded SubjectPublicKeyInfo"));
        }
      }
    } else if (k == "insecure") {
      s = GetBool(k, val, &parsed.insecure);
    } else if (k == "verify_cert_and_check_known_urls") {
      bool check = false;
      s = GetBool(k, val, &check);
      if (s.ok() && check && !cluster) {
        s = NotSupported(k, val,
                         "it checks certificates against cluster, gateway and "
                         "leafnode URLs, which a single node has none of");
      }
      parsed.check_known_urls = check;
    } else if (k == "handshake_first" || k == "first") {
      s = GetBool(k, val, &parsed.handshake_first);
    } else if (k == "min_version" || k == "minimum_version") {
      s = GetString(k, val, &parsed.min_version);
      if (s.ok() && parsed.min_version != "1.2" && parsed.min_version != "1.3") {
        s = ValueError(k, val, "must be \"1.2\" or \"1.3\"");
      }
    } else {
      s = UnknownKey("tls", k, val);
    }
    if (!s.ok()) return s;
  }
  if (parsed.cert_file.empty()) return ValueError("tls", v, "needs cert_file");
  if (parsed.key_file.empty()) return ValueError("tls", v, "needs key_file");
  if (parsed.timeout == absl::ZeroDuration()) parsed.timeout = TlsOptions().timeout;
  if (parsed.verify_and_map || parsed.check_known_urls) parsed.verify = true;
  parsed.enabled = true;
  *tls = parsed;
  return absl::OkStatus();
}

absl::StatusOr<ConfigValue> ParseConfigText(std::string_view text, const std::string& base_dir) {
  return ConfigParser(text, base_dir).ParseTop();
}

absl::Status ApplyConfig(const ConfigValue& config, ServerOptions* o) {
  for (const auto& [key_as_written, v] : config.entries) {
    const std::string key = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (key == "port") {
      s = GetPort(key, v, 0, &o->port);
    } else if (key == "listen") {
      s = ApplyHostPort(key, v, &o->host, &o->port, 0);
    } else if (key == "http") {
      s = ApplyHostPort(key, v, &o->http_host, &o->http_port, kRandomPort);
    } else if (key == "http_base_path") {
      s = GetString(key, v, &o->http_base_path);
    } else if (key == "http_port" || key == "monitor_port") {
      s = GetPort(key, v, kRandomPort, &o->http_port);
    } else if (key == "https") {
      s = ApplyHostPort(key, v, &o->http_host, &o->https_port, kRandomPort);
    } else if (key == "https_port") {
      s = GetPort(key, v, kRandomPort, &o->https_port);
    } else if (key == "http_host") {
      s = GetString(key, v, &o->http_host);
    } else if (key == "host" || key == "net") {
      s = GetString(key, v, &o->host);
    } else if (key == "ports_file_dir") {
      s = GetString(key, v, &o->ports_file_dir);
    } else if (key == "server_name") {
      s = GetString(key, v, &o->server_name);
    } else if (key == "max_payload") {
      s = GetSize(key, v, &o->max_payload);
    } else if (key == "max_pending") {
      s = GetSize(key, v, &o->max_pending);
    } else if (key == "max_control_line") {
      int64_t n = 0;
      s = GetSize(key, v, &n);
      o->max_control_line = static_cast<size_t>(n);
    } else if (key == "max_connections" || key == "max_conn") {
      s = GetInt(key, v, &o->max_connections);
    } else if (key == "ping_interval") {
      s = GetDuration(key, v, &o->ping_interval);
    } else if (key == "ping_max") {
      s = GetInt(key, v, &o->ping_max);
    } else if (key == "authorization") {
      s = ApplyAuthorization(v, o);
    } else if (key == "accounts") {
      s = ApplyAccounts(v, o);
    } else if (key == "mappings" || key == "maps") {
      s = ApplyMappings(key, v, &o->mappings);
    } else if (key == "no_auth_user") {
      s = GetString(key, v, &o->no_auth_user);
    } else if (key == "system_account" || key == "system") {
      s = GetString(key, v, &o->system_account);
    } else if (key == "jetstream") {
      s = ApplyJetStream(v, o);
    } else if (key == "tls") {
      s = ApplyTls(v, /*cluster=*/false, &o->tls);
    } else if (key == "cluster") {
      s = ApplyClusterConfig(v, &o->cluster);
    } else if (key == "debug") {
      s = GetBool(key, v, &o->debug);
    } else if (key == "trace") {
      s = GetBool(key, v, &o->trace);
    } else if (key == "logtime") {
      s = GetBool(key, v, &o->logtime);
    } else if (key == "log_file" || key == "logfile") {
      s = GetString(key, v, &o->log_file);
    } else if (key == "pid_file" || key == "pidfile") {
      s = GetString(key, v, &o->pid_file);
    } else if (key == "syslog") {
      s = GetBool(key, v, &o->syslog);
    } else if (key == "write_deadline") {
      s = GetDuration(key, v, &o->compatibility.write_deadline);
    } else if (key == "max_subscriptions" || key == "max_subs") {
      s = GetInt(key, v, &o->max_subscriptions);
    } else if (key == "max_traced_msg_len") {
      s = GetInt(key, v, &o->compatibility.max_traced_msg_len);
    } else if (key == "connect_error_reports") {
      s = GetInt(key, v, &o->compatibility.connect_error_reports);
    } else if (key == "reconnect_error_reports") {
      s = GetInt(key, v, &o->compatibility.reconnect_error_reports);
    } else if (key == "allow_non_tls") {
      s = GetBool(key, v, &o->tls.allow_non_tls);
    } else if (key == "no_header_support") {
      s = GetBool(key, v, &o->no_header_support);
    } else if (key == "disable_sublist_cache" || key == "no_sublist_cache") {
      s = GetBool(key, v, &o->compatibility.disable_sublist_cache);
    } else if (key == "max_closed_clients") {
      s = GetInt(key, v, &o->compatibility.max_closed_clients);
    } else if (key == "server_tags") {
      s = GetStringList(key, v, &o->compatibility.server_tags);
    } else if (key == "leafnodes" || key == "leaf") {
      s = ApplyLeafNodesConfig(v, &o->leafnodes);
    } else if (key == "gateway") {
      s = ApplyGatewayConfig(v, &o->gateway);
    } else if (key == "websocket" || key == "ws") {
      s = NotSupported(key, v, "WebSocket clients are not implemented");
    } else if (key == "prof_port") {
      s = GetPort(key, v, kRandomPort, &o->prof_port);
    } else if (key == "prof_block_rate") {
      s = NotSupported(key, v, "Go's blocking profile has no counterpart in a C++ process");
    } else if (key == "mqtt") {
      s = NotSupported(key, v, "MQTT clients are not implemented");
    } else if (IsOperatorKey(key)) {
      s = ApplyOperatorKey(key, v, o);
    } else if (key == "remote_syslog" || key == "rs") {
      s = GetString(key, v, &o->remote_syslog);
    } else if (key == "lame_duck_duration") {
      s = GetDuration(key, v, &o->lame_duck_duration);
    } else if (key == "lame_duck_grace_period") {
      s = GetDuration(key, v, &o->lame_duck_grace_period);
    } else if (key == "no_sys_acc") {
      // No system account: what the gateway does anyway.
      bool no_system_account;
      s = GetBool(key, v, &no_system_account);
    } else {
      s = UnknownKey("", key, v);
    }
    if (!s.ok()) return s;
  }
  if (absl::Status s = FinishOperatorMode(o, absl::Now()); !s.ok()) return s;
  return ValidateAccounts(*o);
}

absl::Status ApplyConfigText(std::string_view text, ServerOptions* options,
                             const std::string& base_dir) {
  absl::StatusOr<ConfigValue> config = ParseConfigText(text, base_dir);
  if (!config.ok()) return config.status();
  return ApplyConfig(*config, options);
}

absl::Status ApplyConfigFile(const std::string& path, ServerOptions* options) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot open config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const size_t slash = path.rfind('/');
  absl::Status s =
      ApplyConfigText(ss.str(), options, slash == std::string::npos ? "" : path.substr(0, slash));
  if (!s.ok()) return absl::InvalidArgumentError(path + ": " + std::string(s.message()));
  options->config_file = path;
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
