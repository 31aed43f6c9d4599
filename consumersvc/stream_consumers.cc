#include "consumersvc/stream_consumers.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/go_json_writer.h"
#include "common/status.h"
#include "common/subject.h"
#include "consumersvc/client/delivery_frame.h"
#include "glog/logging.h"

namespace jsengine::consumersvc {
namespace {

using client::AppendDelivery;
using client::DeliveryView;

// Deliveries leave in batches of about this many message bytes, so that the
// first of a window of large messages reaches the client while the rest are
// still being made.
constexpr size_t kSendBatchBytes = 256 * 1024;
// How soon a tail that lost the store is opened again, first and at most.
constexpr int64_t kTailRetryFirstNs = 250'000'000;
constexpr int64_t kTailRetryMaxNs = 1'000'000'000;

constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string RandomToken(size_t n) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string s(n, '0');
  for (char& c : s) c = kDigits[rng() % 62];
  return s;
}

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// nats-server's convertToHeadersOnly: the stored headers (or a bare
// NATS/1.0 line) plus Nats-Msg-Size.
// Opens an advisory's JSON object with the fields every consumer advisory
// starts with, in nats-server's order.
void BeginAdvisory(const char* type, const std::string& stream, const std::string& consumer,
                   common::GoJsonWriter* w) {
  w->BeginObject();
  w->Key("type");
  w->String(type);
  w->Key("id");
  w->String(RandomToken(22));
  w->Key("timestamp");
  w->Time(absl::GetCurrentTimeNanos());
  w->Key("stream");
  w->String(stream);
  w->Key("consumer");
  w->String(consumer);
}

std::string HeadersOnly(const v1::StoredMessage& m) {
  std::string h;
  if (m.headers().size() > 2) {
    h.assign(m.headers(), 0, m.headers().size() - 2);
  } else {
    h = "NATS/1.0\r\n";
  }
  absl::StrAppend(&h, "Nats-Msg-Size: ", m.data().size(), "\r\n\r\n");
  return h;
}

// An AckSync reply that waits for several things (the state's flush, the
// removals the ack calls for): sent when the last is done, from whichever
// thread that is; never if one failed.
class ReplyGate {
 public:
  ReplyGate(StreamConsumers::Sink* sink, std::string reply, int waits)
      : sink_(sink), reply_(std::move(reply)), left_(waits) {}

  void Done() {
    if (left_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    if (failed_.load(std::memory_order_acquire)) return;
    v1::DeliveryBatch batch;
    AppendDelivery(DeliveryView::Plain(reply_, "", ""), batch.mutable_packed_deliveries());
    sink_->Send(std::move(batch));
  }
  void Fail() {
    failed_.store(true, std::memory_order_release);
    Done();
  }

 private:
  StreamConsumers::Sink* const sink_;
  const std::string reply_;
  std::atomic<int> left_;
  std::atomic<bool> failed_{false};
};

// The subjects of `filter`, ">" for one that takes every subject.
std::vector<std::string> InterestOf(const SubjectFilter& filter) {
  if (filter.empty()) return {">"};
  return filter.subjects();
}

bool MatchesAny(const std::vector<std::string>& filters, std::string_view subject) {
  for (const std::string& filter : filters) {
    if (common::SubjectMatches(filter, subject)) return true;
  }
  return false;
}

// Adds the removal of `seq`, sparing `keep`, to `request`: to its last
// removal when that ends just before with the same subjects spared.
void AddRemoval(uint64_t seq, const std::vector<std::string>& keep,
                v1::RemoveMessagesRequest* request) {
  if (!request->removals().empty()) {
    v1::Removal& last = *request->mutable_removals()->rbegin();
    if (last.last_seq() + 1 == seq &&
        std::equal(keep.begin(), keep.end(), last.keep_subjects().begin(),
                   last.keep_subjects().end())) {
      last.set_last_seq(seq);
      return;
    }
  }
  v1::Removal* removal = request->add_removals();
  removal->set_first_seq(seq);
  removal->set_last_seq(seq);
  for (const std::string& subject : keep) removal->add_keep_subjects(subject);
}

}  // namespace

// Lets a store callback, on any thread, post to the strand while the
// registry lives and never after: the registry's end clears it, and its
// strand's pool outlives the registry. Thread-safe.
class StreamConsumers::StrandLink {
 public:
  explicit StrandLink(std::shared_ptr<common::Strand> strand) : strand_(std::move(strand)) {}

  void Post(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (strand_ != nullptr) strand_->Post(std::move(task));
  }
  void Close() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    strand_ = nullptr;
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<common::Strand> strand_ ABSL_GUARDED_BY(mu_);
};

// A consumer's ConsumerOutput: appends to the stream's outgoing batch.
class StreamConsumers::Output final : public ConsumerOutput {
 public:
  Output(StreamConsumers* owner, std::string consumer, std::unique_ptr<ConsumerStateWriter> writer)
      : owner_(owner), consumer_(std::move(consumer)), writer_(std::move(writer)) {}

