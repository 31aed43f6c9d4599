#include "gateway/core/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "absl/strings/string_view.h"
#include "common/subject.h"
#include "gateway/core/event_loop.h"
#include "gateway/core/nkey_signature.h"
#include "gateway/core/server.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::core {
namespace {

constexpr size_t kInitialReadBuffer = 64 * 1024;
// The first byte of a TLS handshake record (a ClientHello).
constexpr char kTlsHandshakeRecord = 0x16;
constexpr size_t kKeepBufferCapacity = 4 * 1024 * 1024;
// Full buffers read per readiness event before other connections get a turn.
constexpr int kMaxReadsPerTurn = 16;
// Bounds of one producer stall, as nats-server's stallClientMinDuration and
// stallClientMaxDuration. A stalled consumer that did not drain an eighth of
// its stall mark within kMaxStall no longer holds producers back (it will
// overflow max_pending and be cut off).
constexpr absl::Duration kMinStall = absl::Milliseconds(100);
constexpr absl::Duration kMaxStall = absl::Seconds(1);
// Pending output past which a consumer holds back the clients publishing to
// it: half of max_pending as in nats-server, but at most this. nats-server's
// publishers write to a slow subscriber's socket themselves and so rarely
// get that far ahead; ours hand the bytes to the subscriber's loop, and one
// fast publisher queued tens of MiB for one subscriber (pubsub peaks of
// 40-150 MiB against nats-server's 20-80). Resuming below half of it, with
// a few MiB still queued, keeps the subscriber's socket busy.
constexpr size_t kMaxStallMark = size_t{2} << 20;

size_t StallMark(int64_t max_pending) {
  return std::min(static_cast<size_t>(max_pending) / 2, kMaxStallMark);
}

// Grows from kMinStall at the stall mark by kMinStall per further tenth of
// the way to max_pending, up to kMaxStall (nats-server's stallDuration).
absl::Duration StallDuration(int64_t pending, int64_t max_pending) {
  const int64_t mark = static_cast<int64_t>(StallMark(max_pending));
  if (pending >= max_pending) return kMaxStall;
  absl::Duration d = kMinStall;
  if (pending > mark) {
    d += kMinStall * ((pending - mark) / std::max<int64_t>((max_pending - mark) / 10, 1));
  }
  return std::min(d, kMaxStall);
}

// nats-server's minLimit: the lower of two limits, -1 being unlimited.
int64_t LowerLimit(int64_t a, int64_t b) {
  if (a == -1) return b;
  if (b == -1) return a;
  return std::min(a, b);
}

constexpr std::string_view kTooManyAccountConnections =
    "maximum account active connections exceeded";
constexpr std::string_view kTooManySubscriptions = "maximum subscriptions exceeded";

inline absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string Quoted(std::string_view s) { return nlohmann::json(std::string(s)).dump(); }

}  // namespace

