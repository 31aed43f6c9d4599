#include "gateway/core/cluster.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway/core/cluster_config.h"
#include "gateway/core/peer_forward.h"
#include "gateway/core/route.h"
#include "gateway/core/route_parser.h"
#include "gateway/core/server.h"
#include "gateway/core/tcp_listen.h"
#include "gateway/core/version.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::core {
namespace {

// nats-server's DEFAULT_ROUTE_CONNECT and DEFAULT_ROUTE_DIAL.
constexpr absl::Duration kRouteConnectDelay = absl::Seconds(1);
constexpr int kRouteDialTimeoutMs = 1000;

uint32_t Random(uint32_t n) {
  thread_local std::mt19937 rng(std::random_device{}());
  return n == 0 ? 0 : static_cast<uint32_t>(rng() % n);
}

std::string RandomClusterName() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string name;
  for (int i = 0; i < 22; ++i) name.push_back(kAlphabet[Random(36)]);
  return name;
}

}  // namespace

Cluster::Cluster(Server* server, ClusterOptions options, std::string server_id,
                 std::string server_name, std::string client_host)
    : server_(server),
      options_(std::move(options)),
      export_(options_.has_permissions ? &options_.permissions : nullptr),
      server_id_(std::move(server_id)),
      server_name_(std::move(server_name)),
      client_host_(std::move(client_host)),
      import_(options_.has_permissions ? &options_.permissions : nullptr) {
  absl::MutexLock lock(&mu_);
  name_ = options_.name;
  if (name_.empty()) {
    name_ = RandomClusterName();
    dynamic_name_ = true;
  }
}

Cluster::~Cluster() { Shutdown(); }

std::string Cluster::name() const {
  absl::MutexLock lock(&mu_);
  return name_;
}

absl::Status Cluster::Start(int client_port) {
  if (options_.tls.enabled) {
    absl::StatusOr<std::unique_ptr<TlsContext>> tls = TlsContext::CreateForRoutes(options_.tls);
    if (!tls.ok()) return tls.status();
    tls_ = *std::move(tls);
    for (const std::string& url : options_.routes) {
      RouteUrl parsed;
      in6_addr ip;
      if (route_tls_name_.empty() && ParseRouteUrl(url, &parsed).ok() &&
          inet_pton(AF_INET, parsed.host.c_str(), &ip) != 1 &&
          inet_pton(AF_INET6, parsed.host.c_str(), &ip) != 1) {
        route_tls_name_ = parsed.host;
      }
    }
    if (options_.tls.insecure) {
      LOG(WARNING) << "Route TLS is insecure: the certificates of servers dialed are not checked";
    }
  }
  own_client_urls_ = ConnectUrls(client_host_, client_port);
  absl::StatusOr<TcpListenSocket> listener =
      ListenTcp(IsAnyAddress(options_.host) ? "" : options_.host, options_.port,
                /*nonblocking=*/false, 128, "routes");
  if (!listener.ok()) return listener.status();
  port_ = listener->port;
  listen_fd_ = listener->fd;
  if (!options_.advertise.empty()) {
    own_route_url_ = absl::StrCat("nats-route://", options_.advertise, "/");
  } else if (!IsAnyAddress(options_.host)) {
    own_route_url_ = absl::StrCat("nats-route://", JoinHostPort(options_.host, port_), "/");
  }
  started_.store(true);
  LOG(INFO) << "Cluster name is " << name();
  LOG(INFO) << "Listening for route connections on " << JoinHostPort(options_.host, port_);
  threads_.Spawn([this] { AcceptLoop(); });
  for (const std::string& url : options_.routes) {
    threads_.Spawn([this, url] { Solicit(url, /*is_explicit=*/true, ""); });
  }
  return absl::OkStatus();
}

