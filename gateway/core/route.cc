#include "gateway/core/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/callback_burst.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::core {
namespace {

// Beyond this much unwritten output the peer is too slow: the route closes.
constexpr size_t kMaxPendingOutput = 256 * 1024 * 1024;
// A route must complete its handshake within this.
constexpr absl::Duration kHandshakeTimeout = absl::Seconds(5);
// As nats-server's defaults for clients: a PING every 2 minutes; a route
// that leaves 2 of them unanswered is stale and closed.
constexpr absl::Duration kPingInterval = absl::Minutes(2);
constexpr int kMaxPingsOut = 2;

std::string InterestKey(std::string_view account, std::string_view subject,
                        std::string_view queue) {
  std::string key(account);
  key.append(" ").append(subject);
  if (!queue.empty()) key.append(" ").append(queue);
  return key;
}

}  // namespace

Route::Route(RouteHost* owner, int fd, bool solicited, std::string url,
             std::unique_ptr<TlsSession> tls, bool leaf, std::string account)
    : host_(owner),
      fd_(fd),
      solicited_(solicited),
      url_(std::move(url)),
      leaf_(leaf),
      account_(std::move(account)),
      start_(absl::Now()),
      tls_(std::move(tls)) {
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  if (solicited_) solicitor_id_ = host_->server_id();
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  char host[INET6_ADDRSTRLEN] = {0};
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    if (addr.ss_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, host, sizeof(host));
      peer_port_ = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    } else {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, host, sizeof(host));
      peer_port_ = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    }
  }
  peer_ip_ = host;
}

Route::~Route() {
  ::close(fd_);
  if (event_fd_ >= 0) ::close(event_fd_);
}

void Route::Stop() {
  stop_.store(true);
  Wake();
}

void Route::Wake() {
  uint64_t one = 1;
  if (event_fd_ >= 0) (void)!::write(event_fd_, &one, sizeof(one));
}

void Route::Send(std::string_view text) {
  bool wake;
  {
    common::MutexLock lock(&out_mu_);
    wake = out_.empty();
    out_.append(text.data(), text.size());
  }
  if (wake) Wake();
}

void Route::SendMessage(std::string_view account, std::string_view subject, std::string_view reply,
                        const std::vector<std::string_view>& queues, std::string_view headers,
                        bool has_headers, std::string_view payload) {
  std::string line = has_headers ? "HMSG " : (leaf_ ? "LMSG " : "RMSG ");
  if (!leaf_) line.append(account).append(" ");
  line.append(subject);
  if (!queues.empty()) {
    if (reply.empty()) {
      line.append(" |");
    } else {
      line.append(" + ").append(reply);
    }
    for (std::string_view q : queues) line.append(" ").append(q);
  } else if (!reply.empty()) {
    line.append(" ").append(reply);
  }
  if (has_headers) absl::StrAppend(&line, " ", headers.size());
  absl::StrAppend(&line, " ", headers.size() + payload.size(), "\r\n");
  out_msgs_.fetch_add(1, std::memory_order_relaxed);
  out_bytes_.fetch_add(headers.size() + payload.size(), std::memory_order_relaxed);
  bool wake;
  {
    common::MutexLock lock(&out_mu_);
    wake = out_.empty();
    out_.append(line);
    out_.append(headers.data(), headers.size());
    out_.append(payload.data(), payload.size());
    out_.append("\r\n");
  }
  if (wake) Wake();
}

std::vector<std::string> Route::remote_client_urls() const {
  common::MutexLock lock(&urls_mu_);
  return remote_client_urls_;
}

bool Route::WriteOut() {
  while (true) {
    if (woff_ == wbuf_.size()) {
      wbuf_.clear();
      woff_ = 0;
      common::MutexLock lock(&out_mu_);
      if (out_.empty()) return true;
      wbuf_.swap(out_);
    }
    const ssize_t n = WriteSome(wbuf_.data() + woff_, wbuf_.size() - woff_);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    woff_ += static_cast<size_t>(n);
    if (woff_ < wbuf_.size()) return true;
  }
}

ssize_t Route::ReadSome(char* buf, size_t len) {
  return tls_on_ ? tls_->Read(buf, len) : ::read(fd_, buf, len);
}