  ConsumerStateWriter* writer() const { return writer_.get(); }

  void Deliver(std::string_view subject, std::string_view reply, const v1::StoredMessage& m,
               bool headers_only) override {
    if (owner_->outgoing_bytes_ >= kSendBatchBytes) owner_->SendOutgoing();
    owner_->outgoing_bytes_ += m.headers().size() + (headers_only ? 0 : m.data().size());
    DeliveryView d = DeliveryView::Stored(subject, reply, m);
    std::string headers;
    if (headers_only) {
      headers = HeadersOnly(m);
      d.headers = headers;
      d.data = {};
    }
    AppendDelivery(d, owner_->outgoing_.mutable_packed_deliveries());
  }
  void Status(std::string_view subject, std::string_view reply, std::string_view headers) override {
    AppendDelivery(DeliveryView::Plain(subject, reply, headers),
                   owner_->outgoing_.mutable_packed_deliveries());
  }
  void SendAdvisory(const Advisory& a) override {
    const char* type;
    const char* event;
    switch (a.kind) {
      case AdvisoryKind::kMaxDeliveries:
        type = "io.nats.jetstream.advisory.v1.max_deliver";
        event = "MAX_DELIVERIES";
        break;
      case AdvisoryKind::kNak:
        type = "io.nats.jetstream.advisory.v1.nak";
        event = "MSG_NAKED";
        break;
      default:
        type = "io.nats.jetstream.advisory.v1.terminated";
        event = "MSG_TERMINATED";
        break;
    }
    std::string json;
    common::GoJsonWriter w(&json);
    BeginAdvisory(type, owner_->stream_, consumer_, &w);
    if (a.kind != AdvisoryKind::kMaxDeliveries) {
      w.Key("consumer_seq");
      w.Uint(a.consumer_seq);
    }
    w.Key("stream_seq");
    w.Uint(a.stream_seq);
    w.Key("deliveries");
    w.Uint(a.deliveries);
    if (a.kind == AdvisoryKind::kTerminated) w.OptString("reason", Absl(a.reason));
    w.EndObject();
    AppendDelivery(DeliveryView::Advisory(absl::StrCat("$JS.EVENT.ADVISORY.CONSUMER.", event, ".",
                                                       owner_->stream_, ".", consumer_),
                                          json),
                   owner_->outgoing_.mutable_packed_deliveries());
  }
  // The confirmation leaves once the ack is as durable as the sync policy
  // promises and, for interest and work-queue streams, what it removes is
  // gone from the store.
  void AckReply(std::string_view reply) override {
    if (owner_->retention_ != v1::RETENTION_LIMITS) {
      auto gate = std::make_shared<ReplyGate>(owner_->sink_, std::string(reply),
                                              writer_ == nullptr ? 1 : 2);
      if (writer_ != nullptr) {
        writer_->Flush([gate, reply = std::string(reply)](absl::Status status) {
          if (status.ok()) {
            gate->Done();
          } else {
            LOG(ERROR) << "ack not confirmed to " << reply << ": " << status;
            gate->Fail();
          }
        });
      }
      owner_->AfterRemovals([gate] { gate->Done(); });
      return;
    }
    if (writer_ == nullptr) {
      AppendDelivery(DeliveryView::Plain(reply, "", ""),
                     owner_->outgoing_.mutable_packed_deliveries());
      return;
    }
    writer_->Flush([sink = owner_->sink_, reply = std::string(reply)](absl::Status status) {
      if (!status.ok()) {
        LOG(ERROR) << "ack not confirmed to " << reply << ": " << status;
        return;
      }
      v1::DeliveryBatch batch;
      AppendDelivery(DeliveryView::Plain(reply, "", ""), batch.mutable_packed_deliveries());
      sink->Send(std::move(batch));
    });
  }
  void Acknowledged(uint64_t first, uint64_t last) override { owner_->OnAcknowledged(first, last); }
  void RequestWaiting(std::string_view reply, bool waiting) override {
    owner_->OnRequestWaiting(reply, waiting);
  }
  void RecordDelivered(uint64_t consumer_seq, uint64_t stream_seq, uint64_t deliveries,
                       int64_t ts_ns) override {
    if (writer_ != nullptr) writer_->RecordDelivered(consumer_seq, stream_seq, deliveries, ts_ns);
  }
  void RecordAcked(uint64_t stream_seq, SequencePair ack_floor) override {
    if (writer_ != nullptr) writer_->RecordAck(stream_seq, ack_floor);
  }
  void RecordState(const ConsumerState& state) override {
    if (writer_ != nullptr) writer_->RecordState(state);
  }

