#include "gateway/core/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "common/callback_burst.h"
#include "common/status.h"
#include "common/subject.h"
#include "gateway/core/account_exports.h"
#include "gateway/core/client.h"
#include "gateway/core/cluster.h"
#include "gateway/core/event_loop.h"
#include "gateway/core/leafnodes.h"
#include "gateway/core/reload.h"
#include "gateway/core/route_parser.h"
#include "gateway/core/tcp_listen.h"
#include "gateway/core/version.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::core {
namespace {

// A nats-server style id: 'N' and 55 base32 characters.
std::string NewServerId() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::string id = "N";
  for (int i = 0; i < 55; ++i) id.push_back(kAlphabet[rng() % 32]);
  return id;
}

// Cheap per-thread randomness for picking queue group members.
uint32_t NextRandom() {
  thread_local uint32_t state = static_cast<uint32_t>(std::random_device()()) | 1;
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

// The headers of a request crossing a service import, with the
// Nats-Request-Info header nats-server adds to name the requesting account.
std::string WithRequestInfo(std::string_view headers, bool has_headers,
                            const std::string& account) {
  nlohmann::json info = {{"acc", account}};
  const std::string line = "Nats-Request-Info: " + info.dump() + "\r\n";
  constexpr std::string_view kVersion = "NATS/1.0";
  if (!has_headers || headers.size() < kVersion.size() + 4) return "NATS/1.0\r\n" + line + "\r\n";
  const size_t end_of_status = headers.find("\r\n");
  std::string out(headers.substr(0, end_of_status + 2));
  out += line;
  out.append(headers.substr(end_of_status + 2));
  return out;
}

// Whether request headers carry a trace context that asks for sampling
// (nats-server's latency `sampling: headers`): W3C traceparent, Uber, B3,
// or X-B3-Sampled 1.
bool HasTracingHeader(std::string_view headers) {
  const std::string lower =
      absl::AsciiStrToLower(absl::string_view(headers.data(), headers.size()));
  for (const char* name : {"\r\ntraceparent:", "\r\nuber-trace-id:", "\r\nb3:",
                           "\r\nx-b3-sampled: 1", "\r\nx-b3-traceid:"}) {
    if (lower.find(name) != std::string::npos) return true;
  }
  return false;
}

// The config reader validated the mappings (ApplyConfig).
SubjectMapper MapperOf(const std::string& account,
                       const std::vector<SubjectMappingOptions>& mappings) {
  absl::StatusOr<SubjectMapper> mapper = SubjectMapper::Create(mappings, "");
  if (mapper.ok()) return *std::move(mapper);
  LOG(ERROR) << "account " << account << ": " << mapper.status().message();
  return SubjectMapper();
}

}  // namespace

Server::Server(ServerOptions options)
    : options_(std::move(options)), server_id_(NewServerId()), live_(options_) {
  common::MutexLock lock(&reload_mu_);
  reloaded_options_ = options_;
  authenticators_.push_back(std::make_unique<const Authenticator>(options_));
  authenticator_.store(authenticators_.back().get(), std::memory_order_release);
  system_account_ = options_.system_account.empty() ? kSystemAccount : options_.system_account;
  global_ = KnownAccount(kGlobalAccount);
  InstallAccounts(options_);
}

Account* Server::KnownAccount(const std::string& name) {
  auto known = std::find_if(all_accounts_.begin(), all_accounts_.end(),
                            [&name](const auto& account) { return account->name() == name; });
  if (known != all_accounts_.end()) return known->get();
  all_accounts_.push_back(std::make_unique<Account>(name));
  Account* account = all_accounts_.back().get();
  if (options_.cluster.enabled || options_.leafnodes.accept ||
      !options_.leafnodes.remotes.empty()) {
    account->sublist().SetClientSubscriptionListener(
        [this, name](const Subscription& sub, bool added) {
          if (cluster_ != nullptr) cluster_->OnLocalInterest(name, sub, added);
          if (leafnodes_ != nullptr) leafnodes_->OnLocalInterest(name, sub, added);
        });
  }
  return account;
}

