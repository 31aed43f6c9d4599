#include "gateway/core/leafnodes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/core/auth.h"
#include "gateway/core/cluster.h"
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

constexpr int kDialTimeoutMs = 1000;
// nats-server's leafNodeReconnectDelayAfterLoopDetected.
constexpr absl::Duration kLoopReconnectDelay = absl::Seconds(30);
constexpr char kLoopPrefix[] = "$LDS.";

std::string RandomId(size_t n) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937 rng(std::random_device{}());
  std::string id;
  for (size_t i = 0; i < n; ++i) id.push_back(kAlphabet[rng() % 36]);
  return id;
}

std::string InterestKey(const Subscription& sub) {
  std::string key = sub.subject;
  if (!sub.queue.empty()) key.append(" ").append(sub.queue);
  return key;
}

std::string_view SubjectOfKey(std::string_view key) { return key.substr(0, key.find(' ')); }

UserPermissions DenySubscribe(const std::vector<std::string>& deny) {
  UserPermissions p;
  p.subscribe.deny = deny;
  return p;
}

}  // namespace

LeafNodes::LeafNodes(Server* server, LeafNodeOptions options, std::string server_id,
                     std::string server_name)
    : server_(server),
      options_(std::move(options)),
      server_id_(std::move(server_id)),
      server_name_(std::move(server_name)) {
  for (const RemoteLeafOptions& r : options_.remotes) {
    deny_imports_.push_back(DenySubscribe(r.deny_imports));
    deny_exports_.push_back(DenySubscribe(r.deny_exports));
    if (!r.deny_exports.empty()) filters_exports_ = true;
  }
}

LeafNodes::~LeafNodes() { Shutdown(); }

absl::Status LeafNodes::Start() {
  if (options_.tls.enabled) {
    absl::StatusOr<std::unique_ptr<TlsContext>> tls = TlsContext::Create(options_.tls);
    if (!tls.ok()) return tls.status();
    accept_tls_ = *std::move(tls);
  }
  for (const RemoteLeafOptions& r : options_.remotes) {
    std::unique_ptr<TlsContext> ctx;
    if (r.tls.enabled) {
      absl::StatusOr<std::unique_ptr<TlsContext>> tls = TlsContext::CreateForRoutes(r.tls);
      if (!tls.ok()) return tls.status();
      ctx = *std::move(tls);
    }
    remote_tls_.push_back(std::move(ctx));
  }
  if (options_.accept) {
    absl::StatusOr<TcpListenSocket> listener =
        ListenTcp(IsAnyAddress(options_.host) ? "" : options_.host, options_.port,
                  /*nonblocking=*/false, 128, "leafnodes");
    if (!listener.ok()) return listener.status();
    port_ = listener->port;
    listen_fd_ = listener->fd;
    own_urls_ = options_.advertise.empty() ? ConnectUrls(options_.host, port_)
                                           : std::vector<std::string>{options_.advertise};
  }
  started_.store(true);
  if (options_.accept) {
    LOG(INFO) << "Listening for leafnode connections on " << JoinHostPort(options_.host, port_);
    threads_.Spawn([this] { AcceptLoop(); });
  }
  for (size_t i = 0; i < options_.remotes.size(); ++i) {
    threads_.Spawn([this, i] { Solicit(i); });
  }
  return absl::OkStatus();
}

void LeafNodes::Shutdown() {
  if (!started_.load() || stop_.exchange(true)) return;
  {
    absl::MutexLock lock(&mu_);
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    for (auto& [route, conn] : conns_) conn.route->Stop();
  }
  threads_.Stop();
  threads_.Join();
  absl::MutexLock lock(&mu_);
  conns_.clear();
  {
    common::MutexLock snapshot_lock(&snapshot_mu_);
    published_.reset();
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void LeafNodes::AcceptLoop() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    auto route = std::make_shared<Route>(
        this, fd, /*solicited=*/false, "",
        accept_tls_ != nullptr ? accept_tls_->NewSession(fd) : nullptr, /*leaf=*/true);
    {
      absl::MutexLock lock(&mu_);
      conns_[route.get()].route = route;
    }
    if (!threads_.Spawn([this, route] {
          route->Run();
          absl::MutexLock lock(&mu_);
          conns_.erase(route.get());
        })) {
      return;
    }
  }
}