 private:
  StreamConsumers* const owner_;
  const std::string consumer_;
  const std::unique_ptr<ConsumerStateWriter> writer_;
};

StreamConsumers::StreamConsumers(std::string stream, v1::RetentionPolicy retention,
                                 storesvc::client::StoreClient* store, common::ThreadPool* pool,
                                 Sink* sink, ConsumerLimits limits, StreamFeed::Limits cache,
                                 ConsumerStateStore* state)
    : stream_(std::move(stream)),
      retention_(retention),
      store_(store),
      sink_(sink),
      limits_(limits),
      cache_(cache),
      state_(state),
      strand_(std::make_shared<common::Strand>(pool)),
      link_(std::make_shared<StrandLink>(strand_)) {}

StreamConsumers::~StreamConsumers() {
  link_->Close();
  consumers_.clear();
  if (feed_ != nullptr) feed_->Stop();
}

void StreamConsumers::Start(uint64_t last_seq, int64_t max_age_ns, int64_t created_ns) {
  created_ns_ = created_ns;
  std::weak_ptr<StreamConsumers> weak = weak_from_this();
  feed_ = std::make_shared<StreamFeed>(
      stream_, store_, strand_, cache_,
      [weak](const std::vector<StreamFeed::Message>& messages) {
        if (auto self = weak.lock()) self->OnAppended(messages);
      },
      [weak](absl::Status status) {
        if (auto self = weak.lock()) self->OnTailEnd(status);
      });
  feed_->Start(last_seq, max_age_ns);
}

void StreamConsumers::OnAppended(const std::vector<StreamFeed::Message>& messages) {
  const int64_t now = absl::GetCurrentTimeNanos();
  // A limit (max_msgs, max_bytes, ...) let the oldest messages go.
  const uint64_t first = feed_->first_seq();
  const uint64_t gone_from = removed_below_;
  if (first > removed_below_) removed_below_ = first;
  for (auto& [name, entry] : consumers_) {
    if (first > gone_from) entry.consumer->OnRemoved(gone_from, first - 1, now);
    entry.source->OnAppended(messages);
    entry.consumer->OnStreamAppended(now);
  }
  Finish(now);
}

void StreamConsumers::OnTailEnd(absl::Status status) {
  if (common::IsJsError(status, common::JsErrorId::kStreamNotFound)) {
    LOG(INFO) << "stream " << stream_ << " is gone: deleting its " << consumers_.size()
              << " consumers";
    DropAll();
    return;
  }
  LOG(WARNING) << "stream " << stream_ << ": tail ended: " << status << "; asking again";
  const int64_t now = absl::GetCurrentTimeNanos();
  tail_backoff_ns_ = kTailRetryFirstNs;
  tail_retry_ns_ = now + tail_backoff_ns_;
  Finish(now);
}

void StreamConsumers::ResumeTail(int64_t now_ns) {
  tail_retry_ns_ = 0;
  v1::StreamInfoRequest request;
  request.set_name(stream_);
  absl::StatusOr<v1::StreamInfo> info = store_->GetStreamInfo(request);
  if (!info.ok() && common::IsJsError(info.status(), common::JsErrorId::kStreamNotFound)) {
    LOG(INFO) << "stream " << stream_ << " is gone: deleting its " << consumers_.size()
              << " consumers";
    DropAll();
    return;
  }
  if (!info.ok()) {
    tail_backoff_ns_ = std::min(tail_backoff_ns_ * 2, kTailRetryMaxNs);
    tail_retry_ns_ = now_ns + tail_backoff_ns_;
    return;
  }
  if (created_ns_ != 0 && info->created_ns() != created_ns_) {
    LOG(INFO) << "stream " << stream_ << " was made anew: deleting its " << consumers_.size()
              << " consumers";
    DropAll();
    return;
  }
  LOG(INFO) << "stream " << stream_ << ": tail resumes after sequence " << feed_->last_seq();
  feed_->Resume();
  for (auto& [name, entry] : consumers_) entry.source->StoreBack();
  if (!failed_removals_.empty()) ScheduleRemovals();
}

void StreamConsumers::DropAll() {
  std::vector<std::string> names = Names();
  for (const std::string& name : names) Erase(name);
  if (state_ != nullptr) {
    if (absl::Status s = state_->DeleteStream(stream_); !s.ok()) {
      LOG(ERROR) << "stream " << stream_ << ": deleting its consumers' state: " << s;
    }
  }
  Finish(absl::GetCurrentTimeNanos());
  sink_->Gone(stream_);
}

std::string StreamConsumers::NewName() const {
  for (;;) {
    std::string name = RandomToken(8);
    if (!consumers_.count(name)) return name;
  }
}

absl::Status StreamConsumers::StartPosition(const v1::ConsumerConfig& config,
                                            Consumer::Setup* setup) {
  const SubjectFilter filter = SubjectFilter::Of(config);
  v1::FilteredStateRequest request;
  request.set_stream(stream_);
  for (const std::string& s : filter.subjects()) request.add_filter_subjects(s);
  if (config.deliver_policy() == v1::DELIVER_BY_START_TIME) {
    request.set_start_time_ns(config.opt_start_time_ns());
  }
  request.set_last_per_subject(config.deliver_policy() == v1::DELIVER_LAST_PER_SUBJECT);
  JSE_ASSIGN_OR_RETURN(v1::FilteredStateResponse state, store_->FilteredState(request));
  const uint64_t first = state.stream_first_seq();
  const uint64_t last = state.stream_last_seq();
  uint64_t seq = first;
  switch (config.deliver_policy()) {
    case v1::DELIVER_ALL:
      seq = first;
      break;
    case v1::DELIVER_LAST:
      seq = filter.empty() ? last : state.last_seq();
      break;
    case v1::DELIVER_NEW:
      seq = last + 1;
      break;
    case v1::DELIVER_BY_START_SEQUENCE:
      seq = config.opt_start_seq();
      break;
    case v1::DELIVER_BY_START_TIME:
      seq = state.start_seq();
      break;
    case v1::DELIVER_LAST_PER_SUBJECT:
      setup->last_per_subject.assign(state.last_per_subject().begin(),
                                     state.last_per_subject().end());
      seq = setup->last_per_subject.empty() ? last : setup->last_per_subject.front();
      break;
    default:
      break;
  }
  if (first == 0 || seq < first) seq = std::max<uint64_t>(first, 1);
  if (seq > last) seq = last + 1;
  setup->start_seq = seq;
  setup->stream_last_seq = last;
  return absl::OkStatus();
}

absl::StatusOr<v1::PurgeStreamResponse> StreamConsumers::Purge(
    const v1::PurgeStreamRequest& request, int64_t now_ns) {
  JSE_ASSIGN_OR_RETURN(v1::PurgeStreamResponse response, store_->PurgeStream(request));
  v1::FilteredStateRequest state_request;
  state_request.set_stream(stream_);
  if (!request.filter().empty()) state_request.add_filter_subjects(request.filter());
  absl::StatusOr<v1::FilteredStateResponse> state = store_->FilteredState(state_request);
  if (!state.ok()) {
    LOG(ERROR) << "stream " << stream_ << " purged, but its state is out of reach, so its "
               << "consumers do not move past the purge: " << state.status();
    return response;
  }
  if (feed_ != nullptr) feed_->Forget(state->stream_last_seq());
  for (auto& [name, entry] : consumers_) {
    entry.source->Forget();
    // nats-server: a consumer whose subjects were all purged resumes at the
    // first message left on them; one that reads wider, at the stream's
    // first; one that reads none of them is left alone.
    uint64_t start = state->stream_first_seq();
    bool wider = false;
    if (!request.filter().empty()) {
      const SubjectFilter filter = SubjectFilter::Of(entry.consumer->config());
      bool within = !filter.empty();
      bool overlaps = filter.empty();
      for (const std::string& s : filter.subjects()) {
        within = within && common::SubjectIsSubsetOf(s, request.filter());
        overlaps = overlaps || common::SubjectsCollide(s, request.filter());
      }
      if (within) {
        start = state->first_seq();
      } else if (overlaps) {
        wider = true;
      } else {
        // Not moved; but what it waits for may be among what the feed
        // forgot, which the tail will not announce: it reads the store.
        entry.consumer->Run(now_ns);
        continue;
      }
    }
    entry.consumer->OnPurged(start, state->stream_last_seq(), wider, now_ns);
  }
  return response;
}

absl::Status StreamConsumers::DeleteMessage(const v1::DeleteMessageRequest& request) {
  JSE_RETURN_IF_ERROR(store_->DeleteMessage(request));
  if (feed_ != nullptr) feed_->Erase(request.seq());
  const int64_t now = absl::GetCurrentTimeNanos();
  for (auto& [name, entry] : consumers_) {
    entry.source->Erase(request.seq());
    entry.consumer->OnRemoved(request.seq(), request.seq(), now);
  }
  Finish(now);
  return absl::OkStatus();
}

absl::StatusOr<v1::ConsumerInfo> StreamConsumers::Create(const v1::CreateConsumerRequest& request,
                                                         const v1::StreamInfo& stream,
                                                         int64_t now_ns) {
  JSE_ASSIGN_OR_RETURN(v1::ConsumerConfig config,
                       CheckConsumerConfig(request.config(), stream.config(), limits_));
  std::vector<const v1::ConsumerConfig*> others;
  for (const auto& [name, entry] : consumers_) {
    if (name != ConsumerNameOf(config)) others.push_back(&entry.consumer->config());
  }
  auto existing = consumers_.find(ConsumerNameOf(config));
  const v1::ConsumerConfig* existing_config =
      existing == consumers_.end() ? nullptr : &existing->second.consumer->config();
  JSE_RETURN_IF_ERROR(CheckConsumerAction(request.action(), existing_config, config));
  if (existing_config != nullptr) {
    JSE_RETURN_IF_ERROR(CheckWorkQueuePartition(config, stream.config(), others));
    Consumer& consumer = *existing->second.consumer;
    JSE_ASSIGN_OR_RETURN(
        config, CheckConsumerUpdate(consumer.config(), config, consumer.Info(now_ns).push_bound()));
    if (state_ != nullptr) {
      v1::ConsumerInfo info = consumer.Info(now_ns);
      *info.mutable_config() = config;
      JSE_RETURN_IF_ERROR(state_->Update(info));
    }
    consumer.UpdateConfig(config, now_ns);
    if (absl::Status s = SetInterest(nullptr).status(); !s.ok()) {
      LOG(WARNING) << "stream " << stream_ << ": consumer filters not stored: " << s;
    }
    return consumer.Info(now_ns);
  }
  JSE_ASSIGN_OR_RETURN(config, CheckNewConsumer(config, stream.config(), limits_, others));
  std::string name = ConsumerNameOf(config);
  if (name.empty()) {
    name = NewName();
    config.set_name(name);
  }
  Consumer::Setup setup;
  setup.stream = stream_;
  setup.name = name;
  setup.config = config;
  setup.retention = stream.config().retention();
  setup.created_ns = now_ns;
  if (stream.config().max_msg_size() > 0) setup.rate_burst_bytes = stream.config().max_msg_size();
  // An interest stream keeps what the new consumer's filter matches from
  // here on, before it picks its start.
  JSE_ASSIGN_OR_RETURN(const v1::SetConsumerFiltersResponse interest, SetInterest(&config));
  std::unique_ptr<ConsumerStateWriter> writer;
  absl::Status made = StartPosition(config, &setup);
  if (made.ok() && state_ != nullptr) {
    v1::ConsumerInfo info;
    info.set_stream_name(stream_);
    info.set_name(name);
    info.set_created_ns(now_ns);
    *info.mutable_config() = config;
    ConsumerState initial;
    initial.delivered = {0, setup.start_seq - 1};
    initial.ack_floor = {0, setup.start_seq - 1};
    absl::StatusOr<std::unique_ptr<ConsumerStateWriter>> created = state_->Create(info, initial);
    if (created.ok()) {
      writer = *std::move(created);
    } else {
      made = created.status();
    }
  }
  if (!made.ok()) {
    SetInterest(nullptr).IgnoreError();
    return made;
  }
  const uint64_t start_seq = setup.start_seq;
  Consumer& consumer = Add(std::move(setup), std::move(writer), now_ns);
  SendActionAdvisory(name, "CREATED", "create");
  // What was kept for its filter before its start is not its to ack.
  if (retention_ == v1::RETENTION_INTEREST && interest.last_seq() + 1 < start_seq) {
    OnAcknowledged(interest.last_seq() + 1, start_seq - 1);
  }
  return consumer.Info(now_ns);
}

void StreamConsumers::Restore(std::vector<LoadedConsumer> consumers, const v1::StreamInfo& stream,
                              int64_t now_ns) {
  for (LoadedConsumer& loaded : consumers) {
    Consumer::Setup setup;
    setup.stream = stream_;
    setup.name = loaded.info.name();
    setup.config = loaded.info.config();
    setup.retention = stream.config().retention();
    setup.created_ns = loaded.info.created_ns();
    if (stream.config().max_msg_size() > 0) {
      setup.rate_burst_bytes = stream.config().max_msg_size();
    }
    setup.start_seq = loaded.state.delivered.stream_seq + 1;
    setup.stream_last_seq = stream.state().last_seq();
    setup.restored = &loaded.state;
    Add(std::move(setup), std::move(loaded.writer), now_ns);
    LOG(INFO) << "consumer " << stream_ << " > " << loaded.info.name() << " recovered";
  }
  if (absl::Status s = SetInterest(nullptr).status(); !s.ok()) {
    LOG(WARNING) << "stream " << stream_ << ": consumer filters not stored: " << s;
  }
}

Consumer& StreamConsumers::Add(Consumer::Setup setup, std::unique_ptr<ConsumerStateWriter> writer,
                               int64_t now_ns) {
  const std::string name = setup.name;
  Entry entry;
  std::weak_ptr<StreamConsumers> weak = weak_from_this();
  entry.source =
      std::make_unique<ConsumerSource>(feed_, SubjectFilter::Of(setup.config), [weak, name] {
        auto self = weak.lock();
        if (self == nullptr) return;
        auto it = self->consumers_.find(name);
        if (it == self->consumers_.end()) return;
        const int64_t now = absl::GetCurrentTimeNanos();
        it->second.consumer->Run(now);
        self->Finish(now);
      });
  if (absl::Status s = entry.source->Recount(setup.start_seq); !s.ok()) {
    LOG(WARNING) << "consumer " << stream_ << " > " << name << ": pending count: " << s;
  }
  entry.output = std::make_unique<Output>(this, name, std::move(writer));
  entry.consumer =
      std::make_unique<Consumer>(std::move(setup), entry.source.get(), entry.output.get());
  Consumer& consumer = *entry.consumer;
  consumers_.emplace(name, std::move(entry));
  count_.store(consumers_.size(), std::memory_order_release);
  v1::ConsumerRef* ref = outgoing_.add_consumers_added();
  ref->set_stream(stream_);
  ref->set_name(name);
  if (consumer.is_push()) {
    outgoing_.add_watch_interest(consumer.config().deliver_subject());
  }
  consumer.Start(now_ns);
  return consumer;
}

absl::Status StreamConsumers::Delete(const std::string& name, int64_t) {
  if (!consumers_.count(name)) return common::JsError(common::JsErrorId::kConsumerNotFound);
  Remove(name);
  return absl::OkStatus();
}

void StreamConsumers::Remove(const std::string& name) {
  auto it = consumers_.find(name);
  if (it == consumers_.end()) return;
  const uint64_t floor = it->second.consumer->ack_floor_stream_seq();
  Erase(name);
  SendActionAdvisory(name, "DELETED", "delete");
  if (retention_ != v1::RETENTION_INTEREST) return;
  absl::StatusOr<v1::SetConsumerFiltersResponse> range = SetInterest(nullptr);
  if (!range.ok()) {
    LOG(WARNING) << "stream " << stream_ << ": consumer filters not stored: " << range.status();
    return;
  }
  OnAcknowledged(std::max(floor + 1, range->first_seq()), range->last_seq());
}

void StreamConsumers::SendActionAdvisory(const std::string& name, const char* event,
                                         const char* action) {
  std::string json;
  common::GoJsonWriter w(&json);
  BeginAdvisory("io.nats.jetstream.advisory.v1.consumer_action", stream_, name, &w);
  w.Key("action");
  w.String(action);
  w.EndObject();
  AppendDelivery(
      DeliveryView::Advisory(
          absl::StrCat("$JS.EVENT.ADVISORY.CONSUMER.", event, ".", stream_, ".", name), json),
      outgoing_.mutable_packed_deliveries());
}

void StreamConsumers::Erase(const std::string& name) {
  auto it = consumers_.find(name);
  if (it == consumers_.end()) return;
  if (it->second.consumer->is_push()) {
    const std::string& subject = it->second.consumer->config().deliver_subject();
    bool shared = false;
    for (const auto& [other, entry] : consumers_) {
      shared |= other != name && entry.consumer->config().deliver_subject() == subject;
    }
    if (!shared) outgoing_.add_unwatch_interest(subject);
  }
  it->second.consumer->ReleasePullRequests();
  v1::ConsumerRef* ref = outgoing_.add_consumers_removed();
  ref->set_stream(stream_);
  ref->set_name(name);
  consumers_.erase(it);
  count_.store(consumers_.size(), std::memory_order_release);
  if (state_ != nullptr) {
    if (absl::Status s = state_->Delete(stream_, name); !s.ok()) {
      LOG(ERROR) << "consumer " << stream_ << " > " << name << ": deleting its state: " << s;
    }
  }
}

absl::StatusOr<v1::ConsumerInfo> StreamConsumers::Info(const std::string& name, int64_t now_ns) {
  auto it = consumers_.find(name);
  if (it == consumers_.end()) return common::JsError(common::JsErrorId::kConsumerNotFound);
  // The pending count exact again.
  Consumer& consumer = *it->second.consumer;
  it->second.source->Recount(consumer.Info(now_ns).delivered().stream_seq() + 1).IgnoreError();
  v1::ConsumerInfo info = consumer.Info(now_ns);
  if (const ConsumerStateWriter* writer = it->second.output->writer(); writer != nullptr) {
    if (absl::Status failed = writer->failure(); !failed.ok()) {
      info.set_failed(std::string(failed.message()));
    }
  }
  return info;
}

std::vector<v1::ConsumerInfo> StreamConsumers::List(int64_t now_ns) {
  std::vector<v1::ConsumerInfo> out;
  for (const auto& [name, entry] : consumers_) {
    absl::StatusOr<v1::ConsumerInfo> info = Info(name, now_ns);
    if (info.ok()) out.push_back(*std::move(info));
  }
  return out;
}

std::vector<std::string> StreamConsumers::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : consumers_) out.push_back(name);
  return out;
}