Client::Client(Server* server, EventLoop* loop, int fd, uint64_t id)
    : server_(server), loop_(loop), fd_(fd), id_(id), account_(server->global_account()) {
  limits_.max_payload = server->live_options().max_payload();
  reload_generation_ = server->reload_generation();
  limits_.max_control_line = server->options().max_control_line;
  if (server->options().max_subscriptions > 0) {
    max_subscriptions_ = server->options().max_subscriptions;
  }
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

void Client::Start() {
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  char ip[INET6_ADDRSTRLEN] = "";
  if (getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    if (addr.ss_family == AF_INET) {
      auto* in4 = reinterpret_cast<sockaddr_in*>(&addr);
      inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
      port_ = ntohs(in4->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
      inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
      port_ = ntohs(in6->sin6_port);
    }
  }
  ip_ = ip;
  if (server_->authenticator().nonce_required()) nonce_ = NewNkeyNonce();
  accepted_at_ = auth_clock_start_ = last_read_ = last_ping_sent_ = absl::Now();
  last_read_ns_.store(absl::ToUnixNanos(last_read_), std::memory_order_relaxed);
  in_.resize(kInitialReadBuffer);
  server_->RegisterClient(shared_from_this());
  loop_->Watch(this, fd_);
  const std::string info = "INFO " + server_->InfoJson(id_, ip_, nonce_, MaxPayload()) + " \r\n";
  if (const TlsContext* tls = server_->tls_context()) {
    // Unless TLS comes first, INFO is in plaintext: the first bytes on a
    // fresh socket, which fit in its send buffer.
    if (!server_->options().tls.handshake_first &&
        ::send(fd_, info.data(), info.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(info.size())) {
      Close("write error");
      return;
    }
    if (server_->TlsOptional()) {
      tls_undecided_ = true;
    } else {
      common::MutexLock lock(&write_mu_);
      tls_session_ = tls->NewSession(fd_);
      tls_ = tls_handshaking_ = true;
    }
  } else {
    Send(info);
  }
  VLOG(1) << "client " << id_ << " connected from " << ip_;
  if (server_->NumConnections() > server_->live_options().max_connections()) {
    SendErrAndClose("maximum connections exceeded", "max connections");
  }
}

ssize_t Client::ReadInput(char* buf, size_t len) {
  if (!tls_) return ::read(fd_, buf, len);
  common::MutexLock lock(&write_mu_);
  if (tls_session_ == nullptr) {
    errno = EBADF;
    return -1;
  }
  const ssize_t n = tls_session_->Read(buf, len);
  if (n < 0 && errno == EIO) {
    LOG(INFO) << "client " << id_ << " (" << ip_ << "): TLS read error: " << tls_session_->error();
    errno = EIO;
  }
  return n;
}

bool Client::ContinueHandshake() {
  TlsSession::HandshakeResult r = TlsSession::kFailed;
  std::string error;
  {
    common::MutexLock lock(&write_mu_);
    if (tls_session_ != nullptr) {
      r = tls_session_->Handshake();
      if (r == TlsSession::kFailed) error = tls_session_->error();
      if (r == TlsSession::kDone) {
        common::MutexLock info_lock(&info_mu_);
        tls_version_ = tls_session_->version();
        tls_cipher_suite_ = tls_session_->cipher_suite();
        tls_peer_certs_ = tls_session_->PeerCerts();
        if (server_->options().tls.verify_and_map) cert_identity_ = tls_session_->PeerIdentity();
      }
    }
  }
  if (r == TlsSession::kWouldBlock) return false;
  if (r == TlsSession::kFailed) {
    LOG(INFO) << "client " << id_ << " (" << ip_ << "): TLS handshake error: " << error;
    Close("TLS handshake error");
    return false;
  }
  tls_handshaking_ = false;
  auth_clock_start_ = absl::Now();
  VLOG(1) << "client " << id_ << " TLS handshake complete";
  if (server_->options().tls.handshake_first)
    Send("INFO " + server_->InfoJson(id_, ip_, nonce_, MaxPayload()) + " \r\n");
  Flush();
  return !closed_;
}

bool Client::DecideTls() {
  char first;
  const ssize_t n = ::recv(fd_, &first, 1, MSG_PEEK);
  if (n == 0) {
    Close("client closed connection");
    return false;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) Close("read error");
    return false;
  }
  tls_undecided_ = false;
  if (first == kTlsHandshakeRecord) {
    common::MutexLock lock(&write_mu_);
    tls_session_ = server_->tls_context()->NewSession(fd_);
    tls_ = tls_handshaking_ = true;
  }
  return true;
}

bool Client::OnReadable() {
  if (throttled_) return false;
  // Input sent after a reload completed is handled under its settings.
  if (reload_generation_ != server_->reload_generation()) {
    ApplyReload();
    if (closed_) return false;
  }
  if (tls_undecided_ && !DecideTls()) return false;
  if (tls_handshaking_ && !ContinueHandshake()) return false;
  bool more = false;
  for (int reads = 0; !closed_; ++reads) {
    if (reads == kMaxReadsPerTurn) {
      more = true;
      break;
    }
    if (in_len_ == in_.size()) in_.resize(in_.size() * 2);
    const size_t space = in_.size() - in_len_;
    ssize_t n = ReadInput(in_.data() + in_len_, space);
    if (n == 0) {
      Close("client closed connection");
      return false;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) Close("read error");
      break;
    }
    in_len_ += n;
    ParseResult r = Parse(std::string_view(in_.data(), in_len_), limits_, this);
    if (closed_) return false;
    if (r.error != ParseError::kNone) {
      std::string_view text = ParseErrorText(r.error);
      if (text.empty()) {
        Close("protocol violation");
      } else {
        SendErrAndClose(text,
                        r.error == ParseError::kMaxPayload ? "max payload" : "protocol violation");
      }
      return false;
    }
    if (r.consumed > 0) {
      std::memmove(in_.data(), in_.data() + r.consumed, in_len_ - r.consumed);
      in_len_ -= r.consumed;
    }
    // A short read drains a plain socket, but TLS returns one record at a
    // time: only EAGAIN says the socket is empty (epoll is edge-triggered).
    if (throttled_ || (static_cast<size_t>(n) < space && !tls_)) break;
    // More input is waiting: hand out what this chunk produced first, so a
    // fast publisher cannot starve its subscribers' writes.
    EventLoop::FlushTouched();
  }
  last_read_ = absl::Now();
  last_read_ns_.store(absl::ToUnixNanos(last_read_), std::memory_order_relaxed);
  if (in_len_ == 0 && in_.size() > kKeepBufferCapacity) {
    in_.resize(kInitialReadBuffer);
    in_.shrink_to_fit();
  }
  return more;
}

void Client::Flush() {
  if (closed_) return;
  if (tls_handshaking_ && close_reason_.load() == nullptr) {
    // EPOLLOUT: a handshake that could not write resumes. Input that arrived
    // meanwhile raised no new edge: read it now.
    if (ContinueHandshake()) OnReadable();
    return;
  }
  if (close_reason_.load() == nullptr) {
    common::MutexLock lock(&write_mu_);
    WriteOut();
  }
  if (const char* reason = close_reason_.load()) Close(reason);
}

void Client::FlushFromAnyThread() {
  if (close_reason_.load() == nullptr) {
    common::MutexLock lock(&write_mu_);
    if (fd_ < 0) return;
    WriteOut();
    if (close_reason_.load() == nullptr) return;
  }
  loop_->RequestFlush(shared_from_this());
}

void Client::WriteOut() {
  if (tls_session_ != nullptr && !tls_session_->established()) return;
  for (int round = 0; round < 8; ++round) {
    if (woff_ == wbuf_.size()) {
      wbuf_.clear();
      if (wbuf_.capacity() > kKeepBufferCapacity) wbuf_.shrink_to_fit();
      woff_ = 0;
      common::MutexLock lock(&out_mu_);
      flush_scheduled_.store(false, std::memory_order_release);
      if (out_.empty()) {
        inflight_.store(0, std::memory_order_relaxed);
        return;
      }
      wbuf_.swap(out_);
      inflight_.store(wbuf_.size(), std::memory_order_relaxed);
    }
    ssize_t n = tls_session_ != nullptr
                    ? tls_session_->Write(wbuf_.data() + woff_, wbuf_.size() - woff_)
                    : ::send(fd_, wbuf_.data() + woff_, wbuf_.size() - woff_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        const char* expected = nullptr;
        close_reason_.compare_exchange_strong(expected, "write error");
      }
      return;  // EPOLLOUT resumes the write
    }
    woff_ += n;
    inflight_.store(wbuf_.size() - woff_, std::memory_order_relaxed);
    if (stalled_.load(std::memory_order_relaxed)) {
      stall_written_ += n;
      MaybeEndStall(false);
    }
    if (woff_ < wbuf_.size()) return;
  }
}