void LeafNodes::Solicit(size_t index) {
  const RemoteLeafOptions& remote = options_.remotes[index];
  const std::string account = remote.account.empty() ? kGlobalAccount : remote.account;
  size_t next = remote.no_randomize ? 0 : RandomId(1)[0] % remote.urls.size();
  int attempts = 0;
  while (!stop_.load()) {
    const std::string& url = remote.urls[next++ % remote.urls.size()];
    RouteUrl parsed;
    (void)ParseRouteUrl(url, &parsed);
    const int fd = DialTcp(parsed.host, parsed.port, kDialTimeoutMs);
    if (fd < 0) {
      ++attempts;
      if (attempts == 1 || attempts % 30 == 0) {
        LOG(INFO) << "Error trying to connect as leafnode to remote server "
                  << JoinHostPort(parsed.host, parsed.port) << " (attempt " << attempts << ")";
      }
      if (!threads_.SleepFor(options_.reconnect_interval)) break;
      continue;
    }
    attempts = 0;
    std::unique_ptr<TlsSession> tls;
    if (remote_tls_[index] != nullptr) {
      tls = remote_tls_[index]->NewClientSession(fd, parsed.host);
    }
    auto route = std::make_shared<Route>(this, fd, /*solicited=*/true, url, std::move(tls),
                                         /*leaf=*/true, account);
    {
      absl::MutexLock lock(&mu_);
      Conn& conn = conns_[route.get()];
      conn.route = route;
      conn.remote = static_cast<int>(index);
      conn.spoke = !remote.hub;
    }
    if (stop_.load()) break;
    route->Run();
    bool loop;
    {
      absl::MutexLock lock(&mu_);
      Conn* conn = Find(route.get());
      loop = (conn != nullptr && conn->loop) ||
             absl::StrContains(route->last_error(), "Loop detected");
      conns_.erase(route.get());
    }
    if (!threads_.SleepFor(loop ? kLoopReconnectDelay : options_.reconnect_interval)) break;
  }
}

LeafNodes::Conn* LeafNodes::Find(const Route* route) {
  auto it = conns_.find(route);
  return it == conns_.end() ? nullptr : &it->second;
}

std::string LeafNodes::RouteInfoJson(const Route& route) const {
  nlohmann::ordered_json info;
  info["server_id"] = server_id_;
  info["server_name"] = server_name_;
  info["version"] = kServerVersion;
  info["go"] = kGoVersion;
  info["host"] = options_.host;
  info["port"] = port_;
  info["headers"] = true;
  const bool auth =
      !options_.username.empty() || !options_.users.empty() || server_->authenticator().required();
  if (auth) info["auth_required"] = true;
  if (options_.tls.enabled) {
    info["tls_required"] = true;
    if (options_.tls.verify) info["tls_verify"] = true;
  }
  info["max_payload"] = server_->options().max_payload;
  info["proto"] = 1;
  info["client_id"] = next_cid_.fetch_add(1);
  info["leafnode_urls"] = options_.no_advertise ? std::vector<std::string>() : own_urls_;
  return info.dump();
}

std::string LeafNodes::RouteConnectJson(const Route& route) const {
  RouteUrl parsed;
  (void)ParseRouteUrl(route.url(), &parsed);
  int index = -1;
  {
    absl::MutexLock lock(&mu_);
    auto it = conns_.find(&route);
    if (it != conns_.end()) index = it->second.remote;
  }
  nlohmann::ordered_json connect;
  connect["version"] = kServerVersion;
  if (!parsed.user.empty()) {
    connect["user"] = parsed.user;
    connect["pass"] = parsed.password;
  }
  connect["server_id"] = server_id_;
  connect["name"] = server_name_;
  if (index >= 0 && options_.remotes[index].hub) connect["is_hub"] = true;
  if (const Cluster* cluster = server_->cluster()) connect["cluster"] = cluster->name();
  connect["headers"] = true;
  if (index >= 0 && !options_.remotes[index].deny_imports.empty()) {
    connect["deny_pub"] = options_.remotes[index].deny_imports;
  }
  connect["remote_account"] = route.account();
  return connect.dump();
}

