#include "consumersvc/consumer_engine.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/names.h"
#include "common/status.h"
#include "consumersvc/ack.h"
#include "consumersvc/client/delivery_frame.h"
#include "glog/logging.h"

namespace jsengine::consumersvc {
namespace {

constexpr std::string_view kFlowControlPrefix = "$JS.FC.";
// How long a consumer's delete waits for the removals it caused.
constexpr absl::Duration kRemovalWait = absl::Seconds(10);
// A tail that falls this far behind (a store out of reach) does not hold
// consumer info back longer.
constexpr absl::Duration kTailWait = absl::Seconds(2);

int64_t Now() { return absl::GetCurrentTimeNanos(); }

// The stream name of a flow-control reply subject
// $JS.FC.<stream>.<consumer>.<id>, or empty.
std::string FlowControlStream(std::string_view subject) {
  if (subject.substr(0, kFlowControlPrefix.size()) != kFlowControlPrefix) return "";
  subject.remove_prefix(kFlowControlPrefix.size());
  const size_t dot = subject.find('.');
  return dot == std::string_view::npos ? "" : std::string(subject.substr(0, dot));
}

template <typename Response>
void Page(int32_t offset, int32_t limit, int32_t page_limit, int32_t total, Response* response) {
  response->set_total(total);
  response->set_offset(std::max(offset, 0));
  response->set_limit(limit > 0 ? std::min(limit, page_limit) : page_limit);
}

}  // namespace

// A gateway's session: events are posted to the strands of their streams.
class ConsumerEngine::Session final : public client::ConsumerSession {
 public:
  Session(ConsumerEngine* engine, uint64_t id) : engine_(engine), id_(id) {}
  ~Session() override {
    absl::MutexLock lock(&engine_->sessions_mu_);
    engine_->sessions_.erase(id_);
  }
  void Send(v1::GatewayBatch batch) override { engine_->OnEvents(std::move(batch)); }