void Server::InstallAccounts(const ServerOptions& o) {
  auto table = std::make_unique<AccountTable>();
  table->emplace(kGlobalAccount, global_);
  for (const AccountOptions& a : o.accounts) table->emplace(a.name, KnownAccount(a.name));
  if (table->find(system_account_) == table->end()) {
    table->emplace(system_account_, KnownAccount(system_account_));
  }
  auto find = [&table](const std::string& name) -> Account* {
    auto it = table->find(name);
    return it == table->end() ? nullptr : it->second;
  };
  absl::flat_hash_map<Account*, AccountLinks> links;
  links[global_].mapper = MapperOf(kGlobalAccount, o.mappings);
  for (const AccountOptions& a : o.accounts) {
    Account* importer = find(a.name);
    links[importer].mapper = MapperOf(a.name, a.mappings);
    for (const AccountImport& i : a.stream_imports) {
      if (Account* exporter = find(i.account)) {
        links[exporter].stream_routes.push_back(
            {importer, i.subject, i.to.empty() ? i.subject : i.to});
      }
    }
    for (const AccountImport& i : a.service_imports) {
      if (Account* exporter = find(i.account)) {
        std::shared_ptr<const AccountExport> service_export;
        for (const AccountOptions& e : o.accounts) {
          if (e.name != i.account) continue;
          if (const AccountExport* found = FindExport(e.service_exports, i.subject, a.name)) {
            service_export = std::make_shared<const AccountExport>(*found);
          }
        }
        links[importer].service_routes.push_back(
            {exporter, i.subject, i.to.empty() ? i.subject : i.to, std::move(service_export)});
      }
    }
  }
  // Accounts no longer configured lose their routes and mappings; their
  // clients are closed as their users are gone.
  // Accounts not configured (any more) are unlimited.
  absl::flat_hash_map<Account*, AccountLimits> limits;
  for (const AccountOptions& a : o.accounts) limits[find(a.name)] = a.limits;
  for (const auto& account : all_accounts_) {
    account->SetLinks(std::move(links[account.get()]));
    account->SetLimits(limits[account.get()]);
  }
  accounts_.store(table.get(), std::memory_order_release);
  account_tables_.push_back(std::move(table));
}