std::string LeafNodes::AcceptedAccount(std::string_view json, std::string* refused) const {
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *refused = "Protocol Error";
    return "";
  }
  auto text = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (j.contains("lang")) {
    *refused = "attempted to connect to leafnode port";
    return "";
  }
  if (!text("gateway").empty()) {
    *refused = absl::StrCat("Rejecting connection from gateway \"", text("gateway"),
                            "\" on the leafnode port");
    return "";
  }
  const std::string user = text("user"), pass = text("pass");
  std::string account = options_.account;
  if (!options_.users.empty()) {
    auto it = std::find_if(options_.users.begin(), options_.users.end(), [&](const LeafUser& u) {
      return u.user == user && PasswordMatches(pass, u.password);
    });
    if (it == options_.users.end()) {
      *refused = "Authorization Violation";
      return "";
    }
    account = it->account;
  } else if (!options_.username.empty()) {
    if (user != options_.username || !PasswordMatches(pass, options_.password)) {
      *refused = "Authorization Violation";
      return "";
    }
  } else if (server_->authenticator().required()) {
    // As nats-server: without leafnode users, a leaf logs in as a client.
    Credentials credentials;
    credentials.user = user;
    credentials.pass = pass;
    credentials.token = text("auth_token");
    const UserPermissions* permissions = nullptr;
    const std::string* user_account = nullptr;
    if (!server_->authenticator().Check(credentials, &permissions, &user_account)) {
      *refused = "Authorization Violation";
      return "";
    }
    account = user_account != nullptr ? *user_account : "";
  }
  if (account.empty()) account = kGlobalAccount;
  if (server_->FindAccount(account) == nullptr) {
    *refused = "Authorization Violation";
    return "";
  }
  return account;
}

std::string LeafNodes::CheckConnect(Route* route, std::string_view json, const CertIdentity*) {
  std::string refused;
  std::string account = AcceptedAccount(json, &refused);
  if (!refused.empty()) return refused;
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  std::string name = j.value("name", std::string());
  if (name.empty()) name = j.value("server_id", std::string());
  if (name.empty()) name = route->peer_ip();
  const std::string cluster = j.value("cluster", std::string());
  if (const Cluster* own = server_->cluster();
      own != nullptr && !cluster.empty() && cluster == own->name()) {
    return "Leafnode has same cluster name as the hub";
  }
  route->set_account(std::move(account));
  route->set_remote_id(std::move(name));
  absl::MutexLock lock(&mu_);
  if (Conn* conn = Find(route)) conn->spoke = j.value("is_hub", false);
  return "";
}

std::string LeafNodes::CheckInfo(Route* route, std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "malformed INFO";
  try {
    if (j.value("client_id", 0) == 0 || !j.contains("leafnode_urls")) {
      return "attempted to connect to a port that is not a leafnode port";
    }
    if (j.value("server_id", std::string()) == server_id_) return "connected to itself";
    if (j.value("tls_required", false) && !route->tls()) {
      return "the remote server requires TLS: the remote needs a tls {} block";
    }
    std::string name = j.value("server_name", std::string());
    if (name.empty()) name = j.value("server_id", std::string());
    route->set_remote_id(std::move(name));
  } catch (const nlohmann::json::exception&) {
    return "malformed INFO";
  }
  return "";
}

const std::string& LeafNodes::LoopSubject(const std::string& account) {
  std::string& lds = lds_[account];
  if (lds.empty()) lds = kLoopPrefix + RandomId(22);
  return lds;
}

bool LeafNodes::Propagates(const Conn& from, const Conn& to, const std::string& key) {
  return &from != &to && (!to.spoke || !from.spoke || key.compare(0, 5, kLoopPrefix) == 0);
}

bool LeafNodes::Imports(const Conn& conn, std::string_view subject) const {
  if (conn.remote < 0 || subject.substr(0, 5) == kLoopPrefix) return true;
  return PermissionChecker(&deny_imports_[conn.remote]).CanSubscribe(subject);
}

bool LeafNodes::CanExport(const Route& route, std::string_view subject) const {
  absl::MutexLock lock(&mu_);
  auto it = conns_.find(&route);
  if (it == conns_.end() || it->second.remote < 0) return true;
  return PermissionChecker(&deny_exports_[it->second.remote]).CanSubscribe(subject);
}