void StreamConsumers::OnAck(const AckSubject& ack, const AckBody& body, const std::string& reply,
                            int64_t now_ns) {
  auto it = consumers_.find(std::string(ack.consumer));
  if (it == consumers_.end()) return;
  it->second.consumer->OnAck(ack, body, reply, now_ns);
}

void StreamConsumers::OnPull(const std::string& consumer, const std::string& reply,
                             const std::string& body, int64_t now_ns, uint64_t published_through) {
  auto serve = [this, consumer, reply, body](int64_t now) {
    auto it = consumers_.find(consumer);
    if (it != consumers_.end()) it->second.consumer->OnPullRequest(reply, body, now);
  };
  if (published_through > feed_->last_seq()) {
    // The gateway's figure outlives a stream deleted and made again: the
    // store bounds it.
    v1::StreamInfoRequest request;
    request.set_name(stream_);
    absl::StatusOr<v1::StreamInfo> info = store_->GetStreamInfo(request);
    published_through = info.ok() ? std::min(published_through, info->state().last_seq()) : 0;
  }
  if (published_through <= feed_->last_seq() && !feed_->waiting()) {
    serve(now_ns);
    return;
  }
  feed_->WhenCaughtUp(published_through, [weak = weak_from_this(), serve] {
    auto self = weak.lock();
    if (self == nullptr) return;
    const int64_t now = absl::GetCurrentTimeNanos();
    serve(now);
    self->Finish(now);
  });
}