absl::Status Server::Reload(const ServerOptions& options) {
  common::MutexLock lock(&reload_mu_);
  ServerOptions next = KeepCommandLineOnly(reloaded_options_, options);
  JSE_RETURN_IF_ERROR(CheckReloadable(reloaded_options_, next));
  JSE_RETURN_IF_ERROR(CheckAccountsReloadable(options_, next));
  InstallAccounts(next);
  authenticators_.push_back(std::make_unique<const Authenticator>(next));
  authenticator_.store(authenticators_.back().get(), std::memory_order_release);
  live_.Set(next);
  reloaded_options_ = std::move(next);
  reload_generation_.fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

std::vector<AccountOptions> Server::accounts() const {
  common::MutexLock lock(&reload_mu_);
  return reloaded_options_.accounts;
}

ServerOptions Server::reloaded_options() const {
  common::MutexLock lock(&reload_mu_);
  return reloaded_options_;
}

Account* Server::FindAccount(std::string_view name) const {
  if (name.empty()) return global_;
  const AccountTable& table = *accounts_.load(std::memory_order_acquire);
  auto it = table.find(absl::string_view(name.data(), name.size()));
  return it == table.end() ? nullptr : it->second;
}

Sublist& Server::SublistOf(const Client* client) const {
  return client == nullptr ? global_->sublist() : client->account()->sublist();
}

Server::~Server() { Shutdown(); }

absl::Status Server::Start() {
  if (started_.exchange(true)) return absl::FailedPreconditionError("server already started");
  if (options_.tls.enabled) {
    absl::StatusOr<std::unique_ptr<TlsContext>> tls = TlsContext::Create(options_.tls);
    if (!tls.ok()) return tls.status();
    tls_context_ = *std::move(tls);
  }
  absl::StatusOr<TcpListenSocket> listener =
      ListenTcp(options_.host, options_.port, /*nonblocking=*/true, 1024, "client connections");
  if (!listener.ok()) return listener.status();
  port_ = listener->port;
  listen_fd_ = listener->fd;

  int n = options_.event_loops > 0 ? options_.event_loops
                                   : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  for (int i = 0; i < n; ++i) {
    auto loop = std::make_unique<EventLoop>(this, i == 0 ? listen_fd_ : -1);
    if (absl::Status s = loop->Init(); !s.ok()) return s;
    loops_.push_back(std::move(loop));
  }
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->Run(); });
  if (tls_context_ != nullptr) LOG(INFO) << "TLS required for client connections";
  LOG(INFO) << "Listening for client connections on " << options_.host << ":" << port_
            << " (server id " << server_id_ << ", " << n << " event loops)";
  if (options_.cluster.enabled) {
    cluster_ = std::make_unique<Cluster>(
        this, options_.cluster, server_id_,
        options_.server_name.empty() ? server_id_ : options_.server_name, options_.host);
    JSE_RETURN_IF_ERROR(cluster_->Start(port_));
    if (options_.jetstream) {
      LOG(WARNING) << "JetStream is not clustered: each server keeps its own streams; only core "
                      "NATS messages are routed";
    }
  }
  if (options_.leafnodes.accept || !options_.leafnodes.remotes.empty()) {
    leafnodes_ = std::make_unique<LeafNodes>(
        this, options_.leafnodes, server_id_,
        options_.server_name.empty() ? server_id_ : options_.server_name);
    JSE_RETURN_IF_ERROR(leafnodes_->Start());
  }
  return absl::OkStatus();
}

void Server::Shutdown() {
  if (!started_.load() || shut_down_.exchange(true)) return;
  if (cluster_ != nullptr) cluster_->Shutdown();
  if (leafnodes_ != nullptr) leafnodes_->Shutdown();
  for (auto& loop : loops_) loop->Stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  common::MutexLock lock(&internal_mu_);
  internal_subs_.clear();
}

std::vector<uint64_t> Server::EnterLameDuckMode() {
  if (!started_.load() || lame_duck_.exchange(true)) return {};
  LOG(INFO) << "Entering lame duck mode, stop accepting new clients";
  // A listening socket shut down refuses new connections; the loop that
  // watches it stops accepting.
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  std::vector<std::shared_ptr<Client>> clients;
  {
    common::MutexLock lock(&clients_mu_);
    for (const auto& [id, weak] : clients_) {
      if (std::shared_ptr<Client> client = weak.lock()) clients.push_back(std::move(client));
    }
  }
  std::vector<uint64_t> ids;
  for (const auto& client : clients) {
    client->ResendInfo();
    ids.push_back(client->Info().cid);
  }
  if (ServerEventListener* listener = event_listener_.load(std::memory_order_acquire)) {
    listener->OnLameDuckMode();
  }
  return ids;
}

void Server::CloseConnection(uint64_t cid) {
  std::shared_ptr<Client> client;
  {
    common::MutexLock lock(&clients_mu_);
    auto it = clients_.find(cid);
    if (it != clients_.end()) client = it->second.lock();
  }
  if (client != nullptr) client->RequestClose("server shutdown");
}

void Server::OnAccepted(int fd) {
  if (shut_down_.load() || lame_duck_.load()) {
    ::close(fd);
    return;
  }
  num_connections_.fetch_add(1);
  const uint64_t id = next_client_id_.fetch_add(1);
  loops_[next_loop_.fetch_add(1) % loops_.size()]->AddConnection(fd, id);
}