 private:
  ConsumerEngine* const engine_;
  const uint64_t id_;
};

template <typename Fn>
auto ConsumerEngine::RunOn(const std::shared_ptr<StreamConsumers>& stream, Fn fn) {
  using Result = decltype(fn(*stream, int64_t{0}));
  std::optional<Result> result;
  absl::Notification done;
  stream->strand()->Post([&] {
    const int64_t now = Now();
    result.emplace(fn(*stream, now));
    stream->Finish(now);
    done.Notify();
  });
  done.WaitForNotification();
  return *std::move(result);
}

namespace {

// `fn` on the stream's strand, then Finish.
template <typename Fn>
std::function<void()> StreamTask(std::shared_ptr<StreamConsumers> stream, Fn fn) {
  return [stream = std::move(stream), fn = std::move(fn)] {
    const int64_t now = Now();
    fn(*stream, now);
    stream->Finish(now);
  };
}

}  // namespace

template <typename Fn>
void ConsumerEngine::Post(const std::shared_ptr<StreamConsumers>& stream, Fn fn) {
  stream->strand()->Post(StreamTask(stream, std::move(fn)));
}

template <typename Fn>
void ConsumerEngine::PostEvent(const std::shared_ptr<StreamConsumers>& stream, Fn fn) {
  if (options_.run_events_on_sender) {
    stream->strand()->RunOrPost(StreamTask(stream, std::move(fn)));
  } else {
    Post(stream, std::move(fn));
  }
}

ConsumerEngine::ConsumerEngine(ConsumerEngineOptions options, storesvc::client::StoreClient* store)
    : options_(std::move(options)), store_(store), pool_(std::max(options_.threads, 1)) {}

absl::StatusOr<std::unique_ptr<ConsumerEngine>> ConsumerEngine::Start(
    ConsumerEngineOptions options, storesvc::client::StoreClient* store) {
  std::unique_ptr<ConsumerEngine> engine(new ConsumerEngine(std::move(options), store));
  if (!engine->options_.data_dir.empty()) {
    ConsumerStateStoreOptions state_options;
    state_options.data_dir = engine->options_.data_dir;
    state_options.sync = engine->options_.sync.policy;
    state_options.sync_interval = engine->options_.sync.interval;
    JSE_ASSIGN_OR_RETURN(engine->state_, ConsumerStateStore::Open(state_options));
  }
  engine->timer_ = std::thread([e = engine.get()] { e->TimerLoop(); });
  if (engine->state_ != nullptr) JSE_RETURN_IF_ERROR(engine->Recover());
  engine->ForgetLostInterest();
  return engine;
}

void ConsumerEngine::ForgetLostInterest() {
  v1::ListStreamsRequest request;
  for (;;) {
    absl::StatusOr<v1::ListStreamsResponse> page = store_->ListStreams(request);
    if (!page.ok()) {
      LOG(WARNING) << "consumer filters of interest streams not checked: " << page.status();
      return;
    }
    for (const v1::StreamInfo& info : page->streams()) {
      if (info.config().retention() != v1::RETENTION_INTEREST || info.consumer_filters().empty() ||
          Find(info.config().name()) != nullptr) {
        continue;
      }
      v1::SetConsumerFiltersRequest none;
      none.set_stream(info.config().name());
      if (absl::Status s = store_->SetConsumerFilters(none).status(); !s.ok()) {
        LOG(WARNING) << "stream " << info.config().name()
                     << ": consumer filters not cleared: " << s;
      }
    }
    request.set_offset(request.offset() + page->streams_size());
    if (page->streams_size() == 0 || request.offset() >= page->total()) return;
  }
}

absl::Status ConsumerEngine::Recover() {
  for (const std::string& name : state_->Streams()) {
    v1::StreamInfoRequest request;
    request.set_name(name);
    absl::StatusOr<v1::StreamInfo> info = store_->GetStreamInfo(request);
    if (!info.ok()) {
      if (!common::IsJsError(info.status(), common::JsErrorId::kStreamNotFound)) {
        return info.status();
      }
      LOG(WARNING) << "consumers of stream " << name << ": the stream is gone, dropping them";
      JSE_RETURN_IF_ERROR(state_->DeleteStream(name));
      continue;
    }
    std::shared_ptr<StreamConsumers> stream = FindOrCreate(*info);
    if (stream == nullptr) break;
    std::vector<LoadedConsumer> loaded = state_->Load(name);
    RunOn(stream, [&loaded, &info](StreamConsumers& s, int64_t now) {
      s.Restore(std::move(loaded), *info, now);
      return true;
    });
  }
  return absl::OkStatus();
}

ConsumerEngine::~ConsumerEngine() { Stop(); }

void ConsumerEngine::Stop() {
  std::map<std::string, std::shared_ptr<StreamConsumers>> streams;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    streams.swap(streams_);
  }
  {
    absl::MutexLock lock(&timer_mu_);
    timer_stopping_ = true;
  }
  if (timer_.joinable()) timer_.join();
  // Each stream's consumers and feed go on its own strand, after whatever
  // it is running.
  for (auto& entry : streams) {
    std::shared_ptr<StreamConsumers>& stream = entry.second;
    std::shared_ptr<common::Strand> strand = stream->strand();
    absl::Notification done;
    strand->Post([&stream, &done] {
      stream.reset();
      done.Notify();
    });
    done.WaitForNotification();
  }
  pool_.Shutdown();
  state_.reset();
}

std::shared_ptr<StreamConsumers> ConsumerEngine::Find(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : it->second;
}