void StreamConsumers::AfterTail(uint64_t seq, std::function<void()> fn) {
  feed_->WhenCaughtUp(seq, std::move(fn));
}

void StreamConsumers::OnInterest(const std::string& subject, bool has_interest, int64_t now_ns) {
  for (auto& [name, entry] : consumers_) {
    Consumer& c = *entry.consumer;
    if (c.is_push() && c.config().deliver_subject() == subject) {
      c.OnDeliveryInterest(has_interest, now_ns);
    } else if (!c.is_push() && !has_interest) {
      c.OnReplyInterestLost(subject, now_ns);
    }
  }
}

void StreamConsumers::OnFlowControlReply(const std::string& subject, int64_t now_ns) {
  for (auto& [name, entry] : consumers_) entry.consumer->OnFlowControlReply(subject, now_ns);
}

void StreamConsumers::Tick(int64_t now_ns) {
  scheduled_due_ns_ = 0;
  if (tail_retry_ns_ != 0 && tail_retry_ns_ <= now_ns) {
    ResumeTail(now_ns);
  }
  std::vector<std::string> expired;
  for (auto& [name, entry] : consumers_) {
    Consumer& c = *entry.consumer;
    if (c.NextDueNs() != 0 && c.NextDueNs() <= now_ns) c.Tick(now_ns);
    if (c.Expired(now_ns)) expired.push_back(name);
  }
  for (const std::string& name : expired) {
    LOG(INFO) << "consumer " << stream_ << " > " << name << " inactive: deleted";
    Remove(name);
  }
}

