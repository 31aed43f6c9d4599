#include "gateway/core/event_loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "common/callback_burst.h"
#include "gateway/core/client.h"
#include "gateway/core/server.h"
#include "glog/logging.h"

namespace jsengine::gateway::core {
namespace {

constexpr uint64_t kEventFdTag = 0;
constexpr uint64_t kListenTag = 1;
constexpr int kMaxEvents = 256;
constexpr absl::Duration kTick = absl::Milliseconds(50);

thread_local EventLoop* current_loop = nullptr;
thread_local std::vector<std::shared_ptr<Client>> touched;

}  // namespace

EventLoop::EventLoop(Server* server, int listen_fd) : server_(server), listen_fd_(listen_fd) {}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (event_fd_ >= 0) ::close(event_fd_);
}

absl::Status EventLoop::Init() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || event_fd_ < 0) return absl::InternalError("epoll/eventfd failed");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kEventFdTag;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev) != 0) {
    return absl::InternalError("epoll_ctl(eventfd) failed");
  }
  if (listen_fd_ >= 0) {
    ev.events = EPOLLIN;
    ev.data.u64 = kListenTag;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
      return absl::InternalError("epoll_ctl(listener) failed");
    }
  }
  return absl::OkStatus();
}

EventLoop* EventLoop::Current() { return current_loop; }

void EventLoop::Touch(std::shared_ptr<Client> client) { touched.push_back(std::move(client)); }

void EventLoop::FlushTouched() {
  while (!touched.empty()) {
    std::vector<std::shared_ptr<Client>> batch;
    batch.swap(touched);
    for (auto& c : batch) {
      if (c->loop() == current_loop) {
        c->Flush();
      } else if (current_loop == nullptr && !common::CallbackBurst::more_expected() &&
                 c->loop()->sleeping_.load(std::memory_order_relaxed)) {
        c->FlushFromAnyThread();
      } else {
        c->loop()->RequestFlush(std::move(c));
      }
    }
    batch.clear();
    if (touched.empty()) touched.swap(batch);
  }
}

void EventLoop::Watch(Client* client, int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = client;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    PLOG(ERROR) << "epoll_ctl(client)";
  }
}

void EventLoop::Throttle(std::shared_ptr<Client> client, absl::Time until) {
  Client* raw = client.get();
  throttled_[raw] = {std::move(client), until};
}

void EventLoop::Resume(Client* client) {
  auto it = throttled_.find(client);
  if (it == throttled_.end()) return;
  std::shared_ptr<Client> c = std::move(it->second.first);
  throttled_.erase(it);
  c->EndThrottle();
  if (!c->closed()) ready_.push_back(std::move(c));
}

void EventLoop::ResumeExpired(absl::Time now) {
  std::vector<Client*> expired;
  for (const auto& [raw, entry] : throttled_) {
    if (entry.second <= now) expired.push_back(raw);
  }
  for (Client* c : expired) Resume(c);
}

int EventLoop::WaitTimeoutMs(absl::Time now) const {
  if (!ready_.empty()) return 0;
  absl::Time wake = next_tick_;
  for (const auto& [raw, entry] : throttled_) wake = std::min(wake, entry.second);
  if (wake <= now) return 0;
  return static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(wake - now, absl::Milliseconds(1))));
}

void EventLoop::RequestResume(std::shared_ptr<Client> client) {
  Enqueue(&resume_requests_, std::move(client));
}

void EventLoop::RemoveClient(Client* client) {
  throttled_.erase(client);
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  dead_.push_back(std::move(it->second));
  clients_.erase(it);
}

void EventLoop::Wake() {
  uint64_t one = 1;
  ssize_t n = ::write(event_fd_, &one, sizeof(one));
  (void)n;
}

void EventLoop::Stop() {
  {
    common::MutexLock lock(&mu_);
    stop_ = true;
  }
  Wake();
}

void EventLoop::AddConnection(int fd, uint64_t client_id) {
  bool wake;
  {
    common::MutexLock lock(&mu_);
    new_fds_.emplace_back(fd, client_id);
    wake = !woken_;
    woken_ = true;
  }
  if (wake) Wake();
}