void Server::RegisterClient(const std::shared_ptr<Client>& client) {
  common::MutexLock lock(&clients_mu_);
  clients_.emplace(client->Info().cid, client);
}

void Server::OnClientClosed(ConnectionInfo info, const char* reason) {
  num_connections_.fetch_sub(1);
  {
    common::MutexLock lock(&clients_mu_);
    if (clients_.erase(info.cid) == 0) return;
    closed_counts_ += info.counts;
  }
  info.stop = absl::Now();
  info.reason = std::string(ClosedReasonText(reason));
  if (ServerEventListener* listener = event_listener_.load(std::memory_order_acquire)) {
    listener->OnClientClosed(info);
  }
  closed_.Add(std::move(info));
}

void Server::OnClientConnected(const Client& client) {
  ServerEventListener* listener = event_listener_.load(std::memory_order_acquire);
  if (listener != nullptr && listener->WantsConnectEvents(client.account()->name())) {
    listener->OnClientConnected(client.Info());
  }
}

void Server::OnAuthenticationError(const Client& client) {
  if (ServerEventListener* listener = event_listener_.load(std::memory_order_acquire)) {
    listener->OnAuthenticationError(client.Info());
  }
}

bool Server::HasInterestIn(std::string_view account, std::string_view subject) {
  Account* in = FindAccount(account);
  return in != nullptr && !in->sublist().Match(subject)->empty();
}

std::vector<ConnectionInfo> Server::Connections(bool with_subscriptions) const {
  std::vector<std::shared_ptr<Client>> clients;
  {
    common::MutexLock lock(&clients_mu_);
    clients.reserve(clients_.size());
    for (const auto& [id, weak] : clients_) {
      if (std::shared_ptr<Client> client = weak.lock()) clients.push_back(std::move(client));
    }
  }
  std::vector<ConnectionInfo> infos;
  infos.reserve(clients.size());
  for (const auto& client : clients) infos.push_back(client->Info(with_subscriptions));
  std::sort(infos.begin(), infos.end(),
            [](const ConnectionInfo& a, const ConnectionInfo& b) { return a.cid < b.cid; });
  return infos;
}

ServerStats Server::Stats() const {
  ServerStats stats;
  stats.start = start_time_;
  stats.connections = num_connections_.load();
  stats.total_connections = next_client_id_.load() - 1;
  for (const auto& [name, account] : *accounts_.load(std::memory_order_acquire)) {
    stats.subscriptions += account->sublist().Count();
  }
  stats.slow_consumers = slow_consumers_.load(std::memory_order_relaxed);
  std::vector<std::shared_ptr<Client>> clients;
  {
    common::MutexLock lock(&clients_mu_);
    stats.counts = closed_counts_;
    for (const auto& [id, weak] : clients_) {
      if (std::shared_ptr<Client> client = weak.lock()) clients.push_back(std::move(client));
    }
  }
  for (const auto& client : clients) stats.counts += client->Counts();
  return stats;
}

std::string Server::InfoJson(uint64_t client_id, const std::string& client_ip,
                             const std::string& nonce, int64_t max_payload) const {
  nlohmann::ordered_json info;
  info["server_id"] = server_id_;
  info["server_name"] = options_.server_name.empty() ? server_id_ : options_.server_name;
  info["version"] = kServerVersion;
  info["proto"] = 1;
  info["go"] = kGoVersion;
  info["host"] = options_.host;
  info["port"] = port_;
  info["headers"] = !options_.no_header_support;
  if (authenticator().announced_required()) info["auth_required"] = true;
  if (options_.tls.enabled && TlsOptional()) {
    info["tls_available"] = true;
  } else if (options_.tls.enabled) {
    info["tls_required"] = true;
    if (options_.tls.verify) info["tls_verify"] = true;
  }
  info["max_payload"] = max_payload;
  if (options_.jetstream) info["jetstream"] = true;
  info["client_id"] = client_id;
  info["client_ip"] = client_ip;
  if (!nonce.empty()) info["nonce"] = nonce;
  if (lame_duck_.load()) info["ldm"] = true;
  if (cluster_ != nullptr) {
    info["cluster"] = cluster_->name();
    std::vector<std::string> urls = cluster_->ClientUrls();
    if (!urls.empty()) info["connect_urls"] = std::move(urls);
  }
  return info.dump();
}

