#include "gateway/core/gateway_config.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gateway/core/cluster_config.h"
#include "gateway/core/config_values.h"

namespace jsengine::gateway::core {
namespace {

absl::Status AddUrl(const std::string& key, const ConfigValue& v, const std::string& url,
                    std::vector<std::string>* urls) {
  RouteUrl parsed;
  const std::string trimmed(absl::StripAsciiWhitespace(url));
  if (!ParseRouteUrl(trimmed, &parsed).ok()) {
    return ValueError(key, v, absl::StrCat("error parsing gateway url [\"", trimmed, "\"]"));
  }
  urls->push_back(trimmed);
  return absl::OkStatus();
}

absl::Status ApplyRemoteGateway(const ConfigValue& v, RemoteGatewayOptions* remote) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return ValueError("gateways", v, "entries must be maps (Expected gateway entry to be a map)");
  }
  for (const auto& [key_as_written, val] : v.entries) {
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "name") {
      s = GetString(k, val, &remote->name);
    } else if (k == "tls") {
      s = ApplyTls(val, /*cluster=*/true, &remote->tls);
      remote->tls.verify = true;
    } else if (k == "url") {
      std::string url;
      s = GetString(k, val, &url);
      if (s.ok()) s = AddUrl(k, val, url, &remote->urls);
    } else if (k == "urls") {
      std::vector<std::string> urls;
      s = GetStringList(k, val, &urls);
      remote->urls.clear();
      for (size_t i = 0; s.ok() && i < urls.size(); ++i) s = AddUrl(k, val, urls[i], &remote->urls);
    } else {
      s = UnknownKey("gateways entry", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyGatewayConfig(const ConfigValue& v, GatewayOptions* g) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return ValueError("gateway", v, "must be a map (Expected gateway to be a map)");
  }
  for (const auto& [key_as_written, val] : v.entries) {
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "name") {
      s = GetString(k, val, &g->name);
    } else if (k == "listen") {
      s = ApplyHostPort(k, val, &g->host, &g->port, kRandomPort);
    } else if (k == "port") {
      s = GetPort(k, val, kRandomPort, &g->port);
    } else if (k == "host" || k == "net") {
      s = GetString(k, val, &g->host);
    } else if (k == "authorization") {
      s = ApplyServerAuthorization("Gateway", val, &g->username, &g->password, &g->auth_timeout);
    } else if (k == "tls") {
      s = ApplyTls(val, /*cluster=*/true, &g->tls);
      // As nats-server: gateway certificates are always verified, both ways.
      g->tls.verify = true;
    } else if (k == "advertise") {
      s = GetString(k, val, &g->advertise);
    } else if (k == "connect_retries") {
      s = GetInt(k, val, &g->connect_retries);
    } else if (k == "reject_unknown" || k == "reject_unknown_cluster") {
      s = GetBool(k, val, &g->reject_unknown);
    } else if (k == "gateways") {
      if (val.kind != ConfigValue::Kind::kArray) {
        s = ValueError(k, val, "must be a list (Expected gateways field to be an array)");
      } else {
        g->gateways.clear();
        for (const ConfigValue& entry : val.items) {
          RemoteGatewayOptions remote;
          s = ApplyRemoteGateway(entry, &remote);
          if (!s.ok()) break;
          g->gateways.push_back(std::move(remote));
        }
      }
    } else {
      s = UnknownKey("gateway", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateGatewayOptions(const GatewayOptions& g) {
  if (!g.configured()) return absl::OkStatus();
  if (g.name.empty()) return absl::InvalidArgumentError("gateway has no name");
  if (g.port == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("gateway \"", g.name, "\" has no port specified (select -1 for random port)"));
  }
  for (size_t i = 0; i < g.gateways.size(); ++i) {
    if (g.gateways[i].name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("gateway in the list ", i, " has no name"));
    }
    if (g.gateways[i].urls.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("gateway \"", g.gateways[i].name, "\" has no URL"));
    }
  }
  return absl::OkStatus();
}

std::vector<const TlsOptions*> GatewayTlsOptions(const GatewayOptions& g) {
  std::vector<const TlsOptions*> out;
  if (g.tls.enabled) out.push_back(&g.tls);
  for (const RemoteGatewayOptions& remote : g.gateways) {
    if (remote.tls.enabled) out.push_back(&remote.tls);
  }
  return out;
}

absl::Status CheckGatewayCanRun(const GatewayOptions& g) {
  if (absl::Status s = ValidateGatewayOptions(g); !s.ok()) return s;
  if (!g.configured()) return absl::OkStatus();
  return absl::UnimplementedError(
      absl::StrCat("gateway \"", g.name,
                   "\": super-cluster gateway connections are not implemented (the gateway "
                   "block is only read and checked)"));
}

}  // namespace jsengine::gateway::core