void Client::Tick(absl::Time now) {
  const ServerOptions& o = server_->options();
  const LiveOptions& live = server_->live_options();
  if (reload_generation_ != server_->reload_generation()) {
    ApplyReload();
    if (closed_) return;
  }
  if (tls_undecided_) {
    // Silent for the handshake timeout: a plaintext client, as nats-server
    // decides.
    if (now - accepted_at_ <= o.tls.timeout) return;
    tls_undecided_ = false;
  }
  if (tls_handshaking_) {
    if (now - accepted_at_ > o.tls.timeout) {
      LOG(INFO) << "client " << id_ << " (" << ip_ << "): TLS handshake timeout";
      Close("TLS handshake timeout");
    }
    return;
  }
  if (!connected_ && server_->authenticator().required() &&
      now - auth_clock_start_ > live.auth_timeout()) {
    SendErrAndClose("Authentication Timeout", "auth timeout");
    return;
  }
  if (connected_ && now >= session_.expires) {
    SendErrAndClose("User Authentication Expired", "authentication expired");
    return;
  }
  const absl::Duration ping_interval = live.ping_interval();
  if (now - last_read_ >= ping_interval && now - last_ping_sent_ >= ping_interval) {
    if (pings_out_ + 1 > live.ping_max()) {
      SendErrAndClose("Stale Connection", "stale connection");
      return;
    }
    ++pings_out_;
    last_ping_sent_ = now;
    Send("PING\r\n");
  }
}

void Client::Close(const char* reason) {
  if (closed_) return;
  closed_ = true;
  {
    common::MutexLock lock(&out_mu_);
    out_closed_ = true;
    out_.clear();
  }
  {
    // Closing the socket also drops it from the epoll set.
    common::MutexLock lock(&write_mu_);
    MaybeEndStall(true);
    tls_session_.reset();
    ::close(fd_);
    fd_ = -1;
  }
  ConnectionInfo info = Info(/*with_subscriptions=*/true);
  if (counted_) account()->AddConnection(-1);
  absl::flat_hash_map<std::string, SubscriptionPtr> subs;
  {
    common::MutexLock lock(&subs_mu_);
    subs.swap(subs_);
  }
  for (auto& [sid, sub] : subs) {
    sub->closed.store(true);
    account()->sublist().Remove(sub);
  }
  VLOG(1) << "client " << id_ << " closed: " << reason;
  server_->OnClientClosed(std::move(info), reason);
  loop_->RemoveClient(this);
}