bool Server::Deliver(Client* from, const SubscriptionPtr& sub, std::string_view subject,
                     std::string_view reply, std::string_view headers, bool has_headers,
                     std::string_view payload) {
  if (sub->closed.load(std::memory_order_relaxed)) return false;
  Client* owner = sub->client.get();
  if (owner != nullptr && owner == from && !from->echo()) return false;
  if (owner != nullptr && !owner->AcceptsDelivery(subject)) return false;
  const uint64_t max = sub->max_msgs.load(std::memory_order_relaxed);
  const uint64_t n = sub->delivered.fetch_add(1, std::memory_order_relaxed) + 1;
  if (max != 0 && n > max) return false;
  if (owner != nullptr) {
    owner->DeliverMessage(subject, sub->sid, reply, headers, has_headers, payload);
    if (from != nullptr && owner != from && owner->stalled() && !from->throttled()) {
      from->StallOn(owner);
    }
  } else {
    sub->handler(InboundMessage{subject, reply, headers, payload});
  }
  if (max != 0 && n == max) RemoveSubscription(sub);
  return true;
}

bool Server::Route(Client* from, std::string_view subject, std::string_view reply,
                   std::string_view headers, bool has_headers, std::string_view payload) {
  Account* account = from == nullptr ? global_ : from->account();
  std::string mapped;
  if (from != nullptr && !account->mapper().empty() && account->mapper().Map(subject, &mapped)) {
    if (mapped.empty()) return false;
    return RouteIn(account, from, mapped, reply, headers, has_headers, payload);
  }
  return RouteIn(account, from, subject, reply, headers, has_headers, payload);
}

bool Server::RouteIn(Account* account, Client* from, std::string_view subject,
                     std::string_view reply, std::string_view headers, bool has_headers,
                     std::string_view payload) {
  bool delivered = false;
  std::vector<std::string> routed_queues;
  DeliveryScope scope;
  scope.skip_queues = &routed_queues;
  if (cluster_ != nullptr || leafnodes_ != nullptr) {
    std::shared_ptr<const MatchResult> local = account->sublist().Match(subject);
    if (cluster_ != nullptr) {
      delivered = cluster_->Forward(account->name(), subject, reply, headers, has_headers, payload,
                                    *local, &routed_queues);
    }
    if (leafnodes_ != nullptr) {
      delivered |= leafnodes_->Forward(account->name(), subject, reply, headers, has_headers,
                                       payload, *local, &routed_queues);
    }
  }
  delivered |= DeliverIn(account->sublist(), from, subject, subject, reply, headers, has_headers,
                         payload, routed_queues.empty() ? nullptr : &scope);
  if (account->has_routes() || (account != global_ && Account::IsResponseSubject(subject))) {
    delivered |= RouteAcross(account, from, subject, reply, headers, has_headers, payload);
  }
  return delivered;
}