void Cluster::Shutdown() {
  if (!started_.load() || stop_.exchange(true)) return;
  {
    absl::MutexLock lock(&mu_);
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    for (const auto& weak : all_routes_) {
      if (auto route = weak.lock()) route->Stop();
    }
  }
  threads_.Stop();
  threads_.Join();
  absl::MutexLock lock(&mu_);
  routes_.clear();
  {
    common::MutexLock snapshot_lock(&snapshot_mu_);
    published_.reset();
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void Cluster::AcceptLoop() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    auto route = std::make_shared<Route>(this, fd, /*solicited=*/false, "", NewTlsSession(fd, ""));
    {
      absl::MutexLock lock(&mu_);
      all_routes_.push_back(route);
    }
    if (!threads_.Spawn([route] { route->Run(); })) return;
  }
}

void Cluster::Solicit(std::string url, bool is_explicit, std::string remote_id) {
  RouteUrl parsed;
  if (ParseRouteUrl(url, &parsed).ok()) {
    int attempts = 0;
    while (!stop_.load()) {
      const int fd = DialTcp(parsed.host, parsed.port, kRouteDialTimeoutMs);
      if (fd < 0) {
        ++attempts;
        if (!is_explicit && attempts > options_.connect_retries) break;
        if (attempts == 1 || attempts % 30 == 0) {
          LOG(INFO) << "Error trying to connect to route " << JoinHostPort(parsed.host, parsed.port)
                    << " (attempt " << attempts << ")";
        }
        if (!threads_.SleepFor(kRouteConnectDelay)) break;
        continue;
      }
      attempts = 0;
      auto route = std::make_shared<Route>(this, fd, /*solicited=*/true, url,
                                           NewTlsSession(fd, parsed.host));
      {
        absl::MutexLock lock(&mu_);
        all_routes_.erase(std::remove_if(all_routes_.begin(), all_routes_.end(),
                                         [](const std::weak_ptr<Route>& w) { return w.expired(); }),
                          all_routes_.end());
        all_routes_.push_back(route);
      }
      if (stop_.load()) break;
      route->Run();
      if (route->no_reconnect()) break;
      // As nats-server: a random delay against two servers reconnecting to
      // each other at once; explicit routes wait a second more.
      absl::Duration delay = absl::Milliseconds(Random(100));
      if (is_explicit) delay += kRouteConnectDelay;
      if (!threads_.SleepFor(delay)) break;
    }
  }
  if (!remote_id.empty()) {
    absl::MutexLock lock(&mu_);
    soliciting_.erase(remote_id);
  }
}

std::unique_ptr<TlsSession> Cluster::NewTlsSession(int fd, const std::string& host) const {
  if (tls_ == nullptr) return nullptr;
  if (host.empty()) return tls_->NewSession(fd);
  in6_addr ip;
  const bool is_ip =
      inet_pton(AF_INET, host.c_str(), &ip) == 1 || inet_pton(AF_INET6, host.c_str(), &ip) == 1;
  return tls_->NewClientSession(fd, is_ip && !route_tls_name_.empty() ? route_tls_name_ : host);
}

std::string Cluster::RouteInfoJson(const Route&) const {
  nlohmann::ordered_json info;
  info["server_id"] = server_id_;
  info["server_name"] = server_name_;
  info["version"] = kServerVersion;
  info["proto"] = 1;
  info["go"] = kGoVersion;
  info["host"] = options_.host;
  info["port"] = port_;
  info["headers"] = true;
  info["max_payload"] = 1024 * 1024;
  {
    absl::MutexLock lock(&mu_);
    info["cluster"] = name_;
    if (dynamic_name_) info["cluster_dynamic"] = true;
  }
  if (!options_.no_advertise && !own_client_urls_.empty()) info["connect_urls"] = own_client_urls_;
  if (!own_route_url_.empty()) info["ip"] = own_route_url_;
  if (!options_.username.empty()) info["auth_required"] = true;
  if (options_.tls.enabled) {
    info["tls_required"] = true;
    info["tls_verify"] = true;
  }
  info["lnoc"] = true;
  return info.dump();
}