void Client::RequestClose(const char* reason) {
  const char* expected = nullptr;
  close_reason_.compare_exchange_strong(expected, reason);
  loop_->RequestFlush(shared_from_this());
}

void Client::ResendInfo() {
  Send("INFO " + server_->InfoJson(id_, ip_, nonce_, MaxPayload()) + " \r\n");
  EventLoop::FlushTouched();
}

void Client::ForgetSubscription(const SubscriptionPtr& sub) {
  common::MutexLock lock(&subs_mu_);
  auto it = subs_.find(Key(sub->sid));
  if (it != subs_.end() && it->second == sub) subs_.erase(it);
}

void Client::StallOn(Client* consumer) {
  absl::Duration wait;
  if (!consumer->AddStallWaiter(shared_from_this(), &wait)) return;
  throttled_ = true;
  loop_->Throttle(shared_from_this(), absl::Now() + wait);
}

bool Client::AddStallWaiter(const std::shared_ptr<Client>& producer, absl::Duration* wait) {
  common::MutexLock lock(&out_mu_);
  if (out_closed_ || !stalled_.load(std::memory_order_relaxed)) return false;
  const int64_t idle = absl::GetCurrentTimeNanos() - last_progress_ns_.load();
  if (idle > absl::ToInt64Nanoseconds(kMaxStall)) return false;
  *wait = StallDuration(out_.size() + inflight_.load(std::memory_order_relaxed),
                        server_->live_options().max_pending());
  for (const std::weak_ptr<Client>& w : stall_waiters_) {
    if (!w.owner_before(producer) && !producer.owner_before(w)) return true;
  }
  stall_waiters_.push_back(producer);
  return true;
}

void Client::MaybeEndStall(bool force) {
  std::vector<std::weak_ptr<Client>> waiters;
  {
    common::MutexLock lock(&out_mu_);
    if (!force) {
      const size_t mark = StallMark(server_->live_options().max_pending());
      if (stall_written_ >= mark / 8) {
        last_progress_ns_.store(absl::GetCurrentTimeNanos());
        stall_written_ = 0;
      }
      if (out_.size() + (wbuf_.size() - woff_) >= mark / 2) return;
    }
    stall_written_ = 0;
    stalled_.store(false, std::memory_order_relaxed);
    waiters.swap(stall_waiters_);
  }
  for (const std::weak_ptr<Client>& w : waiters) {
    if (std::shared_ptr<Client> producer = w.lock()) producer->loop()->RequestResume(producer);
  }
}

void Client::OnOutputAppended(size_t pending) {
  const size_t total = pending + inflight_.load(std::memory_order_relaxed);
  const size_t max_pending = static_cast<size_t>(server_->live_options().max_pending());
  if (total > StallMark(server_->live_options().max_pending()) &&
      !stalled_.load(std::memory_order_relaxed)) {
    last_progress_ns_.store(absl::GetCurrentTimeNanos());
    stalled_.store(true, std::memory_order_relaxed);
  }
  if (total > max_pending) {
    out_closed_ = true;
    out_.clear();
    LOG(WARNING) << "client " << id_ << ": Slow Consumer Detected: MaxPending of "
                 << server_->live_options().max_pending() << " Exceeded";
    const char* expected = nullptr;
    if (close_reason_.compare_exchange_strong(expected, "slow consumer")) {
      server_->CountSlowConsumer();
    }
    // A write may be stuck waiting for EPOLLOUT that never comes: always ask.
    loop_->RequestFlush(shared_from_this());
    return;
  }
  if (!flush_scheduled_.load(std::memory_order_acquire) && !flush_scheduled_.exchange(true)) {
    EventLoop::Touch(shared_from_this());
  }
}

bool Client::AcceptsDelivery(std::string_view subject) const {
  return !filter_deliveries_.load(std::memory_order_acquire) ||
         !PermissionChecker(delivery_permissions_.load(std::memory_order_acquire))
              .DeliveryDenied(subject);
}

namespace {

// Reply subjects a client may hold before the used and expired ones are
// dropped (nats-server's replyPermLimit).
constexpr size_t kMaxReplies = 4096;

}  // namespace