bool Server::RouteAcross(Account* account, Client* from, std::string_view subject,
                         std::string_view reply, std::string_view headers, bool has_headers,
                         std::string_view payload) {
  bool delivered = false;
  Account* importer = nullptr;
  std::string response_to;
  std::shared_ptr<LatencyProbe> probe;
  if (Account::IsResponseSubject(subject) &&
      account->TakeResponseRoute(subject, &importer, &response_to, absl::Now(), &probe)) {
    delivered |= DeliverIn(importer->sublist(), from, response_to, response_to, reply, headers,
                           has_headers, payload);
    if (probe != nullptr) ReportLatency(account, from, *probe);
  }
  delivered |=
      DeliverToStreamImporters(account, from, subject, "", reply, headers, has_headers, payload);
  for (const ServiceRoute& route : account->service_routes()) {
    if (!common::SubjectMatches(route.to, subject)) continue;
    const std::string mapped = ImportMapping::Map(route.to, route.subject, subject);
    const AccountExport* e = route.service_export.get();
    const std::string response =
        reply.empty()
            ? std::string()
            : route.exporter->AddResponseRoute(
                  account, reply, absl::Now(),
                  e != nullptr && e->response_type != AccountExport::ResponseType::kSingleton,
                  SampleLatency(e, account, headers, has_headers));
    const std::string with_info = WithRequestInfo(headers, has_headers, account->name());
    delivered |= DeliverIn(route.exporter->sublist(), from, mapped, mapped, response, with_info,
                           true, payload);
  }
  return delivered;
}

std::shared_ptr<LatencyProbe> Server::SampleLatency(const AccountExport* e, Account* requestor,
                                                    std::string_view headers, bool has_headers) {
  if (e == nullptr || e->latency_subject.empty()) return nullptr;
  if (e->latency_headers) {
    if (!has_headers || !HasTracingHeader(headers)) return nullptr;
  } else if (e->latency_sampling < 100 &&
             static_cast<int>(NextRandom() % 100) >= e->latency_sampling) {
    return nullptr;
  }
  auto probe = std::make_shared<LatencyProbe>();
  probe->results_subject = e->latency_subject;
  probe->start = absl::Now();
  probe->requestor.account = requestor->name();
  return probe;
}

void Server::ReportLatency(Account* exporter, Client* responder, const LatencyProbe& probe) {
  ConnectionInfo info;
  if (responder != nullptr) info = responder->Info();
  const std::string json = ServiceLatencyJson(
      probe, responder != nullptr ? &info : nullptr,
      options_.server_name.empty() ? server_id_ : options_.server_name, absl::Now());
  RouteIn(exporter, nullptr, probe.results_subject, "", "", false, json);
}

bool Server::DeliverToStreamImporters(Account* account, Client* from, std::string_view to,
                                      std::string_view subject, std::string_view reply,
                                      std::string_view headers, bool has_headers,
                                      std::string_view payload) {
  bool delivered = false;
  for (const StreamRoute& route : account->stream_routes()) {
    if (!common::SubjectMatches(route.subject, to)) continue;
    const std::string mapped = ImportMapping::Map(route.subject, route.to, to);
    delivered |= DeliverIn(route.importer->sublist(), from, mapped,
                           subject.empty() ? std::string_view(mapped) : subject, reply, headers,
                           has_headers, payload);
  }
  return delivered;
}

bool Server::RouteTo(Client* from, std::string_view to, std::string_view subject,
                     std::string_view reply, std::string_view headers, bool has_headers,
                     std::string_view payload) {
  return DeliverIn(SublistOf(from), from, to, subject, reply, headers, has_headers, payload);
}

bool Server::DeliverIn(Sublist& sublist, Client* from, std::string_view to,
                       std::string_view subject, std::string_view reply, std::string_view headers,
                       bool has_headers, std::string_view payload, const DeliveryScope* scope) {
  std::shared_ptr<const MatchResult> result = sublist.Match(to);
  const bool clients_only = scope != nullptr && scope->clients_only;
  bool delivered = false;
  for (const SubscriptionPtr& sub : result->psubs) {
    if (clients_only && sub->client == nullptr) continue;
    delivered |= Deliver(from, sub, subject, reply, headers, has_headers, payload);
  }
  for (const auto& group : result->qsubs) {
    const size_t size = group.size();
    if (scope != nullptr && scope->only_queues != nullptr &&
        std::find(scope->only_queues->begin(), scope->only_queues->end(),
                  std::string_view(group[0]->queue)) == scope->only_queues->end()) {
      continue;
    }
    if (scope != nullptr && scope->skip_queues != nullptr &&
        std::find(scope->skip_queues->begin(), scope->skip_queues->end(), group[0]->queue) !=
            scope->skip_queues->end()) {
      continue;
    }
    const size_t start = NextRandom() % size;
    for (size_t i = 0; i < size; ++i) {
      const SubscriptionPtr& sub = group[(start + i) % size];
      if (clients_only && sub->client == nullptr) continue;
      if (Deliver(from, sub, subject, reply, headers, has_headers, payload)) {
        delivered = true;
        break;
      }
    }
  }
  return delivered;
}