std::string Cluster::RouteConnectJson(const Route& route) const {
  RouteUrl parsed;
  (void)ParseRouteUrl(route.url(), &parsed);
  nlohmann::ordered_json connect;
  connect["echo"] = true;
  connect["verbose"] = false;
  connect["pedantic"] = false;
  if (!parsed.user.empty()) {
    connect["user"] = parsed.user;
    connect["pass"] = parsed.password;
  }
  connect["tls_required"] = options_.tls.enabled;
  connect["headers"] = true;
  connect["name"] = server_id_;
  absl::MutexLock lock(&mu_);
  connect["cluster"] = name_;
  connect["dynamic"] = dynamic_name_;
  connect["lnoc"] = true;
  return connect.dump();
}

namespace {

// As nats-server's route verify_and_map: the certificate names the
// cluster's user by a subject alternative name or its subject.
bool CertNamesUser(const CertIdentity& cert, const std::string& user) {
  if (user.empty()) return false;
  return std::find(cert.alt_names.begin(), cert.alt_names.end(), user) != cert.alt_names.end() ||
         DistinguishedNameMatches(user, cert);
}

// As nats-server's verify_cert_and_check_known_urls for routes: one of the
// certificate's DNS names is the host of a configured route URL, label by
// label, case-insensitively; a "*" leftmost label matches any one label.
bool CertNamesRouteHost(const CertIdentity& cert, const std::vector<std::string>& routes) {
  for (const std::string& dns : cert.dns_names) {
    const std::vector<std::string> labels = absl::StrSplit(absl::AsciiStrToLower(dns), '.');
    for (const std::string& url : routes) {
      RouteUrl parsed;
      if (!ParseRouteUrl(url, &parsed).ok()) continue;
      const std::vector<std::string> host = absl::StrSplit(absl::AsciiStrToLower(parsed.host), '.');
      if (host.size() != labels.size()) continue;
      bool match = true;
      for (size_t i = labels[0] == "*" ? 1 : 0; match && i < labels.size(); ++i) {
        match = labels[i] == host[i];
      }
      if (match) return true;
    }
  }
  return false;
}

// Agrees on a cluster name as nats-server does with dynamic names: a
// dynamic name gives way to a configured one (or to the smaller of two
// dynamic ones). Returns false when both are configured and differ.
bool ReconcileName(const std::string& remote, bool remote_dynamic, std::string* name,
                   bool* dynamic) {
  if (remote.empty() || remote == *name) return true;
  if (*dynamic && (!remote_dynamic || remote < *name)) {
    LOG(INFO) << "Cluster name changed from " << *name << " to " << remote;
    *name = remote;
    *dynamic = remote_dynamic;
    return true;
  }
  return remote_dynamic || *dynamic;
}

}  // namespace

std::string Cluster::CheckConnect(Route*, std::string_view json, const CertIdentity* cert) {
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "Protocol Error";
  try {
    if (options_.tls.verify_and_map || options_.tls.check_known_urls) {
      if (cert == nullptr ||
          !((options_.tls.check_known_urls && CertNamesRouteHost(*cert, options_.routes)) ||
            (options_.tls.verify_and_map && CertNamesUser(*cert, options_.username)))) {
        return "Authorization Violation";
      }
    } else if (!options_.username.empty() &&
               (j.value("user", std::string()) != options_.username ||
                j.value("pass", std::string()) != options_.password)) {
      return "Authorization Violation";
    }
    const std::string remote = j.value("cluster", std::string());
    absl::MutexLock lock(&mu_);
    if (!ReconcileName(remote, j.value("dynamic", false), &name_, &dynamic_name_)) {
      return absl::StrCat("Rejecting connection, cluster name \"", remote, "\" does not match \"",
                          name_, "\"");
    }
  } catch (const nlohmann::json::exception&) {
    return "Protocol Error";
  }
  return "";
}

