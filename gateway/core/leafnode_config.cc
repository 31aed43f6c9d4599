#include "gateway/core/leafnode_config.h"

#include "absl/strings/ascii.h"
#include "gateway/core/cluster_config.h"
#include "gateway/core/config_values.h"

namespace jsengine::gateway::core {
namespace {

absl::Status ApplyLeafUsers(const ConfigValue& v, std::vector<LeafUser>* users) {
  if (v.kind != ConfigValue::Kind::kArray) return ValueError("users", v, "must be a list");
  for (const ConfigValue& item : v.items) {
    if (item.kind != ConfigValue::Kind::kMap) return ValueError("users", item, "must be maps");
    LeafUser user;
    for (const auto& [key, val] : item.entries) {
      const std::string k = absl::AsciiStrToLower(key);
      absl::Status s;
      if (k == "user" || k == "username") {
        s = GetString(k, val, &user.user);
      } else if (k == "pass" || k == "password") {
        s = GetString(k, val, &user.password);
      } else if (k == "account") {
        s = GetString(k, val, &user.account);
      } else {
        s = UnknownKey("leafnodes authorization users", k, val);
      }
      if (!s.ok()) return s;
    }
    users->push_back(std::move(user));
  }
  return absl::OkStatus();
}

absl::Status ApplyLeafAuthorization(const ConfigValue& v, LeafNodeOptions* leaf) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("authorization", v, "must be a map");
  for (const auto& [key, val] : v.entries) {
    const std::string k = absl::AsciiStrToLower(key);
    absl::Status s;
    if (k == "user" || k == "username") {
      s = GetString(k, val, &leaf->username);
    } else if (k == "pass" || k == "password") {
      s = GetString(k, val, &leaf->password);
    } else if (k == "account") {
      s = GetString(k, val, &leaf->account);
    } else if (k == "users") {
      s = ApplyLeafUsers(val, &leaf->users);
    } else if (k == "timeout") {
      s = GetDuration(k, val, &leaf->auth_timeout);
    } else if (k == "nkey") {
      s = NotSupported(k, val, "nkey authentication of leaf nodes is not implemented");
    } else {
      s = UnknownKey("leafnodes authorization", k, val);
    }
    if (!s.ok()) return s;
  }
  if (!leaf->users.empty() && !leaf->username.empty()) {
    return ValueError("authorization", v, "can not have a single user/pass and a users array");
  }
  return absl::OkStatus();
}

absl::Status ApplyRemote(const ConfigValue& v, RemoteLeafOptions* r) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("remotes", v, "must be maps");
  for (const auto& [key, val] : v.entries) {
    const std::string k = absl::AsciiStrToLower(key);
    absl::Status s;
    if (k == "url" || k == "urls") {
      s = GetStringList(k, val, &r->urls);
      for (size_t i = 0; s.ok() && i < r->urls.size(); ++i) {
        RouteUrl parsed;
        if (!ParseRouteUrl(r->urls[i], &parsed).ok()) {
          s = ValueError(k, val, "has an invalid URL: " + r->urls[i]);
        } else if (r->urls[i].rfind("ws", 0) == 0) {
          s = NotSupported(k, val, "websocket leaf node connections are not implemented");
        }
      }
    } else if (k == "account" || k == "local") {
      s = GetString(k, val, &r->account);
    } else if (k == "tls") {
      s = ApplyTls(val, /*cluster=*/false, &r->tls);
    } else if (k == "deny_imports" || k == "deny_import") {
      s = GetStringList(k, val, &r->deny_imports);
    } else if (k == "deny_exports" || k == "deny_export") {
      s = GetStringList(k, val, &r->deny_exports);
    } else if (k == "hub") {
      s = GetBool(k, val, &r->hub);
    } else if (k == "no_randomize" || k == "dont_randomize") {
      s = GetBool(k, val, &r->no_randomize);
    } else if (k == "compression") {
      // Accepted: connections are never compressed (the hub is told none).
    } else if (k == "creds" || k == "credentials") {
      s = NotSupported(k, val,
                       "leaf connections do not sign in with JWT credentials; use user and "
                       "password in the URL");
    } else if (k == "nkey" || k == "seed") {
      s = NotSupported(k, val, "nkey authentication of leaf nodes is not implemented");
    } else if (k == "ws_compress" || k == "ws_compression" || k == "websocket_compress" ||
               k == "websocket_compression" || k == "ws_no_masking" ||
               k == "websocket_no_masking") {
      s = NotSupported(k, val, "websocket leaf node connections are not implemented");
    } else if (k == "jetstream_cluster_migrate" || k == "js_cluster_migrate") {
      s = NotSupported(k, val, "JetStream is not clustered");
    } else if (k == "first_info_timeout") {
      absl::Duration ignored;
      s = GetDuration(k, val, &ignored);
    } else {
      s = UnknownKey("leafnodes remotes", k, val);
    }
    if (!s.ok()) return s;
  }
  if (r->urls.empty()) return ValueError("remotes", v, "needs a url");
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyLeafNodesConfig(const ConfigValue& v, LeafNodeOptions* leaf) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError("leafnodes", v, "must be a map");
  for (const auto& [key, val] : v.entries) {
    const std::string k = absl::AsciiStrToLower(key);
    absl::Status s;
    if (k == "listen") {
      leaf->accept = true;
      s = ApplyHostPort(k, val, &leaf->host, &leaf->port, 0);
    } else if (k == "port") {
      leaf->accept = true;
      s = GetPort(k, val, 0, &leaf->port);
    } else if (k == "host" || k == "net") {
      s = GetString(k, val, &leaf->host);
    } else if (k == "authorization") {
      s = ApplyLeafAuthorization(val, leaf);
    } else if (k == "remotes") {
      if (val.kind != ConfigValue::Kind::kArray) {
        s = ValueError(k, val, "must be a list");
      } else {
        leaf->remotes.clear();
        for (const ConfigValue& item : val.items) {
          RemoteLeafOptions remote;
          s = ApplyRemote(item, &remote);
          if (!s.ok()) break;
          leaf->remotes.push_back(std::move(remote));
        }
      }
    } else if (k == "reconnect" || k == "reconnect_delay" || k == "reconnect_interval") {
      s = GetDuration(k, val, &leaf->reconnect_interval);
    } else if (k == "tls") {
      s = ApplyTls(val, /*cluster=*/false, &leaf->tls);
    } else if (k == "advertise" || k == "leafnode_advertise") {
      s = GetString(k, val, &leaf->advertise);
    } else if (k == "no_advertise") {
      s = GetBool(k, val, &leaf->no_advertise);
    } else if (k == "compression") {
      // Accepted: connections are never compressed (leafs are told none).
    } else if (k == "min_version" || k == "minimum_version") {
      s = NotSupported(k, val, "a minimum leaf node version is not checked");
    } else {
      s = UnknownKey("leafnodes", k, val);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
