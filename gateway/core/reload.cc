#include "gateway/core/reload.h"

#include <algorithm>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace jsengine::gateway::core {
namespace {

std::string Describe(const std::string& s) { return s; }
std::string Describe(int n) { return std::to_string(n); }
std::string Describe(bool b) { return b ? "true" : "false"; }
std::string Describe(const TlsOptions& t) {
  if (!t.enabled) return "off";
  return absl::StrCat(t.cert_file, ",", t.key_file, ",", t.ca_file, ",", t.verify ? "verify" : "",
                      ",", absl::FormatDuration(t.timeout), ",", t.min_version, ",",
                      t.handshake_first ? "first" : "", ",", absl::StrJoin(t.cipher_suites, ":"),
                      ",", absl::StrJoin(t.curves, ":"), ",", absl::StrJoin(t.pinned_certs, ":"),
                      ",", t.verify_and_map ? "map" : "", ",", t.insecure ? "insecure" : "", ",",
                      t.check_known_urls ? "known_urls" : "");
}

std::string Describe(const ClusterOptions& c) {
  return absl::StrCat(c.enabled, "|", c.host, "|", c.port, "|", c.name, "|",
                      absl::StrJoin(c.routes, ","), "|", c.no_advertise, "|", c.advertise, "|",
                      c.connect_retries, "|", c.username, "|", c.password, "|",
                      absl::FormatDuration(c.auth_timeout), "|", c.pool_size, "|", Describe(c.tls));
}

// Passwords show as hashes: a change is seen, the secret not printed.
std::string Describe(const LeafNodeOptions& l) {
  auto secret = [](const std::string& p) { return std::hash<std::string>()(p); };
  std::string out = absl::StrCat(l.accept, "|", l.host, "|", l.port, "|", l.advertise, "|",
                                 l.no_advertise, "|", l.username, "|", secret(l.password), "|",
                                 l.account, "|", absl::FormatDuration(l.auth_timeout), "|",
                                 Describe(l.tls), "|", absl::FormatDuration(l.reconnect_interval));
  for (const LeafUser& u : l.users) {
    absl::StrAppend(&out, "|user ", u.user, ",", secret(u.password), ",", u.account);
  }
  for (const RemoteLeafOptions& r : l.remotes) {
    std::vector<std::string> urls;
    for (const std::string& url : r.urls) urls.push_back(std::to_string(secret(url)));
    absl::StrAppend(&out, "|remote ", absl::StrJoin(urls, ","), ",", r.account, ",",
                    Describe(r.tls), ",", absl::StrJoin(r.deny_imports, ","), ",",
                    absl::StrJoin(r.deny_exports, ","), ",", r.hub, ",", r.no_randomize);
  }
  return out;
}

template <typename T>
absl::Status Same(const char* name, const T& current, const T& next) {
  const std::string old_value = Describe(current);
  const std::string new_value = Describe(next);
  if (old_value == new_value) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("config reload not supported for ", name,
                                                 ": old=", old_value, ", new=", new_value));
}

}  // namespace

absl::Status CheckReloadable(const ServerOptions& c, const ServerOptions& n) {
  for (absl::Status s : {
           Same("host", c.host, n.host),
           Same("port", c.port, n.port),
           Same("server_name", c.server_name, n.server_name),
           Same("jetstream", c.jetstream, n.jetstream),
           Same("store_dir", c.store_dir, n.store_dir),
           Same("domain", c.jetstream_domain, n.jetstream_domain),
           Same("http_host", c.http_host, n.http_host),
           Same("http_port", c.http_port, n.http_port),
           Same("https_port", c.https_port, n.https_port),
           Same("prof_port", c.prof_port, n.prof_port),
           Same("ports_file_dir", c.ports_file_dir, n.ports_file_dir),
           Same("max_control_line", static_cast<int>(c.max_control_line),
                static_cast<int>(n.max_control_line)),
           Same("tls", c.tls, n.tls),
           Same("cluster", c.cluster, n.cluster),
           Same("leafnodes", c.leafnodes, n.leafnodes),
           Same("system_account", c.system_account, n.system_account),
           Same("log_file", c.log_file, n.log_file),
           Same("remote_syslog", c.remote_syslog, n.remote_syslog),
           Same("pid_file", c.pid_file, n.pid_file),
       }) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckAccountsReloadable(const ServerOptions& start, const ServerOptions& next) {
  if (!start.jetstream) return absl::OkStatus();
  if (start.accounts.empty() != next.accounts.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config reload not supported for accounts: with JetStream on, going from ",
                     start.accounts.empty() ? "no accounts to accounts" : "accounts to no accounts",
                     " needs a restart"));
  }
  for (const AccountOptions& a : next.accounts) {
    if (!a.jetstream) continue;
    const bool at_start = std::any_of(start.accounts.begin(), start.accounts.end(),
                                      [&a](const AccountOptions& s) { return s.name == a.name; });
    if (!at_start) {
      return absl::InvalidArgumentError(
          absl::StrCat("config reload not supported for jetstream in account ", a.name,
                       ": the account was added after start; restart to enable it"));
    }
  }
  return absl::OkStatus();
}

ServerOptions KeepCommandLineOnly(const ServerOptions& current, ServerOptions next) {
  next.event_loops = current.event_loops;
  next.config_file = current.config_file;
  return next;
}

}  // namespace jsengine::gateway::core