std::shared_ptr<StreamConsumers> ConsumerEngine::FindOrCreate(const v1::StreamInfo& info) {
  std::shared_ptr<StreamConsumers> stream;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return nullptr;
    auto [it, inserted] = streams_.try_emplace(info.config().name());
    if (!inserted) return it->second;
    StreamConsumers::Sink* sink = this;
    it->second = std::make_shared<StreamConsumers>(info.config().name(), info.config().retention(),
                                                   store_, &pool_, sink, options_.limits,
                                                   options_.cache, state_.get());
    stream = it->second;
  }
  const uint64_t last_seq = info.state().last_seq();
  const int64_t max_age_ns = info.config().max_age_ns();
  const int64_t created_ns = info.created_ns();
  RunOn(stream, [last_seq, max_age_ns, created_ns](StreamConsumers& s, int64_t) {
    s.Start(last_seq, max_age_ns, created_ns);
    return true;
  });
  return stream;
}

absl::StatusOr<v1::ConsumerInfo> ConsumerEngine::CreateConsumer(
    const v1::CreateConsumerRequest& request) {
  v1::StreamInfoRequest info_request;
  info_request.set_name(request.stream());
  JSE_ASSIGN_OR_RETURN(v1::StreamInfo info, store_->GetStreamInfo(info_request));
  std::shared_ptr<StreamConsumers> stream = FindOrCreate(info);
  if (stream == nullptr) return absl::UnavailableError("consumer service is stopping");
  return RunOn(stream, [&request, &info](StreamConsumers& s, int64_t now) {
    return s.Create(request, info, now);
  });
}

absl::Status ConsumerEngine::DeleteConsumer(const v1::ConsumerRequest& request) {
  v1::StreamInfoRequest info_request;
  info_request.set_name(request.stream());
  JSE_RETURN_IF_ERROR(store_->GetStreamInfo(info_request).status());
  std::shared_ptr<StreamConsumers> stream = Find(request.stream());
  if (stream == nullptr) return common::JsError(common::JsErrorId::kConsumerNotFound);
  absl::Status deleted = RunOn(stream, [&request](StreamConsumers& s, int64_t now) {
    return s.Delete(request.name(), now);
  });
  // As nats-server, the reply comes after what only this consumer held is
  // gone.
  if (deleted.ok()) WaitForRemovals(stream);
  return deleted;
}

void ConsumerEngine::WaitForRemovals(const std::shared_ptr<StreamConsumers>& stream) {
  auto removed = std::make_shared<absl::Notification>();
  Post(stream, [removed](StreamConsumers& s, int64_t) {
    s.AfterRemovals([removed] { removed->Notify(); });
  });
  if (!removed->WaitForNotificationWithTimeout(kRemovalWait)) {
    LOG(WARNING) << "stream " << stream->stream() << ": removals still pending";
  }
}

void ConsumerEngine::WaitForTail(const std::shared_ptr<StreamConsumers>& stream, uint64_t seq) {
  auto seen = std::make_shared<absl::Notification>();
  Post(stream,
       [seen, seq](StreamConsumers& s, int64_t) { s.AfterTail(seq, [seen] { seen->Notify(); }); });
  if (!seen->WaitForNotificationWithTimeout(kTailWait)) {
    LOG(WARNING) << "stream " << stream->stream() << ": tail not yet at " << seq;
  }
}

absl::StatusOr<v1::ConsumerInfo> ConsumerEngine::GetConsumerInfo(
    const v1::ConsumerRequest& request) {
  v1::StreamInfoRequest info_request;
  info_request.set_name(request.stream());
  JSE_ASSIGN_OR_RETURN(v1::StreamInfo stream_info, store_->GetStreamInfo(info_request));
  std::shared_ptr<StreamConsumers> stream = Find(request.stream());
  if (stream == nullptr) return common::JsError(common::JsErrorId::kConsumerNotFound);
  WaitForTail(stream, stream_info.state().last_seq());
  return RunOn(stream,
               [&request](StreamConsumers& s, int64_t now) { return s.Info(request.name(), now); });
}