std::string Cluster::CheckInfo(Route*, std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "malformed INFO";
  try {
    const std::string remote = j.value("cluster", std::string());
    absl::MutexLock lock(&mu_);
    if (!ReconcileName(remote, j.value("cluster_dynamic", false), &name_, &dynamic_name_)) {
      return absl::StrCat("cluster name \"", remote, "\" does not match \"", name_, "\"");
    }
  } catch (const nlohmann::json::exception&) {
    return "malformed INFO";
  }
  return "";
}

bool Cluster::Register(const std::shared_ptr<Route>& route) {
  {
    absl::MutexLock lock(&mu_);
    if (stop_.load()) return false;
    const std::string& id = route->remote_id();
    if (id == server_id_) {
      route->set_no_reconnect();
      return false;
    }
    auto it = routes_.find(id);
    if (it != routes_.end()) {
      // Both servers keep the connection opened by the server with the
      // smaller id (the existing one when they were opened by the same).
      std::shared_ptr<Route>& existing = it->second;
      if (!(route->solicitor_id() < existing->solicitor_id())) {
        route->Send("-ERR 'Duplicate Route'\r\n");
        route->set_no_reconnect();
        return false;
      }
      existing->set_no_reconnect();
      existing->Send("-ERR 'Duplicate Route'\r\n");
      existing->Stop();
      existing = route;
    } else {
      routes_.emplace(id, route);
    }
    soliciting_.erase(id);
    ever_routed_ = true;
    RebuildSnapshot();
    SendLocalInterest(route.get());
    if (!route->solicited()) {
      // Tell the other servers about the new one so they connect to it.
      nlohmann::ordered_json info;
      info["server_id"] = id;
      info["ip"] = route->remote_route_url();
      info["cluster"] = name_;
      if (!options_.username.empty()) info["auth_required"] = true;
      const std::vector<std::string> urls = route->remote_client_urls();
      if (!urls.empty()) info["connect_urls"] = urls;
      const std::string line = absl::StrCat("INFO ", info.dump(), "\r\n");
      for (const auto& [other_id, other] : routes_) {
        if (other_id != id) other->Send(line);
      }
    }
  }
  MaybeAnnounceUrls();
  return true;
}

void Cluster::Unregister(Route* route) {
  {
    absl::MutexLock lock(&mu_);
    auto it = routes_.find(route->remote_id());
    if (it == routes_.end() || it->second.get() != route) return;
    routes_.erase(it);
    RebuildSnapshot();
  }
  MaybeAnnounceUrls();
}

bool Cluster::IsConfiguredRoute(const std::string& host, int port) const {
  for (const std::string& url : options_.routes) {
    RouteUrl parsed;
    if (ParseRouteUrl(url, &parsed).ok() && parsed.host == host && parsed.port == port) {
      return true;
    }
  }
  return false;
}

void Cluster::OnGossip(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  std::string id, ip;
  bool auth_required = false;
  try {
    id = j.value("server_id", std::string());
    ip = j.value("ip", std::string());
    auth_required = j.value("auth_required", false);
  } catch (const nlohmann::json::exception&) {
    return;
  }
  RouteUrl parsed;
  if (id.empty() || id == server_id_ || !ParseRouteUrl(ip, &parsed).ok()) return;
  if (IsConfiguredRoute(parsed.host, parsed.port)) return;
  std::string url = ip;
  if (auth_required && !options_.username.empty()) {
    url = absl::StrCat("nats-route://", options_.username, ":", options_.password, "@",
                       JoinHostPort(parsed.host, parsed.port), "/");
  }
  {
    absl::MutexLock lock(&mu_);
    if (routes_.contains(id) || !soliciting_.insert(id).second) return;
  }
  LOG(INFO) << "Connecting to implicit route " << JoinHostPort(parsed.host, parsed.port);
  if (!threads_.Spawn([this, url, id] { Solicit(url, /*is_explicit=*/false, id); })) {
    absl::MutexLock lock(&mu_);
    soliciting_.erase(id);
  }
}