void StreamConsumers::Announce(v1::DeliveryBatch* batch) const {
  for (const auto& [name, entry] : consumers_) {
    v1::ConsumerRef* ref = batch->add_consumers_added();
    ref->set_stream(stream_);
    ref->set_name(name);
    if (entry.consumer->is_push()) {
      batch->add_watch_interest(entry.consumer->config().deliver_subject());
    }
  }
  for (const auto& [reply, waiting] : replies_) {
    if (!waiting.watched) continue;
    v1::ReplyWatch* watch = batch->add_watch_replies();
    watch->set_stream(stream_);
    watch->set_reply(reply);
  }
}

void StreamConsumers::OnRequestWaiting(std::string_view reply, bool waiting) {
  auto it = replies_.find(absl::string_view(reply.data(), reply.size()));
  if (it == replies_.end()) it = replies_.emplace(std::string(reply), WaitingReply()).first;
  it->second.requests += waiting ? 1 : -1;
  if (!it->second.changed) {
    it->second.changed = true;
    replies_changed_.push_back(it->first);
  }
}

void StreamConsumers::WatchReplies() {
  for (const std::string& reply : replies_changed_) {
    auto it = replies_.find(reply);
    if (it == replies_.end()) continue;
    WaitingReply& waiting = it->second;
    waiting.changed = false;
    if (waiting.requests > 0) {
      if (waiting.watched) continue;
      waiting.watched = true;
      v1::ReplyWatch* watch = outgoing_.add_watch_replies();
      watch->set_stream(stream_);
      watch->set_reply(reply);
      continue;
    }
    if (waiting.watched) {
      v1::ReplyWatch* unwatch = outgoing_.add_unwatch_replies();
      unwatch->set_stream(stream_);
      unwatch->set_reply(reply);
    }
    replies_.erase(it);
  }
  replies_changed_.clear();
}