absl::StatusOr<v1::ListConsumersResponse> ConsumerEngine::ListConsumers(
    const v1::ListConsumersRequest& request) {
  v1::StreamInfoRequest info_request;
  info_request.set_name(request.stream());
  JSE_ASSIGN_OR_RETURN(v1::StreamInfo stream_info, store_->GetStreamInfo(info_request));
  std::vector<v1::ConsumerInfo> all;
  if (std::shared_ptr<StreamConsumers> stream = Find(request.stream())) {
    WaitForTail(stream, stream_info.state().last_seq());
    all = RunOn(stream, [](StreamConsumers& s, int64_t now) { return s.List(now); });
  }
  v1::ListConsumersResponse response;
  Page(request.offset(), request.limit(), common::kListLimit, static_cast<int32_t>(all.size()),
       &response);
  for (size_t i = response.offset();
       i < all.size() && i < static_cast<size_t>(response.offset() + response.limit()); ++i) {
    *response.add_consumers() = std::move(all[i]);
  }
  return response;
}

absl::StatusOr<v1::ConsumerCountsResponse> ConsumerEngine::ConsumerCounts(
    const v1::ConsumerCountsRequest& request) {
  v1::ConsumerCountsResponse response;
  for (const std::string& name : request.streams()) {
    std::shared_ptr<StreamConsumers> stream = Find(name);
    response.add_counts(stream == nullptr ? 0 : static_cast<int32_t>(stream->count()));
  }
  return response;
}

absl::StatusOr<v1::ConsumerNamesResponse> ConsumerEngine::ConsumerNames(
    const v1::ListConsumersRequest& request) {
  v1::StreamInfoRequest info_request;
  info_request.set_name(request.stream());
  JSE_RETURN_IF_ERROR(store_->GetStreamInfo(info_request).status());
  std::vector<std::string> names;
  if (std::shared_ptr<StreamConsumers> stream = Find(request.stream())) {
    names = RunOn(stream, [](StreamConsumers& s, int64_t) { return s.Names(); });
  }
  v1::ConsumerNamesResponse response;
  Page(request.offset(), request.limit(), common::kNamesLimit, static_cast<int32_t>(names.size()),
       &response);
  for (size_t i = response.offset();
       i < names.size() && i < static_cast<size_t>(response.offset() + response.limit()); ++i) {
    response.add_names(names[i]);
  }
  return response;
}

absl::StatusOr<v1::PurgeStreamResponse> ConsumerEngine::PurgeStream(
    const v1::PurgeStreamRequest& request) {
  std::shared_ptr<StreamConsumers> stream = Find(request.name());
  if (stream == nullptr) return store_->PurgeStream(request);
  return RunOn(stream,
               [&request](StreamConsumers& s, int64_t now) { return s.Purge(request, now); });
}

absl::Status ConsumerEngine::DeleteMessage(const v1::DeleteMessageRequest& request) {
  std::shared_ptr<StreamConsumers> stream = Find(request.stream());
  if (stream == nullptr) return store_->DeleteMessage(request);
  return RunOn(stream,
               [&request](StreamConsumers& s, int64_t) { return s.DeleteMessage(request); });
}

std::unique_ptr<client::ConsumerSession> ConsumerEngine::OpenSession(
    DeliveryCallback on_deliveries) {
  uint64_t id;
  {
    absl::MutexLock lock(&sessions_mu_);
    id = next_session_++;
    sessions_[id].on_deliveries = std::move(on_deliveries);
  }
  // The new gateway learns every consumer. A consumer created or deleted
  // while they are gathered is announced too, or its removal held for
  // after: either way the gateway ends up right.
  std::vector<std::shared_ptr<StreamConsumers>> streams;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, stream] : streams_) streams.push_back(stream);
  }
  v1::DeliveryBatch known;
  known.set_session_start(true);
  for (const auto& stream : streams) {
    RunOn(stream, [&known](StreamConsumers& s, int64_t) {
      s.Announce(&known);
      return true;
    });
  }
  {
    absl::MutexLock lock(&sessions_mu_);
    SessionEntry& session = sessions_[id];
    session.on_deliveries(std::move(known));
    for (v1::DeliveryBatch& batch : session.held) session.on_deliveries(std::move(batch));
    session.held.clear();
    session.starting = false;
  }
  return std::make_unique<Session>(this, id);
}