void EventLoop::Enqueue(std::vector<std::shared_ptr<Client>>* queue,
                        std::shared_ptr<Client> client) {
  bool wake;
  {
    common::MutexLock lock(&mu_);
    queue->push_back(std::move(client));
    wake = !woken_;
    woken_ = true;
  }
  if (wake) Wake();
}

void EventLoop::RequestFlush(std::shared_ptr<Client> client) {
  Enqueue(&flush_requests_, std::move(client));
}

bool EventLoop::DrainInbox() {
  uint64_t value;
  ssize_t n = ::read(event_fd_, &value, sizeof(value));
  (void)n;
  std::vector<std::pair<int, uint64_t>> fds;
  std::vector<std::shared_ptr<Client>> flushes;
  std::vector<std::shared_ptr<Client>> resumes;
  bool stop;
  {
    common::MutexLock lock(&mu_);
    fds.swap(new_fds_);
    flushes.swap(flush_requests_);
    resumes.swap(resume_requests_);
    woken_ = false;
    stop = stop_;
  }
  for (auto [fd, id] : fds) {
    auto client = std::make_shared<Client>(server_, this, fd, id);
    Client* raw = client.get();
    clients_.emplace(raw, std::move(client));
    raw->Start();
  }
  for (auto& c : flushes) c->Flush();
  for (auto& c : resumes) Resume(c.get());
  return stop;
}

void EventLoop::AcceptAll() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK && !server_->lame_duck()) {
        PLOG(WARNING) << "accept";
      }
      return;
    }
    server_->OnAccepted(fd);
  }
}

void EventLoop::Tick(absl::Time now) {
  std::vector<Client*> all;
  all.reserve(clients_.size());
  for (auto& [raw, c] : clients_) all.push_back(raw);
  for (Client* c : all) {
    if (!c->closed()) c->Tick(now);
  }
}

bool EventLoop::Serve(const epoll_event* events, int n,
                      std::vector<std::shared_ptr<Client>> ready) {
  common::CallbackBurst burst;
  bool stop = false;
  for (int i = 0; i < n; ++i) {
    const uint64_t tag = events[i].data.u64;
    if (tag == kEventFdTag) {
      stop = DrainInbox() || stop;
    } else if (tag == kListenTag) {
      AcceptAll();
    } else {
      Client* c = static_cast<Client*>(events[i].data.ptr);
      const uint32_t e = events[i].events;
      if (!c->closed() && (e & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) && c->OnReadable()) {
        ready_.push_back(c->shared_from_this());
      }
      if (!c->closed() && (e & EPOLLOUT)) c->Flush();
    }
  }
  if (!throttled_.empty()) ResumeExpired(absl::Now());
  for (auto& c : ready) {
    if (!c->closed() && c->OnReadable()) ready_.push_back(std::move(c));
  }
  return stop;
}

void EventLoop::Run() {
  current_loop = this;
  epoll_event events[kMaxEvents];
  next_tick_ = absl::Now() + kTick;
  bool stop = false;
  while (!stop) {
    sleeping_.store(true, std::memory_order_relaxed);
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, WaitTimeoutMs(absl::Now()));
    sleeping_.store(false, std::memory_order_relaxed);
    std::vector<std::shared_ptr<Client>> ready;
    ready.swap(ready_);
    if (n < 0 && errno != EINTR) {
      PLOG(ERROR) << "epoll_wait";
      break;
    }
    stop = Serve(events, n, std::move(ready)) || stop;
    FlushTouched();
    const absl::Time now = absl::Now();
    if (now >= next_tick_) {
      Tick(now);
      FlushTouched();
      next_tick_ = now + kTick;
    }
    dead_.clear();
  }
  std::vector<Client*> all;
  for (auto& [raw, c] : clients_) all.push_back(raw);
  // What is queued (the system account's SHUTDOWN event among it) goes out
  // first, as far as the sockets take it.
  for (Client* c : all) {
    c->Flush();
    c->Close("server shutdown");
  }
  FlushTouched();
  touched.clear();
  ready_.clear();
  throttled_.clear();
  dead_.clear();
  current_loop = nullptr;
}

}  // namespace jsengine::gateway::core