void LeafNodes::Update(Conn* conn, const std::string& key, int delta) {
  int& n = conn->smap[key];
  const int before = n;
  n += delta;
  const int after = n;
  if (after <= 0) conn->smap.erase(key);
  if (!conn->registered || !Imports(*conn, SubjectOfKey(key))) return;
  std::string proto;
  if (key.find(' ') == std::string::npos) {
    if (before <= 0 && after > 0) proto = absl::StrCat("LS+ ", key, "\r\n");
    if (before > 0 && after <= 0) proto = absl::StrCat("LS- ", key, "\r\n");
  } else if (before != after) {
    proto = after > 0 ? absl::StrCat("LS+ ", key, " ", after, "\r\n")
                      : absl::StrCat("LS- ", key, "\r\n");
  }
  if (!proto.empty()) conn->route->Send(proto);
}

bool LeafNodes::Register(const std::shared_ptr<Route>& route) {
  absl::MutexLock lock(&mu_);
  if (stop_.load()) return false;
  Conn* conn = Find(route.get());
  if (conn == nullptr) return false;
  const std::string& account = route->account();
  if (const Account* acct = server_->FindAccount(account);
      acct != nullptr && acct->max_leafnodes() >= 0) {
    int64_t bound = 0;
    for (const auto& [other_route, other] : conns_) {
      bound += other.registered && other.route->account() == account ? 1 : 0;
    }
    if (bound >= acct->max_leafnodes()) {
      LOG(WARNING) << "Leafnode connection " << route->remote_id() << " refused: account "
                   << account << " has its maximum of " << acct->max_leafnodes();
      route->Send("-ERR 'Maximum Account Active Connections Exceeded'\r\n");
      return false;
    }
  }
  conn->registered = true;
  conn->smap.clear();
  if (auto it = local_.find(account); it != local_.end()) {
    for (const auto& [key, count] : it->second) conn->smap[key] += count;
  }
  for (const auto& [other_route, other] : conns_) {
    if (!other.registered || other.route->account() != account) continue;
    for (const auto& [key, weight] : other.remote_interest) {
      if (Propagates(other, *conn, key)) conn->smap[key] += weight;
    }
  }
  conn->smap[LoopSubject(account)] += 1;
  std::string protos;
  for (const auto& [key, count] : conn->smap) {
    if (!Imports(*conn, SubjectOfKey(key))) continue;
    absl::StrAppend(&protos, "LS+ ", key,
                    key.find(' ') != std::string::npos ? absl::StrCat(" ", count) : "", "\r\n");
  }
  route->Send(protos);
  RebuildSnapshot();
  LOG(INFO) << "Leafnode connection " << (route->solicited() ? "to " : "from ")
            << route->remote_id() << " bound to account " << account;
  return true;
}

void LeafNodes::Unregister(Route* route) {
  absl::MutexLock lock(&mu_);
  Conn* conn = Find(route);
  if (conn == nullptr) return;
  conn->registered = false;
  for (const auto& [key, weight] : conn->remote_interest) {
    for (auto& [other_route, other] : conns_) {
      if (other.registered && other.route->account() == route->account() &&
          Propagates(*conn, other, key)) {
        Update(&other, key, -weight);
      }
    }
  }
  conn->remote_interest.clear();
  RebuildSnapshot();
}

std::string LeafNodes::OnRemoteInterest(Route* route, std::string_view account,
                                        const SubscriptionPtr& sub, bool added) {
  const std::string key = InterestKey(*sub);
  absl::MutexLock lock(&mu_);
  Conn* conn = Find(route);
  if (conn == nullptr) return "";
  const std::string acct(account);
  if (added && sub->subject == LoopSubject(acct)) {
    conn->loop = true;
    LOG(ERROR) << "Loop detected for leafnode account=\"" << acct << "\"";
    return absl::StrCat("Loop detected for leafnode account=\"", acct,
                        "\". Delaying attempt to reconnect for ",
                        absl::FormatDuration(kLoopReconnectDelay));
  }
  const int weight = added ? std::max(sub->weight.load(), 1) : 0;
  int& held = conn->remote_interest[key];
  const int delta = weight - held;
  held = weight;
  if (weight == 0) conn->remote_interest.erase(key);
  if (delta == 0) return "";
  for (auto& [other_route, other] : conns_) {
    if (other.registered && other.route->account() == acct && Propagates(*conn, other, key)) {
      Update(&other, key, delta);
    }
  }
  return "";
}