// Consecutive acks for one stream, posted to its strand as one task (a
// client acks a whole fetch at once); posted before any other event.
class ConsumerEngine::AckRun {
 public:
  explicit AckRun(ConsumerEngine* engine) : engine_(engine) {}
  ~AckRun() { Post(); }

  // Adds a client's ack, whose subject names `stream`.
  void Add(std::string_view stream, const client::AckView& ack) {
    if (Switch(stream)) client::AppendAck(ack, &acks_);
  }
  // Adds packed acks whose subjects all name `stream`.
  void AddPacked(std::string_view stream, std::string packed) {
    if (!Switch(stream)) return;
    if (acks_.empty()) {
      acks_ = std::move(packed);
    } else {
      acks_.append(packed);
    }
  }
  void Post() {
    if (!acks_.empty()) {
      engine_->PostEvent(stream_, [acks = std::move(acks_)](StreamConsumers& s, int64_t now) {
        client::ForEachAck(acks, [&](const client::AckView& ack) {
          absl::StatusOr<AckSubject> parsed = ParseAckSubject(ack.reply_subject);
          if (parsed.ok()) s.OnAck(*parsed, ParseAckBody(ack.body), std::string(ack.reply), now);
        });
      });
    }
    acks_.clear();
    stream_ = nullptr;
  }

 private:
  // Makes `stream` the run's, posting the run of another; false if there is
  // no such stream (its acks are dropped: no reply, as nats-server).
  bool Switch(std::string_view stream) {
    if (stream_ != nullptr && stream == stream_name_) return true;
    Post();
    stream_ = engine_->Find(std::string(stream));
    if (stream_ == nullptr) return false;
    stream_name_.assign(stream.data(), stream.size());
    return true;
  }

  ConsumerEngine* const engine_;
  std::shared_ptr<StreamConsumers> stream_;
  std::string stream_name_;
  std::string acks_;  // Packed, for stream_.
};