void Server::DeliverRouted(const RoutedMessage& msg) {
  Account* account = FindAccount(msg.account == kGlobalAccount ? "" : msg.account);
  if (account == nullptr) return;
  DeliveryScope scope;
  scope.only_queues = &msg.queues;
  scope.clients_only = true;
  DeliverIn(account->sublist(), nullptr, msg.subject, msg.subject, msg.reply, msg.headers,
            msg.has_headers, msg.payload, &scope);
  if (EventLoop::Current() == nullptr) common::CallbackBurst::AtEnd(&EventLoop::FlushTouched);
}

void Server::OnClusterUrlsChanged() {
  std::vector<std::shared_ptr<Client>> clients;
  {
    common::MutexLock lock(&clients_mu_);
    for (const auto& [id, weak] : clients_) {
      if (std::shared_ptr<Client> client = weak.lock()) clients.push_back(std::move(client));
    }
  }
  for (const auto& client : clients) {
    if (client->protocol() >= 1) client->ResendInfo();
  }
}

void Server::RemoveSubscription(const SubscriptionPtr& sub) {
  sub->closed.store(true);
  (sub->account != nullptr ? sub->account->sublist() : SublistOf(sub->client.get())).Remove(sub);
  if (sub->client != nullptr) sub->client->ForgetSubscription(sub);
}

uint64_t Server::SubscribeInternal(std::string subject, std::string queue,
                                   InternalHandler handler) {
  return SubscribeInternalIn("", std::move(subject), std::move(queue), std::move(handler));
}

uint64_t Server::SubscribeInternalIn(std::string_view account, std::string subject,
                                     std::string queue, InternalHandler handler) {
  Account* in = FindAccount(account);
  if (in == nullptr) return 0;
  auto sub = std::make_shared<Subscription>();
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  sub->handler = std::move(handler);
  sub->account = in;
  common::MutexLock lock(&internal_mu_);
  sub->internal_id = next_internal_id_++;
  if (absl::Status s = in->sublist().Insert(sub); !s.ok()) {
    LOG(ERROR) << "internal subscription to '" << sub->subject << "' rejected: " << s;
    return 0;
  }
  internal_subs_.emplace(sub->internal_id, sub);
  return sub->internal_id;
}

void Server::UnsubscribeInternal(uint64_t id) {
  SubscriptionPtr sub;
  {
    common::MutexLock lock(&internal_mu_);
    auto it = internal_subs_.find(id);
    if (it == internal_subs_.end()) return;
    sub = std::move(it->second);
    internal_subs_.erase(it);
  }
  RemoveSubscription(sub);
}

void Server::Publish(std::string_view subject, std::string_view reply, std::string_view headers,
                     std::string_view payload) {
  Route(nullptr, subject, reply, headers, !headers.empty(), payload);
  if (EventLoop::Current() == nullptr) common::CallbackBurst::AtEnd(&EventLoop::FlushTouched);
}

void Server::PublishIn(std::string_view account, std::string_view subject, std::string_view reply,
                       std::string_view headers, std::string_view payload) {
  Account* in = FindAccount(account);
  if (in == nullptr) return;
  RouteIn(in, nullptr, subject, reply, headers, !headers.empty(), payload);
  if (EventLoop::Current() == nullptr) common::CallbackBurst::AtEnd(&EventLoop::FlushTouched);
}