void Client::RecordReply(std::string_view reply) {
  const UserPermissions* permissions = delivery_permissions_.load(std::memory_order_acquire);
  if (permissions == nullptr) return;
  const ResponsePermission& r = permissions->responses;
  const absl::Time now = absl::Now();
  common::MutexLock lock(&replies_mu_);
  if (replies_.size() >= kMaxReplies) {
    absl::erase_if(replies_, [&r, now](const auto& entry) {
      return (r.max_msgs > 0 && entry.second.sent >= r.max_msgs) ||
             (r.expires > absl::ZeroDuration() && now - entry.second.received > r.expires);
    });
  }
  replies_[std::string(reply)] = Reply{now, 0};
}

bool Client::TakeResponsePermission(std::string_view subject) {
  const UserPermissions* permissions = delivery_permissions_.load(std::memory_order_acquire);
  if (permissions == nullptr || !permissions->responses.enabled) return false;
  const ResponsePermission& r = permissions->responses;
  common::MutexLock lock(&replies_mu_);
  auto it = replies_.find(absl::string_view(subject.data(), subject.size()));
  if (it == replies_.end()) return false;
  ++it->second.sent;
  if ((r.max_msgs > 0 && it->second.sent > r.max_msgs) ||
      (r.expires > absl::ZeroDuration() && absl::Now() - it->second.received > r.expires)) {
    replies_.erase(it);
    return false;
  }
  return true;
}

void Client::DeliverMessage(std::string_view subject, std::string_view sid,
                            std::string_view reply, std::string_view headers, bool has_headers,
                            std::string_view payload) {
  const bool with_headers = has_headers && headers_.load(std::memory_order_relaxed);
  if (!reply.empty() && track_replies_.load(std::memory_order_acquire)) RecordReply(reply);
  // The sizes, as text, before the lock; the frame is then sized once and
  // copied in piece by piece.
  char sizes[48];
  char* sizes_end = sizes;
  if (with_headers) {
    sizes_end = std::to_chars(sizes_end, sizes + sizeof(sizes), headers.size()).ptr;
    *sizes_end++ = ' ';
    sizes_end =
        std::to_chars(sizes_end, sizes + sizeof(sizes), headers.size() + payload.size()).ptr;
  } else {
    sizes_end = std::to_chars(sizes_end, sizes + sizeof(sizes), payload.size()).ptr;
  }
  const std::string_view verb = with_headers ? "HMSG " : "MSG ";
  const std::string_view body_headers = with_headers ? headers : std::string_view();
  const std::string_view parts[] = {verb,
                                    subject,
                                    " ",
                                    sid,
                                    " ",
                                    reply,
                                    reply.empty() ? "" : " ",
                                    std::string_view(sizes, sizes_end - sizes),
                                    "\r\n",
                                    body_headers,
                                    payload,
                                    "\r\n"};
  size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  common::MutexLock lock(&out_mu_);
  if (out_closed_) return;
  std::string& o = out_;
  const size_t start = o.size();
  o.resize(start + size);
  char* p = o.data() + start;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    std::memcpy(p, part.data(), part.size());
    p += part.size();
  }
  ++out_msgs_;
  out_bytes_ += (with_headers ? headers.size() : 0) + payload.size();
  OnOutputAppended(o.size());
}

MessageCounts Client::Counts() const {
  MessageCounts counts;
  counts.in_msgs = in_msgs_.load(std::memory_order_relaxed);
  counts.in_bytes = in_bytes_.load(std::memory_order_relaxed);
  common::MutexLock lock(&out_mu_);
  counts.out_msgs = out_msgs_;
  counts.out_bytes = out_bytes_;
  return counts;
}

ConnectionInfo Client::Info(bool with_subscriptions) const {
  ConnectionInfo info;
  info.cid = id_;
  info.account = account()->name();
  info.ip = ip_;
  info.port = port_;
  info.start = accepted_at_;
  info.last_activity = absl::FromUnixNanos(last_read_ns_.load(std::memory_order_relaxed));
  {
    common::MutexLock lock(&info_mu_);
    info.user = user_;
    info.name = name_;
    info.lang = lang_;
    info.version = version_;
    info.tls_version = tls_version_;
    info.tls_cipher_suite = tls_cipher_suite_;
    info.tls_peer_certs = tls_peer_certs_;
  }
  info.counts = Counts();
  {
    common::MutexLock lock(&out_mu_);
    info.pending_bytes = out_.size();
  }
  common::MutexLock lock(&subs_mu_);
  info.subscriptions = subs_.size();
  if (with_subscriptions) {
    for (const auto& [sid, sub] : subs_) {
      info.subscription_list.push_back({sub->subject, sub->queue, sub->sid,
                                        sub->delivered.load(std::memory_order_relaxed),
                                        sub->max_msgs.load(std::memory_order_relaxed)});
    }
  }
  return info;
}