void ConsumerEngine::OnEvents(v1::GatewayBatch batch) {
  AckRun acks(this);
  for (v1::GatewayEvent& event : *batch.mutable_events()) {
    if (event.event_case() != v1::GatewayEvent::kAcks) acks.Post();
    switch (event.event_case()) {
      case v1::GatewayEvent::kPull: {
        std::shared_ptr<StreamConsumers> stream = Find(event.pull().stream());
        if (stream == nullptr) break;  // No such consumer: no reply, as nats-server.
        PostEvent(
            stream, [pull = std::move(*event.mutable_pull())](StreamConsumers& s, int64_t now) {
              s.OnPull(pull.consumer(), pull.reply(), pull.body(), now, pull.published_through());
            });
        break;
      }
      case v1::GatewayEvent::kAcks: {
        // Usually every ack names one stream: the packed acks go on as
        // they came, not copied one by one.
        // (The strand parses each ack in full.)
        std::string_view stream;
        bool one_stream = true;
        const bool whole = client::ForEachAck(event.acks(), [&](const client::AckView& ack) {
          const std::string_view subject_stream = AckSubjectStream(ack.reply_subject);
          if (subject_stream.empty() || (!stream.empty() && subject_stream != stream)) {
            one_stream = false;
          } else if (stream.empty()) {
            stream = subject_stream;
          }
        });
        if (whole && one_stream && !stream.empty()) {
          const std::string name(stream);
          acks.AddPacked(name, std::move(*event.mutable_acks()));
          break;
        }
        const bool ok = client::ForEachAck(event.acks(), [&](const client::AckView& ack) {
          const std::string_view subject_stream = AckSubjectStream(ack.reply_subject);
          if (!subject_stream.empty()) acks.Add(subject_stream, ack);
        });
        LOG_IF(ERROR, !ok) << "malformed acks from a gateway";
        break;
      }
      case v1::GatewayEvent::kInterest: {
        std::vector<std::shared_ptr<StreamConsumers>> streams;
        if (!event.interest().stream().empty()) {
          // A reply subject the stream's pull requests wait on.
          if (auto stream = Find(event.interest().stream())) streams.push_back(std::move(stream));
        } else {
          absl::MutexLock lock(&mu_);
          for (const auto& [name, stream] : streams_) streams.push_back(stream);
        }
        for (const auto& stream : streams) {
          PostEvent(stream, [interest = event.interest()](StreamConsumers& s, int64_t now) {
            s.OnInterest(interest.subject(), interest.has_interest(), now);
          });
        }
        break;
      }
      case v1::GatewayEvent::kSettle: {
        const uint64_t id = event.settle().id();
        std::shared_ptr<StreamConsumers> stream = Find(event.settle().stream());
        if (stream == nullptr) {
          v1::DeliveryBatch settled;
          settled.add_settled(id);
          Send(std::move(settled));
          break;
        }
        PostEvent(stream, [id](StreamConsumers& s, int64_t) { s.Settle(id); });
        break;
      }
      case v1::GatewayEvent::kFlowControl: {
        std::shared_ptr<StreamConsumers> stream =
            Find(FlowControlStream(event.flow_control().subject()));
        if (stream == nullptr) break;
        PostEvent(stream,
                  [subject = event.flow_control().subject()](StreamConsumers& s, int64_t now) {
                    s.OnFlowControlReply(subject, now);
                  });
        break;
      }
      default:
        break;
    }
  }
}

void ConsumerEngine::Send(v1::DeliveryBatch batch) {
  absl::MutexLock lock(&sessions_mu_);
  if (sessions_.empty()) return;
  auto give = [](SessionEntry& session, v1::DeliveryBatch b) {
    if (session.starting) {
      session.held.push_back(std::move(b));
    } else {
      session.on_deliveries(std::move(b));
    }
  };
  auto last = std::prev(sessions_.end());
  for (auto it = sessions_.begin(); it != last; ++it) give(it->second, batch);
  give(last->second, std::move(batch));
}

void ConsumerEngine::ScheduleTick(const std::shared_ptr<StreamConsumers>& stream, int64_t due_ns) {
  absl::MutexLock lock(&timer_mu_);
  if (timers_.empty() || due_ns < timers_.begin()->first) timer_earlier_ = true;
  timers_.emplace(due_ns, stream);
}

void ConsumerEngine::Gone(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream);
}

void ConsumerEngine::TimerLoop() {
  for (;;) {
    std::vector<std::shared_ptr<StreamConsumers>> due;
    {
      absl::MutexLock lock(&timer_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(timer_mu_) {
        return timer_stopping_ || timer_earlier_ ||
               (!timers_.empty() && timers_.begin()->first <= Now());
      };
      const absl::Time deadline = timers_.empty() ? absl::Now() + absl::Seconds(1)
                                                  : absl::FromUnixNanos(timers_.begin()->first);
      timer_mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
      if (timer_stopping_) return;
      timer_earlier_ = false;
      const int64_t now = Now();
      while (!timers_.empty() && timers_.begin()->first <= now) {
        if (auto stream = timers_.begin()->second.lock()) due.push_back(std::move(stream));
        timers_.erase(timers_.begin());
      }
    }
    std::sort(due.begin(), due.end());
    due.erase(std::unique(due.begin(), due.end()), due.end());
    for (const auto& stream : due) {
      Post(stream, [](StreamConsumers& s, int64_t now) { s.Tick(now); });
    }
  }
}

}  // namespace jsengine::consumersvc