void LeafNodes::OnLocalInterest(std::string_view account, const Subscription& sub, bool added) {
  const std::string key = InterestKey(sub);
  const std::string acct(account);
  absl::MutexLock lock(&mu_);
  int& count = local_[acct][key];
  count += added ? 1 : -1;
  if (count <= 0) local_[acct].erase(key);
  for (auto& [route, conn] : conns_) {
    if (conn.registered && conn.route->account() == acct) Update(&conn, key, added ? 1 : -1);
  }
}

void LeafNodes::RebuildSnapshot() {
  auto snapshot = std::make_shared<Snapshot>();
  for (const auto& [route, conn] : conns_) {
    if (!conn.registered) continue;
    snapshot->routes.push_back(conn.route);
    snapshot->remotes.push_back(conn.remote);
  }
  common::MutexLock lock(&snapshot_mu_);
  published_ = std::move(snapshot);
}

bool LeafNodes::Forward(std::string_view account, std::string_view subject, std::string_view reply,
                        std::string_view headers, bool has_headers, std::string_view payload,
                        const MatchResult& local, std::vector<std::string>* routed_queues) {
  std::shared_ptr<const Snapshot> snapshot;
  {
    common::MutexLock lock(&snapshot_mu_);
    snapshot = published_;
  }
  if (snapshot == nullptr || snapshot->routes.empty()) return false;
  if (!filters_exports_) {
    return ForwardToPeers(snapshot->routes, account, subject, reply, headers, has_headers, payload,
                          local, ForwardScope(), routed_queues);
  }
  return ForwardToPeers(ExportingPeers(*snapshot, subject), account, subject, reply, headers,
                        has_headers, payload, local, ForwardScope(), routed_queues);
}

std::vector<std::shared_ptr<Route>> LeafNodes::ExportingPeers(const Snapshot& snapshot,
                                                              std::string_view subject) const {
  std::vector<std::shared_ptr<Route>> peers;
  for (size_t i = 0; i < snapshot.routes.size(); ++i) {
    const int r = snapshot.remotes[i];
    if (r >= 0 && PermissionChecker(&deny_exports_[r]).DeliveryDenied(subject)) continue;
    peers.push_back(snapshot.routes[i]);
  }
  return peers;
}

void LeafNodes::DeliverRouted(Route* route, const RoutedMessage& msg) {
  int remote = -1;
  {
    absl::MutexLock lock(&mu_);
    if (const Conn* conn = Find(route)) remote = conn->remote;
  }
  if (remote >= 0 && PermissionChecker(&deny_imports_[remote]).DeliveryDenied(msg.subject)) {
    return;
  }
  RoutedMessage local_msg = msg;
  local_msg.account = route->account();
  server_->DeliverRouted(local_msg);
  Account* account = server_->FindAccount(route->account());
  if (account == nullptr) return;
  std::shared_ptr<const Snapshot> snapshot;
  {
    common::MutexLock lock(&snapshot_mu_);
    snapshot = published_;
  }
  if (snapshot == nullptr || snapshot->routes.size() < 2) return;
  ForwardScope scope;
  scope.exclude = route;
  scope.only_queues = &msg.queues;
  scope.prefer_local = true;
  std::vector<std::string> routed_queues;
  ForwardToPeers(ExportingPeers(*snapshot, msg.subject), route->account(), msg.subject, msg.reply,
                 msg.headers, msg.has_headers, msg.payload, *account->sublist().Match(msg.subject),
                 scope, &routed_queues);
}

std::vector<LeafNodes::LeafInfo> LeafNodes::Leafs() const {
  std::vector<LeafInfo> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [r, conn] : conns_) {
    if (!conn.registered) continue;
    const Route& route = *conn.route;
    LeafInfo info;
    info.name = route.remote_id();
    info.is_spoke = conn.spoke;
    info.account = route.account();
    info.ip = route.peer_ip();
    info.port = route.peer_port();
    info.in_msgs = route.in_msgs();
    info.out_msgs = route.out_msgs();
    info.in_bytes = route.in_bytes();
    info.out_bytes = route.out_bytes();
    info.subscriptions = conn.route->NumRemoteSubs();
    info.tls = route.tls();
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const LeafInfo& a, const LeafInfo& b) { return a.name < b.name; });
  return out;
}

int LeafNodes::NumLeafs() const {
  absl::MutexLock lock(&mu_);
  int n = 0;
  for (const auto& [route, conn] : conns_) n += conn.registered ? 1 : 0;
  return n;
}

}  // namespace jsengine::gateway::core
