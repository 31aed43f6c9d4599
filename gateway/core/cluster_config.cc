#include "gateway/core/cluster_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gateway/core/config_values.h"

namespace jsengine::gateway::core {
namespace {

absl::Status SetListenUrl(const std::string& url, ClusterOptions* c) {
  RouteUrl parsed;
  if (absl::Status s = ParseRouteUrl(url, &parsed); !s.ok()) return s;
  c->enabled = true;
  if (!parsed.host.empty()) c->host = parsed.host;
  c->port = parsed.port;
  if (!parsed.user.empty()) {
    c->username = parsed.user;
    c->password = parsed.password;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyServerAuthorization(const std::string& what, const ConfigValue& v,
                                      std::string* username, std::string* password,
                                      absl::Duration* timeout) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("authorization", v, "must be a map");
  for (const auto& [k, val] : v.entries) {
    absl::Status s;
    if (k == "user" || k == "username") {
      s = GetString(k, val, username);
    } else if (k == "password" || k == "pass") {
      s = GetString(k, val, password);
    } else if (k == "timeout") {
      double seconds;
      if (val.kind != ConfigValue::Kind::kScalar || !absl::SimpleAtod(val.text, &seconds) ||
          seconds < 0) {
        s = ValueError(k, val, "must be a number of seconds");
      } else {
        *timeout = absl::Seconds(seconds);
      }
    } else if (k == "token") {
      s = ValueError(k, val, what + " authorization does not support tokens");
    } else if (k == "users") {
      s = ValueError(k, val, what + " authorization does not allow multiple users");
    } else {
      s = UnknownKey(absl::AsciiStrToLower(what) + " authorization", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ParseRouteUrl(std::string_view url, RouteUrl* out) {
  const std::string original(url);
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  const size_t at = url.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = url.substr(0, at);
    const size_t colon = userinfo.find(':');
    out->user = std::string(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) out->password = std::string(userinfo.substr(colon + 1));
    url.remove_prefix(at + 1);
  }
  const size_t colon = url.rfind(':');
  if (colon == std::string_view::npos ||
      !absl::SimpleAtoi(absl::string_view(url.data() + colon + 1, url.size() - colon - 1),
                        &out->port) ||
      out->port < 0 || out->port > 65535) {
    return absl::InvalidArgumentError("invalid route URL: " + original);
  }
  std::string_view host = url.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  out->host = std::string(host);
  return absl::OkStatus();
}

absl::Status ApplyClusterConfig(const ConfigValue& v, ClusterOptions* c) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("cluster", v, "must be a map");
  c->enabled = true;
  for (const auto& [k, val] : v.entries) {
    absl::Status s;
    if (k == "listen") {
      s = ApplyHostPort(k, val, &c->host, &c->port, 0);
    } else if (k == "port") {
      s = GetPort(k, val, 0, &c->port);
    } else if (k == "permissions") {
      s = ApplyPermissions(val, &c->permissions);
      if (s.ok() && c->permissions.responses.enabled) {
        s = ValueError(
            k, val,
            "must not set allow_responses (Cluster permissions do not support dynamic responses)");
      }
      c->has_permissions = true;
    } else if (k == "host" || k == "net") {
      s = GetString(k, val, &c->host);
    } else if (k == "name") {
      s = GetString(k, val, &c->name);
      if (s.ok() && c->name.find_first_of(" \t") != std::string::npos) {
        s = ValueError(k, val, "must not contain spaces");
      }
    } else if (k == "routes") {
      c->routes.clear();
      s = GetStringList(k, val, &c->routes);
      for (size_t i = 0; s.ok() && i < c->routes.size(); ++i) {
        RouteUrl parsed;
        if (!ParseRouteUrl(c->routes[i], &parsed).ok()) {
          s = ValueError(k, val, "has an invalid route URL: " + c->routes[i]);
        }
      }
    } else if (k == "no_advertise") {
      s = GetBool(k, val, &c->no_advertise);
    } else if (k == "advertise" || k == "cluster_advertise") {
      s = GetString(k, val, &c->advertise);
    } else if (k == "connect_retries") {
      s = GetInt(k, val, &c->connect_retries);
    } else if (k == "authorization") {
      s = ApplyServerAuthorization("Cluster", val, &c->username, &c->password, &c->auth_timeout);
    } else if (k == "pool_size") {
      s = GetInt(k, val, &c->pool_size);
    } else if (k == "tls") {
      s = ApplyTls(val, /*cluster=*/true, &c->tls);
      // As nats-server: route certificates are always verified, both ways.
      c->tls.verify = true;
    } else {
      s = UnknownKey("cluster", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

bool IsClusterFlag(std::string_view name, bool* takes_value) {
  *takes_value = true;
  if (name == "no_advertise") {
    *takes_value = false;
    return true;
  }
  return name == "cluster" || name == "cluster_listen" || name == "cluster_name" ||
         name == "routes" || name == "cluster_advertise" || name == "connect_retries";
}

absl::Status ApplyClusterFlag(std::string_view name, const std::string& value, bool on,
                              ClusterOptions* c) {
  if (name == "cluster" || name == "cluster_listen") return SetListenUrl(value, c);
  if (name == "cluster_name") {
    if (value.find_first_of(" \t") != std::string::npos) {
      return absl::InvalidArgumentError("cluster name must not contain spaces: " + value);
    }
    c->name = value;
  } else if (name == "routes") {
    c->routes.clear();
    for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
      std::string url(absl::StripAsciiWhitespace(part));
      RouteUrl parsed;
      if (absl::Status s = ParseRouteUrl(url, &parsed); !s.ok()) return s;
      c->routes.push_back(std::move(url));
    }
  } else if (name == "no_advertise") {
    c->no_advertise = on;
  } else if (name == "cluster_advertise") {
    c->advertise = value;
  } else if (name == "connect_retries") {
    if (!absl::SimpleAtoi(value, &c->connect_retries) || c->connect_retries < 0) {
      return absl::InvalidArgumentError("invalid --connect_retries: " + value);
    }
  } else {
    return absl::InvalidArgumentError("unknown cluster flag " + std::string(name));
  }
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