void Client::Send(std::string_view proto) {
  common::MutexLock lock(&out_mu_);
  if (out_closed_) return;
  out_.append(proto.data(), proto.size());
  OnOutputAppended(out_.size());
}

void Client::SendErr(std::string_view text) {
  std::string line = "-ERR '";
  line.append(text.data(), text.size());
  line.append("'\r\n");
  Send(line);
}

void Client::SendErrAndClose(std::string_view text, const char* reason) {
  LOG(INFO) << "client " << id_ << " (" << ip_ << "): " << text;
  SendErr(text);
  Flush();
  Close(reason);
}

bool Client::Authorized() {
  if (connected_ || !server_->authenticator().required()) return true;
  SendErrAndClose("Authorization Violation", "not authenticated");
  return false;
}

bool Client::OnConnect(std::string_view json) {
  VLOG(2) << "client " << id_ << " <<- [CONNECT " << json << "]";
  nlohmann::json j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    Close("malformed CONNECT");
    return false;
  }
  Credentials credentials;
  int protocol = 0;
  try {
    verbose_ = j.value("verbose", verbose_);
    pedantic_ = j.value("pedantic", pedantic_);
    echo_ = j.value("echo", echo_.load());
    headers_ = j.value("headers", headers_.load()) && !server_->options().no_header_support;
    no_responders_ = j.value("no_responders", no_responders_);
    protocol = j.value("protocol", 0);
    credentials.user = j.value("user", std::string());
    credentials.pass = j.value("pass", std::string());
    credentials.token = j.value("auth_token", std::string());
    credentials.nkey = j.value("nkey", std::string());
    credentials.sig = j.value("sig", std::string());
    credentials.jwt = j.value("jwt", std::string());
    credentials.nonce = nonce_;
    credentials.ip = ip_;
    common::MutexLock lock(&info_mu_);
    name_ = j.value("name", std::string());
    lang_ = j.value("lang", std::string());
    version_ = j.value("version", std::string());
  } catch (const nlohmann::json::exception&) {
    Close("malformed CONNECT");
    return false;
  }
  if (protocol < 0 || protocol > 1) {
    SendErrAndClose("invalid client protocol", "bad protocol");
    return false;
  }
  if (no_responders_ && !headers_) {
    SendErrAndClose("no responders requires headers support", "no responders without headers");
    return false;
  }
  if (!connected_) {
    const UserPermissions* permissions = nullptr;
    const std::string* account_name = nullptr;
    const bool authenticated = Authenticate(&credentials, &permissions, &account_name, &session_);
    {
      common::MutexLock lock(&info_mu_);
      user_ = !credentials.nkey.empty()      ? credentials.nkey
              : !session_.public_key.empty() ? session_.public_key
                                             : credentials.user;
    }
    if (!authenticated) {
      server_->OnAuthenticationError(*this);
      SendErrAndClose("Authorization Violation", "authentication failed");
      return false;
    }
    Account* account = server_->FindAccount(*account_name);
    if (account == nullptr) {
      server_->OnAuthenticationError(*this);
      SendErrAndClose("Authorization Violation", "account not found");
      return false;
    }
    // Bound to the account before the limit is checked: a refused client
    // is listed closed in it, as in nats-server.
    account_.store(account, std::memory_order_release);
    if (!account->TryAddConnection()) {
      SendErrAndClose(kTooManyAccountConnections, "max account connections");
      return false;
    }
    counted_ = true;
    credentials_ = std::move(credentials);
    delivery_permissions_.store(permissions, std::memory_order_release);
    permissions_ = PermissionChecker(permissions);
    filter_deliveries_.store(permissions_.filters_deliveries(), std::memory_order_release);
    track_replies_.store(permissions != nullptr && permissions->responses.enabled,
                         std::memory_order_release);
    connected_ = true;
    ApplyAccountLimits();
    server_->OnClientConnected(*this);
    // No subscription allowed at all: nats-server closes such a client
    // once it is registered.
    if (max_subscriptions_ == 0) {
      SendErrAndClose(kTooManySubscriptions, "max subscriptions");
      return false;
    }
  }
  protocol_.store(protocol, std::memory_order_release);
  if (verbose_) Send("+OK\r\n");
  return true;
}