bool Server::PublishTo(std::string_view to, std::string_view subject, std::string_view reply,
                       std::string_view headers, std::string_view payload) {
  const bool delivered = RouteTo(nullptr, to, subject, reply, headers, !headers.empty(), payload);
  if (EventLoop::Current() == nullptr) common::CallbackBurst::AtEnd(&EventLoop::FlushTouched);
  return delivered;
}

bool Server::PublishToIn(std::string_view account, std::string_view to, std::string_view subject,
                         std::string_view reply, std::string_view headers,
                         std::string_view payload) {
  Account* in = FindAccount(account);
  if (in == nullptr) return false;
  bool delivered =
      DeliverIn(in->sublist(), nullptr, to, subject, reply, headers, !headers.empty(), payload);
  // A JetStream delivery to a subject another account imports: its
  // subscribers see the message's own subject, as with nats-server.
  delivered |=
      DeliverToStreamImporters(in, nullptr, to, subject, reply, headers, !headers.empty(), payload);
  if (EventLoop::Current() == nullptr) common::CallbackBurst::AtEnd(&EventLoop::FlushTouched);
  return delivered;
}

bool Server::HasInterest(std::string_view subject) { return !sublist().Match(subject)->empty(); }

bool Server::HasClientInterest(std::string_view subject, std::string_view queue) {
  return sublist().HasClientInterest(subject, queue);
}

uint64_t Server::WatchClientInterest(std::string_view subject, std::string_view queue,
                                     std::function<void(bool has_interest)> on_change) {
  return sublist().WatchClientInterest(subject, queue, std::move(on_change));
}

void Server::UnwatchClientInterest(uint64_t id) { sublist().UnwatchClientInterest(id); }

uint64_t Server::WatchClientInterestIn(std::string_view account, std::string_view subject,
                                       std::string_view queue,
                                       std::function<void(bool has_interest)> on_change) {
  Account* in = FindAccount(account);
  if (in == nullptr) return 0;
  std::vector<std::pair<Sublist*, std::string>> watched;
  for (const StreamRoute& route : in->stream_routes()) {
    if (!common::SubjectMatches(route.subject, subject)) continue;
    std::string mapped = ImportMapping::Map(route.subject, route.to, subject);
    if (common::IsValidLiteralSubject(mapped)) {
      watched.emplace_back(&route.importer->sublist(), std::move(mapped));
    }
  }
  if (watched.empty())
    return in->sublist().WatchClientInterest(subject, queue, std::move(on_change));
  watched.emplace(watched.begin(), &in->sublist(), std::string(subject));
  ImportWatch watch;
  watch.any = std::make_shared<AnyInterest>(watched.size(), std::move(on_change));
  for (size_t i = 0; i < watched.size(); ++i) {
    const uint64_t leg = watched[i].first->WatchClientInterest(
        watched[i].second, queue, [any = watch.any, i](bool has) { any->Set(i, has); });
    if (leg == 0) {
      for (const auto& [sublist, id] : watch.legs) sublist->UnwatchClientInterest(id);
      return 0;
    }
    watch.legs.emplace_back(watched[i].first, leg);
  }
  common::MutexLock lock(&import_watches_mu_);
  const uint64_t id = kImportWatchBit | next_import_watch_++;
  import_watches_.emplace(id, std::move(watch));
  return id;
}

void Server::UnwatchClientInterestIn(std::string_view account, uint64_t id) {
  if ((id & kImportWatchBit) != 0) {
    decltype(import_watches_)::node_type watch;
    {
      common::MutexLock lock(&import_watches_mu_);
      watch = import_watches_.extract(id);
    }
    if (watch.empty()) return;
    for (const auto& [sublist, leg] : watch.mapped().legs) sublist->UnwatchClientInterest(leg);
    return;
  }
  if (Account* in = FindAccount(account)) in->sublist().UnwatchClientInterest(id);
}

}  // namespace jsengine::gateway::core