void StreamConsumers::SendOutgoing() {
  outgoing_bytes_ = 0;
  if (!replies_changed_.empty()) WatchReplies();
  if (!outgoing_.packed_deliveries().empty() || outgoing_.watch_interest_size() > 0 ||
      outgoing_.unwatch_interest_size() > 0 || outgoing_.watch_replies_size() > 0 ||
      outgoing_.unwatch_replies_size() > 0 || outgoing_.consumers_added_size() > 0 ||
      outgoing_.consumers_removed_size() > 0) {
    v1::DeliveryBatch batch;
    batch.Swap(&outgoing_);
    sink_->Send(std::move(batch));
  }
}

void StreamConsumers::Finish(int64_t) {
  SendOutgoing();
  int64_t due = tail_retry_ns_;
  for (const auto& [name, entry] : consumers_) {
    const int64_t d = entry.consumer->NextDueNs();
    if (d != 0 && (due == 0 || d < due)) due = d;
  }
  if (due != 0 && due != scheduled_due_ns_) {
    scheduled_due_ns_ = due;
    sink_->ScheduleTick(shared_from_this(), due);
  }
}

// --- Retention -----------------------------------------------------------------

absl::StatusOr<v1::SetConsumerFiltersResponse> StreamConsumers::SetInterest(
    const v1::ConsumerConfig* adding) {
  if (retention_ != v1::RETENTION_INTEREST) return v1::SetConsumerFiltersResponse();
  v1::SetConsumerFiltersRequest request;
  request.set_stream(stream_);
  auto add = [&request](const SubjectFilter& filter) {
    for (const std::string& subject : InterestOf(filter)) request.add_filters(subject);
  };
  for (const auto& [name, entry] : consumers_) add(entry.consumer->filter());
  if (adding != nullptr) add(SubjectFilter::Of(*adding));
  return store_->SetConsumerFilters(request);
}