bool Client::OnPub(const PubArgs& pub) {
  VLOG(2) << "client " << id_ << " <<- [" << (pub.has_headers ? "HPUB " : "PUB ") << pub.subject
          << " " << pub.reply << " " << pub.headers.size() + pub.payload.size() << "]";
  if (!Authorized()) return false;
  if (pub.has_headers && !headers_) {
    Close("HPUB without headers support");
    return false;
  }
  if (pedantic_ && !common::IsValidLiteralSubject(pub.subject)) SendErr("Invalid Publish Subject");
  if (verbose_) Send("+OK\r\n");
  if (!permissions_.CanPublish(pub.subject) && !TakeResponsePermission(pub.subject)) {
    SendErr("Permissions Violation for Publish to " + Quoted(pub.subject));
    return true;
  }
  in_msgs_.store(in_msgs_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  in_bytes_.store(
      in_bytes_.load(std::memory_order_relaxed) + pub.headers.size() + pub.payload.size(),
      std::memory_order_relaxed);
  const bool delivered = server_->Route(this, pub.subject, pub.reply, pub.headers,
                                        pub.has_headers, pub.payload);
  if (!delivered && !pub.reply.empty() && no_responders_) SendNoResponders(pub.reply);
  return true;
}

bool Client::Authenticate(Credentials* credentials, const UserPermissions** permissions,
                          const std::string** account_name, UserSession* session) {
  const Authenticator& auth = server_->authenticator();
  // As nats-server: with verify_and_map the certificate names the user
  // (nkey users still sign), whatever CONNECT says.
  if (server_->options().tls.verify_and_map && credentials->nkey.empty()) {
    std::string user;
    if (!auth.CheckCertificate(cert_identity_, permissions, account_name, &user)) return false;
    credentials->user = std::move(user);
    credentials->pass.clear();
    cert_mapped_ = true;
    return true;
  }
  return auth.Check(*credentials, permissions, account_name, session);
}

void Client::ApplyAccountLimits() {
  limits_.max_payload = MaxPayload();
  const int64_t server_max_subs = server_->options().max_subscriptions;
  max_subscriptions_ = LowerLimit(
      LowerLimit(server_max_subs > 0 ? server_max_subs : -1, account()->max_subscriptions()),
      session_.max_subscriptions);
}

int64_t Client::MaxPayload() const {
  return LowerLimit(LowerLimit(server_->live_options().max_payload(), account()->max_payload()),
                    session_.max_payload);
}

void Client::ApplyReload() {
  reload_generation_ = server_->reload_generation();
  limits_.max_payload = server_->live_options().max_payload();
  if (!connected_) return;
  const Authenticator& auth = server_->authenticator();
  // As nats-server: a user removed or now in another account counts as
  // moved and is closed without an error; a failing password is an
  // authorization violation.
  bool moved = false;
  if (!credentials_.user.empty()) {
    const std::string* now_in = auth.AccountOfUser(credentials_.user);
    moved = now_in == nullptr || server_->FindAccount(*now_in) != account();
  }
  if (moved) {
    Flush();
    Close("account changed by reload");
    return;
  }
  const UserPermissions* permissions = nullptr;
  const std::string* account_name = nullptr;
  Credentials credentials = credentials_;
  if (!(cert_mapped_ ? Authenticate(&credentials, &permissions, &account_name)
                     : auth.Check(credentials_, &permissions, &account_name, &session_)) ||
      server_->FindAccount(*account_name) != account()) {
    if (auth.JwtRevoked(credentials_)) {
      SendErrAndClose("User Authentication Revoked", "revocation");
      return;
    }
    SendErrAndClose("Authorization Violation", "authorization revoked by reload");
    return;
  }
  // Clients are closed only while their account is over its new connection
  // limit, or they hold more subscriptions than their new limit allows
  // (checked, as nats-server, for clients with a user or in a configured
  // account). nats-server also closes clients of an account at its limit
  // on every reload; a reload here drops nobody who fits.
  if (account()->TryDropConnectionOverLimit()) {
    counted_ = false;
    SendErrAndClose(kTooManyAccountConnections, "max account connections");
    return;
  }
  ApplyAccountLimits();
  const bool has_user = !credentials_.user.empty() || !credentials_.nkey.empty();
  if (max_subscriptions_ != -1 && (has_user || account() != server_->global_account())) {
    size_t subs = 0;
    {
      common::MutexLock lock(&subs_mu_);
      subs = subs_.size();
    }
    if (static_cast<int64_t>(subs) > max_subscriptions_) {
      SendErrAndClose(kTooManySubscriptions, "max subscriptions");
      return;
    }
  }
  permissions_ = PermissionChecker(permissions);
  delivery_permissions_.store(permissions, std::memory_order_release);
  filter_deliveries_.store(permissions_.filters_deliveries(), std::memory_order_release);
  track_replies_.store(permissions != nullptr && permissions->responses.enabled,
                       std::memory_order_release);
  std::vector<SubscriptionPtr> refused;
  {
    common::MutexLock lock(&subs_mu_);
    for (const auto& [sid, sub] : subs_) {
      if (!permissions_.CanSubscribe(sub->subject)) refused.push_back(sub);
    }
  }
  for (const SubscriptionPtr& sub : refused) {
    server_->RemoveSubscription(sub);
    std::string text = "Permissions Violation for Subscription to " + Quoted(sub->subject);
    if (!sub->queue.empty()) text += " using queue " + Quoted(sub->queue);
    SendErr(text + " (sid " + Quoted(sub->sid) + ")");
  }
}

void Client::SendNoResponders(std::string_view reply) {
  std::shared_ptr<const MatchResult> r = account()->sublist().Match(reply);
  for (const SubscriptionPtr& sub : r->psubs) {
    if (sub->client.get() != this) continue;
    std::string proto = "HMSG ";
    proto.append(reply.data(), reply.size());
    proto.push_back(' ');
    proto.append(sub->sid);
    proto.append(" 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
    Send(proto);
    return;
  }
}

bool Client::OnSub(std::string_view subject, std::string_view queue, std::string_view sid) {
  VLOG(2) << "client " << id_ << " <<- [SUB " << subject << " " << queue << " " << sid << "]";
  if (!Authorized()) return false;
  if (!common::IsValidSubject(subject) ||
      (!queue.empty() && !common::IsValidLiteralSubject(queue))) {
    SendErr("Invalid Subject");
    return true;
  }
  if (!permissions_.CanSubscribe(subject)) {
    std::string text = "Permissions Violation for Subscription to " + Quoted(subject);
    if (!queue.empty()) text += " using queue " + Quoted(queue);
    SendErr(text);
    return true;
  }
  SubscriptionPtr sub;
  bool too_many = false;
  {
    common::MutexLock lock(&subs_mu_);
    // As nats-server: at the limit even a SUB repeating a sid is refused.
    too_many = max_subscriptions_ != -1 && static_cast<int64_t>(subs_.size()) >= max_subscriptions_;
    if (!too_many && subs_.find(Key(sid)) == subs_.end()) {
      sub = std::make_shared<Subscription>();
      sub->subject.assign(subject.data(), subject.size());
      sub->queue.assign(queue.data(), queue.size());
      sub->sid.assign(sid.data(), sid.size());
      sub->client = shared_from_this();
      subs_.emplace(sub->sid, sub);
    }
  }
  if (too_many) {
    SendErr(kTooManySubscriptions);
    return true;
  }
  // Outside subs_mu_: Insert runs interest watch callbacks. Only this loop
  // thread inserts, and nothing removes a subscription the sublist has not
  // seen, so subs_ may hold it first.
  if (sub != nullptr && !account()->sublist().Insert(sub).ok()) {
    ForgetSubscription(sub);
    sub->client.reset();
    SendErr("Invalid Subject");
    return true;
  }
  if (verbose_) Send("+OK\r\n");
  return true;
}

bool Client::OnUnsub(std::string_view sid, uint64_t max_msgs) {
  VLOG(2) << "client " << id_ << " <<- [UNSUB " << sid << " " << max_msgs << "]";
  if (!Authorized()) return false;
  SubscriptionPtr sub;
  {
    common::MutexLock lock(&subs_mu_);
    auto it = subs_.find(Key(sid));
    if (it != subs_.end()) sub = it->second;
  }
  if (sub != nullptr) {
    if (max_msgs > 0) sub->max_msgs.store(max_msgs);
    if (max_msgs == 0 || sub->delivered.load() >= max_msgs) server_->RemoveSubscription(sub);
  }
  if (verbose_) Send("+OK\r\n");
  return true;
}

bool Client::OnPing() {
  if (!Authorized()) return false;
  Send("PONG\r\n");
  // As nats-server: after the first PONG to a client that takes async INFO,
  // an INFO with its own max_payload when the account lowered it.
  if (connected_ && !first_pong_sent_) {
    first_pong_sent_ = true;
    if (protocol() >= 1 && limits_.max_payload != server_->live_options().max_payload()) {
      Send("INFO " + server_->InfoJson(id_, ip_, "", limits_.max_payload) + " \r\n");
    }
  }
  return true;
}

bool Client::OnPong() {
  if (!Authorized()) return false;
  pings_out_ = 0;
  return true;
}

}  // namespace jsengine::gateway::core