ssize_t Route::WriteSome(const char* buf, size_t len) {
  return tls_on_ ? tls_->Write(buf, len) : ::send(fd_, buf, len, MSG_NOSIGNAL);
}

bool Route::Handshake() {
  const absl::Time deadline = absl::Now() + host_->tls_timeout();
  while (true) {
    const TlsSession::HandshakeResult r = tls_->Handshake();
    if (r == TlsSession::kDone) break;
    std::string error;
    if (r == TlsSession::kFailed) {
      error = tls_->error().empty() ? "connection closed" : tls_->error();
    } else if (stop_.load() || host_->stopping()) {
      error = "server shutting down";
    } else if (absl::Now() > deadline) {
      error = "timeout";
    }
    if (!error.empty()) {
      LOG(ERROR) << peer_ip_ << " - TLS " << (leaf_ ? "leafnode" : "route")
                 << " handshake error: " << error;
      return false;
    }
    // The handshake may wait for either direction; poll briefly for both.
    pollfd fds[2] = {{fd_, POLLIN, 0}, {event_fd_, POLLIN, 0}};
    ::poll(fds, 2, 50);
  }
  tls_on_ = true;
  if (!solicited_) peer_identity_ = tls_->PeerIdentity();
  VLOG(1) << kind() << " " << (solicited_ ? "to " : "from ") << (solicited_ ? url_ : peer_ip_)
          << ": TLS " << tls_->version() << ", cipher suite " << tls_->cipher_suite();
  return true;
}

void Route::Run() {
  // As nats-server: over TLS, routes handshake before either side writes;
  // the accepting side of a leaf connection sends INFO in plaintext first.
  bool handshake_failed = false;
  if (leaf_ && !solicited_) {
    Send(absl::StrCat("INFO ", host_->RouteInfoJson(*this), "\r\n"));
    WriteOut();
  }
  if (tls_ != nullptr && !(leaf_ && solicited_)) handshake_failed = !Handshake();
  if (handshake_failed) {
    ::shutdown(fd_, SHUT_RDWR);
    LOG(INFO) << kind() << " connection " << (solicited_ ? "to " + url_ : "from " + peer_ip_)
              << " closed: TLS handshake failure";
    return;
  }
  if (!leaf_) {
    if (solicited_) Send(absl::StrCat("CONNECT ", host_->RouteConnectJson(*this), "\r\n"));
    Send(absl::StrCat("INFO ", host_->RouteInfoJson(*this), "\r\n"));
  }
  const absl::Time deadline = absl::Now() + kHandshakeTimeout;
  absl::Time next_ping = absl::Now() + kPingInterval;
  RouteParserLimits limits;
  char buf[64 * 1024];
  std::string reason = "closed by peer";
  bool read_more = false;
  const RouteDialect dialect = leaf_ ? RouteDialect::kLeaf : RouteDialect::kRoute;
  while (!stop_.load() && !host_->stopping()) {
    bool pending;
    {
      common::MutexLock lock(&out_mu_);
      pending = !out_.empty() || woff_ < wbuf_.size();
      if (out_.size() > kMaxPendingOutput) {
        reason = "slow route";
        break;
      }
    }
    pollfd fds[2] = {{fd_, static_cast<short>(POLLIN | (pending ? POLLOUT : 0)), 0},
                     {event_fd_, POLLIN, 0}};
    if (::poll(fds, 2, read_more ? 0 : 500) < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      (void)!::read(event_fd_, &v, sizeof(v));
    }
    const absl::Time now = absl::Now();
    if (!registered_ && now > deadline) {
      reason = "handshake timeout";
      break;
    }
    if (registered_ && now >= next_ping) {
      if (pings_out_ >= kMaxPingsOut) {
        reason = "stale connection";
        break;
      }
      ++pings_out_;
      next_ping = now + kPingInterval;
      Send("PING\r\n");
    }
    if (read_more || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      // TLS may hold decrypted input the socket no longer signals: read on
      // until it runs dry, a few records at a time.
      read_more = false;
      bool closed = false;
      for (int i = 0; i < 16 && !closed; ++i) {
        const ssize_t n = ReadSome(buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          if (n < 0 && tls_on_) reason = "TLS error: " + tls_->error();
          closed = true;
          break;
        }
        if (n < 0) break;
        in_.append(buf, static_cast<size_t>(n));
        common::CallbackBurst burst;
        const RouteParseResult r = ParseRoute(in_, limits, this, dialect);
        in_.erase(0, r.consumed);
        if (r.error == RouteParseError::kStopped && upgrade_) {
          // A leaf hub's INFO: TLS (if any) and CONNECT follow.
          upgrade_ = false;
          if ((tls_ != nullptr && !Handshake()) || !Connect()) {
            reason = tls_ != nullptr ? "TLS handshake failure or refused" : "refused";
            closed = true;
            break;
          }
          in_.clear();
          break;
        }
        if (r.error != RouteParseError::kNone) {
          if (r.error != RouteParseError::kStopped) Send("-ERR 'Protocol Error'\r\n");
          reason = "protocol error or refused";
          WriteOut();
          closed = true;
          break;
        }
        if (!tls_on_) break;
        read_more = i == 15;
      }
      if (closed) break;
    }
    if (!WriteOut()) {
      reason = "write failed";
      break;
    }
  }
  ::shutdown(fd_, SHUT_RDWR);
  LOG(INFO) << kind() << " connection " << (solicited_ ? "to " : "from ")
            << (remote_id_.empty() ? (solicited_ ? url_ : peer_ip_) : remote_id_)
            << " closed: " << reason;
  if (registered_) host_->Unregister(this);
}