void StreamConsumers::OnAcknowledged(uint64_t first, uint64_t last) {
  if (retention_ == v1::RETENTION_LIMITS || first == 0 || first > last) return;
  if (!acked_.empty() && acked_.back().first <= first && first <= acked_.back().second + 1) {
    acked_.back().second = std::max(acked_.back().second, last);
  } else {
    acked_.emplace_back(first, last);
  }
  ScheduleRemovals();
}

void StreamConsumers::AfterRemovals(std::function<void()> fn) {
  if (acked_.empty() && removal_waiters_.empty() && !removal_in_flight_) {
    fn();
    return;
  }
  removal_waiters_.push_back(std::move(fn));
  ScheduleRemovals();
}

void StreamConsumers::Settle(uint64_t id) {
  AfterRemovals([sink = sink_, id] {
    v1::DeliveryBatch batch;
    batch.add_settled(id);
    sink->Send(std::move(batch));
  });
}

void StreamConsumers::ScheduleRemovals() {
  if (removals_scheduled_) return;
  removals_scheduled_ = true;
  // Behind the tasks queued now: their acks join this one call.
  strand_->Post([weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->FlushRemovals();
      self->Finish(absl::GetCurrentTimeNanos());
    }
  });
}

void StreamConsumers::FlushRemovals() {
  removals_scheduled_ = false;
  if (removal_in_flight_) return;  // OnRemoved schedules the next.
  v1::RemoveMessagesRequest request = TakeRemovals();
  for (v1::Removal& removal : failed_removals_) *request.add_removals() = std::move(removal);
  failed_removals_.clear();
  std::vector<std::function<void()>> waiters;
  waiters.swap(removal_waiters_);
  if (request.removals().empty()) {
    for (std::function<void()>& fn : waiters) fn();
    return;
  }
  removal_in_flight_ = true;
  std::vector<v1::Removal> sent(request.removals().begin(), request.removals().end());
  store_->RemoveMessages(
      std::move(request),
      [link = link_, weak = weak_from_this(), sent = std::move(sent),
       waiters = std::move(waiters)](absl::StatusOr<v1::RemoveMessagesResponse> result) mutable {
        link->Post([weak, status = result.status(), sent = std::move(sent),
                    waiters = std::move(waiters)]() mutable {
          if (auto self = weak.lock()) {
            self->OnRemoved(status, std::move(sent), std::move(waiters));
            self->Finish(absl::GetCurrentTimeNanos());
          }
        });
      });
}

void StreamConsumers::OnRemoved(const absl::Status& status, std::vector<v1::Removal> sent,
                                std::vector<std::function<void()>> waiters) {
  removal_in_flight_ = false;
  if (!status.ok() && !common::IsJsError(status, common::JsErrorId::kStreamNotFound)) {
    LOG(WARNING) << "stream " << stream_ << ": acknowledged messages not removed: " << status
                 << "; asking again once the store is back";
    for (v1::Removal& removal : sent) failed_removals_.push_back(std::move(removal));
  }
  for (std::function<void()>& fn : waiters) fn();
  if (!acked_.empty() || !removal_waiters_.empty()) ScheduleRemovals();
}

v1::RemoveMessagesRequest StreamConsumers::TakeRemovals() {
  v1::RemoveMessagesRequest request;
  request.set_stream(stream_);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  ranges.swap(acked_);
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::string> keep;
  uint64_t next = 0;
  for (const auto& [first, last] : ranges) {
    for (uint64_t seq = std::max(first, next); seq <= last; ++seq) {
      keep.clear();
      if (retention_ == v1::RETENTION_INTEREST) {
        // nats-server's checkInterest: kept while a consumer that matches
        // it still needs its ack.
        bool held = false;
        for (const auto& [name, entry] : consumers_) {
          const Consumer& consumer = *entry.consumer;
          if (!consumer.Holds(seq)) continue;
          if (consumer.filter().empty()) {
            held = true;
            break;
          }
          keep.insert(keep.end(), consumer.filter().subjects().begin(),
                      consumer.filter().subjects().end());
        }
        if (held) continue;
        std::sort(keep.begin(), keep.end());
        keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
        if (const StreamFeed::Message* cached = feed_->Find(seq);
            cached != nullptr && !keep.empty()) {
          if (MatchesAny(keep, (*cached)->subject())) continue;
          keep.clear();
        }
      }
      feed_->Erase(seq);
      AddRemoval(seq, keep, &request);
    }
    next = std::max(next, last + 1);
  }
  return request;
}

}  // namespace jsengine::consumersvc