void Cluster::OnRemoteUrlsChanged() { MaybeAnnounceUrls(); }

void Cluster::RebuildSnapshot() {
  auto snapshot = std::make_shared<std::vector<std::shared_ptr<Route>>>();
  for (const auto& [id, route] : routes_) snapshot->push_back(route);
  common::MutexLock lock(&snapshot_mu_);
  published_ = std::move(snapshot);
}

int Cluster::NumRoutes() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(routes_.size());
}

std::vector<std::string> Cluster::RemoteIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, route] : routes_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> Cluster::ClientUrlsLocked() const {
  std::vector<std::string> urls;
  if (options_.no_advertise || !ever_routed_) return urls;
  urls = own_client_urls_;
  std::vector<std::pair<std::string, std::vector<std::string>>> others;
  for (const auto& [id, route] : routes_) others.emplace_back(id, route->remote_client_urls());
  std::sort(others.begin(), others.end());
  for (const auto& [id, list] : others) {
    for (const std::string& url : list) {
      if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(url);
    }
  }
  return urls;
}

std::vector<std::string> Cluster::ClientUrls() const {
  absl::MutexLock lock(&mu_);
  return ClientUrlsLocked();
}

void Cluster::MaybeAnnounceUrls() {
  // Routes closing at shutdown must not shrink the clients' server pools
  // just before the clients need them to reconnect.
  if (stop_.load()) return;
  {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> urls = ClientUrlsLocked();
    if (urls == announced_urls_) return;
    announced_urls_ = std::move(urls);
  }
  server_->OnClusterUrlsChanged();
}

namespace {

std::string InterestKey(std::string_view account, const Subscription& sub) {
  std::string key(account);
  key.append(" ").append(sub.subject);
  if (!sub.queue.empty()) key.append(" ").append(sub.queue);
  return key;
}

}  // namespace

void Cluster::SendLocalInterest(Route* route) {
  std::string protos;
  for (const auto& [key, count] : local_interest_) {
    const size_t spaces = std::count(key.begin(), key.end(), ' ');
    absl::StrAppend(&protos, "RS+ ", key, spaces == 2 ? absl::StrCat(" ", count) : "", "\r\n");
  }
  if (!protos.empty()) route->Send(protos);
}

void Cluster::OnLocalInterest(std::string_view account, const Subscription& sub, bool added) {
  const std::string key = InterestKey(account, sub);
  absl::MutexLock lock(&mu_);
  if (!import_.CanPublish(sub.subject)) return;
  int& count = local_interest_[key];
  const int before = count;
  count += added ? 1 : -1;
  const int after = count;
  if (after <= 0) local_interest_.erase(key);
  std::string proto;
  if (sub.queue.empty()) {
    if (before == 0 && after > 0) proto = absl::StrCat("RS+ ", key, "\r\n");
    if (before > 0 && after <= 0) proto = absl::StrCat("RS- ", key, "\r\n");
  } else {
    proto = after > 0 ? absl::StrCat("RS+ ", key, " ", after, "\r\n")
                      : absl::StrCat("RS- ", key, "\r\n");
  }
  if (proto.empty()) return;
  for (const auto& [id, route] : routes_) route->Send(proto);
}

bool Cluster::Forward(std::string_view account, std::string_view subject, std::string_view reply,
                      std::string_view headers, bool has_headers, std::string_view payload,
                      const MatchResult& local, std::vector<std::string>* routed_queues) {
  std::shared_ptr<const std::vector<std::shared_ptr<Route>>> routes;
  {
    common::MutexLock lock(&snapshot_mu_);
    routes = published_;
  }
  if (routes == nullptr || routes->empty()) return false;
  return ForwardToPeers(*routes, account, subject, reply, headers, has_headers, payload, local,
                        ForwardScope(), routed_queues);
}

void Cluster::DeliverRouted(Route*, const RoutedMessage& msg) { server_->DeliverRouted(msg); }

}  // namespace jsengine::gateway::core