bool Route::Connect() {
  Send(absl::StrCat("CONNECT ", host_->RouteConnectJson(*this), "\r\n"));
  if (!host_->Register(shared_from_this())) return false;
  registered_ = true;
  LOG(INFO) << kind() << " connection to " << remote_id_ << " registered";
  return true;
}

std::string Route::last_error() const {
  common::MutexLock lock(&error_mu_);
  return last_error_;
}

size_t Route::NumRemoteSubs() {
  common::MutexLock lock(&interest_mu_);
  return remote_subs_.size();
}

bool Route::OnRouteConnect(std::string_view json) {
  if (solicited_ || connect_received_) return true;
  const std::string refused =
      host_->CheckConnect(this, json, tls_ != nullptr ? &peer_identity_ : nullptr);
  if (!refused.empty()) {
    Send(absl::StrCat("-ERR '", refused, "'\r\n"));
    WriteOut();
    return false;
  }
  connect_received_ = true;
  if (leaf_) {
    // A leaf connection is bound to its account once its CONNECT passed.
    if (!host_->Register(shared_from_this())) return false;
    registered_ = true;
    LOG(INFO) << kind() << " connection from " << remote_id_ << " registered";
  }
  return true;
}

bool Route::OnRouteInfo(std::string_view json) {
  if (leaf_) {
    // The accepting side takes no INFO; a hub's later INFOs change nothing.
    if (!solicited_ || registered_) return true;
    const std::string refused = host_->CheckInfo(this, json);
    if (!refused.empty()) {
      LOG(WARNING) << kind() << " connection to " << url_ << " refused: " << refused;
      return false;
    }
    upgrade_ = true;
    return false;
  }
  if (!solicited_ && !connect_received_) {
    Send("-ERR 'Authorization Violation'\r\n");
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  auto text = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string id = text("server_id");
  if (id.empty()) return false;
  std::vector<std::string> urls;
  if (auto it = j.find("connect_urls"); it != j.end() && it->is_array()) {
    for (const auto& u : *it) {
      if (u.is_string()) urls.push_back(u.get<std::string>());
    }
  }
  if (registered_) {
    if (id != remote_id_) {
      host_->OnGossip(json);
      return true;
    }
    {
      common::MutexLock lock(&urls_mu_);
      remote_client_urls_ = std::move(urls);
    }
    host_->OnRemoteUrlsChanged();
    return true;
  }
  const std::string refused = host_->CheckInfo(this, json);
  if (!refused.empty()) {
    LOG(WARNING) << "Route to " << url_ << " refused: " << refused;
    return false;
  }
  remote_id_ = id;
  if (!solicited_) solicitor_id_ = id;
  remote_route_url_ = text("ip");
  if (remote_route_url_.empty()) {
    const std::string host =
        peer_ip_.find(':') != std::string::npos ? absl::StrCat("[", peer_ip_, "]") : peer_ip_;
    auto port = j.find("port");
    remote_route_url_ =
        absl::StrCat("nats-route://", host, ":",
                     port != j.end() && port->is_number_integer() ? port->get<int>() : 0, "/");
  }
  {
    common::MutexLock lock(&urls_mu_);
    remote_client_urls_ = std::move(urls);
  }
  if (!host_->Register(shared_from_this())) return false;
  registered_ = true;
  LOG(INFO) << "Route connection " << (solicited_ ? "to " : "from ") << remote_id_ << " registered";
  return true;
}

bool Route::OnRoutePing() {
  Send("PONG\r\n");
  return true;
}

bool Route::OnRoutePong() {
  pings_out_ = 0;
  return true;
}

bool Route::OnRouteErr(std::string_view text) {
  LOG(WARNING) << kind() << " " << (remote_id_.empty() ? url_ : remote_id_) << " error: " << text;
  {
    common::MutexLock lock(&error_mu_);
    last_error_.assign(text.data(), text.size());
  }
  if (text.find("Duplicate Route") != std::string_view::npos) set_no_reconnect();
  return true;
}

Sublist* Route::RemoteSublist(std::string_view account) {
  auto it = remote_.find(absl::string_view(account.data(), account.size()));
  if (it == remote_.end()) {
    it = remote_.emplace(std::string(account), std::make_unique<Sublist>()).first;
  }
  return it->second.get();
}

bool Route::OnRemoteSub(std::string_view account, std::string_view subject, std::string_view queue,
                        int weight) {
  if (!registered_) return false;
  if (leaf_) account = account_;
  if (!host_->CanExport(*this, subject)) {
    VLOG(1) << kind() << " " << remote_id_ << ": cannot export " << subject << ", interest ignored";
    return true;
  }
  const std::string key = InterestKey(account, subject, queue);
  SubscriptionPtr sub;
  {
    common::MutexLock lock(&interest_mu_);
    if (auto it = remote_subs_.find(key); it != remote_subs_.end()) {
      it->second->weight.store(std::max(weight, 1));  // a queue weight update
      sub = it->second;
    }
  }
  if (sub != nullptr) {
    host_->OnRemoteInterest(this, account, sub, /*added=*/true);
    return true;
  }
  {
    common::MutexLock lock(&interest_mu_);
    sub = std::make_shared<Subscription>();
    sub->subject.assign(subject.data(), subject.size());
    sub->queue.assign(queue.data(), queue.size());
    sub->weight.store(std::max(weight, 1));
    if (!RemoteSublist(account)->Insert(sub).ok()) {
      LOG(WARNING) << kind() << " " << remote_id_ << " sent invalid interest: " << key;
      return true;
    }
    remote_subs_.emplace(key, sub);
  }
  const std::string refused = host_->OnRemoteInterest(this, account, sub, /*added=*/true);
  if (refused.empty()) return true;
  Send(absl::StrCat("-ERR '", refused, "'\r\n"));
  WriteOut();
  return false;
}

bool Route::OnRemoteUnsub(std::string_view account, std::string_view subject,
                          std::string_view queue) {
  if (!registered_) return false;
  if (leaf_) account = account_;
  const std::string key = InterestKey(account, subject, queue);
  SubscriptionPtr sub;
  {
    common::MutexLock lock(&interest_mu_);
    auto it = remote_subs_.find(key);
    if (it == remote_subs_.end()) return true;
    sub = it->second;
    RemoteSublist(account)->Remove(sub);
    remote_subs_.erase(it);
  }
  host_->OnRemoteInterest(this, account, sub, /*added=*/false);
  return true;
}

std::shared_ptr<const MatchResult> Route::Match(std::string_view account,
                                                std::string_view subject) {
  Sublist* sublist;
  {
    common::MutexLock lock(&interest_mu_);
    auto it = remote_.find(absl::string_view(account.data(), account.size()));
    if (it == remote_.end()) return nullptr;
    sublist = it->second.get();
  }
  return sublist->Match(subject);
}

bool Route::OnRoutedMessage(const RoutedMessage& msg) {
  if (!registered_) return false;
  in_msgs_.fetch_add(1, std::memory_order_relaxed);
  in_bytes_.fetch_add(msg.headers.size() + msg.payload.size(), std::memory_order_relaxed);
  host_->DeliverRouted(this, msg);
  return true;
}

}  // namespace jsengine::gateway::core
