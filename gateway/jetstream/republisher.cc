#include "gateway/jetstream/republisher.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/go_json_writer.h"
#include "common/subject_transform.h"
#include "glog/logging.h"
#include "google/protobuf/util/message_differencer.h"

namespace jsengine::gateway::jetstream {

// One stream's tail and what it needs to republish.
class Republisher::Tail {
 public:
  Tail(std::string stream, v1::RePublish config, common::SubjectTransform transform)
      : stream_(std::move(stream)), config_(std::move(config)), transform_(std::move(transform)) {}
  ~Tail() { Stop(); }

  const v1::RePublish& config() const { return config_; }

  void Start(storesvc::client::StoreClient* store, const Publish& publish, uint64_t start_seq) {
    v1::ReadRequest req;
    req.set_stream(stream_);
    req.set_start_seq(start_seq);
    req.set_tail(true);
    req.add_filter_subjects(config_.src().empty() ? ">" : config_.src());
    auto sub = store->Read(
        req,
        [this, store, publish](v1::MessageBatch& batch) {
          for (const v1::StoredMessage& m : batch.messages()) Republish(store, publish, m);
          return true;
        },
        [stream = stream_](absl::Status st) {
          if (!st.ok()) LOG(WARNING) << "republish of stream " << stream << " stopped: " << st;
        });
    absl::MutexLock lock(&mu_);
    subscription_ = std::move(sub);
  }

  void Stop() {
    std::unique_ptr<storesvc::client::Subscription> sub;
    {
      absl::MutexLock lock(&mu_);
      sub = std::move(subscription_);
    }
    if (sub != nullptr) sub->Cancel();
  }

 private:
  void Republish(storesvc::client::StoreClient* store, const Publish& publish,
                 const v1::StoredMessage& m) {
    std::optional<std::string> subject = transform_.Match(m.subject());
    if (!subject.has_value()) return;
    uint64_t last = 0;
    auto it = last_seq_.find(m.subject());
    if (it != last_seq_.end()) {
      last = it->second;
    } else {
      v1::GetMessageRequest get;
      get.set_stream(stream_);
      get.set_last_by_subject(m.subject());
      absl::StatusOr<v1::StoredMessage> prev = store->GetMessage(get);
      // The newest may already be this message or a later one: then the
      // one before is not known here.
      if (prev.ok() && prev->seq() < m.seq()) last = prev->seq();
    }
    last_seq_[m.subject()] = m.seq();
    publish(*subject, Headers(m.headers(), stream_, m, last, config_.headers_only()),
            config_.headers_only() ? std::string() : m.data());
  }

  const std::string stream_;
  const v1::RePublish config_;
  const common::SubjectTransform transform_;
  // The last sequence republished per subject; used by the reader thread.
  std::map<std::string, uint64_t> last_seq_;
  absl::Mutex mu_;
  std::unique_ptr<storesvc::client::Subscription> subscription_ ABSL_GUARDED_BY(mu_);
};

Republisher::Republisher(storesvc::client::StoreClient* store, Publish publish)
    : store_(store), publish_(std::move(publish)) {}

Republisher::~Republisher() {
  std::map<std::string, std::shared_ptr<Tail>> tails;
  {
    absl::MutexLock lock(&mu_);
    tails.swap(tails_);
  }
  for (auto& [name, tail] : tails) tail->Stop();
}

std::string Republisher::Headers(const std::string& original, const std::string& stream,
                                 const v1::StoredMessage& msg, uint64_t last_seq,
                                 bool headers_only) {
  std::string out;
  if (absl::StartsWith(original, "NATS/1.0") && absl::EndsWith(original, "\r\n\r\n")) {
    out = original.substr(0, original.size() - 2);
  } else {
    out = "NATS/1.0\r\n";
  }
  absl::StrAppend(&out, "Nats-Stream: ", stream, "\r\nNats-Subject: ", msg.subject(),
                  "\r\nNats-Sequence: ", msg.seq(),
                  "\r\nNats-Time-Stamp: ", common::GoTime(msg.time_ns()),
                  "\r\nNats-Last-Sequence: ", last_seq, "\r\n");
  if (headers_only) absl::StrAppend(&out, "Nats-Msg-Size: ", msg.data().size(), "\r\n");
  absl::StrAppend(&out, "\r\n");
  return out;
}

void Republisher::Apply(const v1::StreamConfig& config, bool from_start) {
  std::shared_ptr<Tail> old;
  std::shared_ptr<Tail> tail;
  {
    absl::MutexLock lock(&mu_);
    auto it = tails_.find(config.name());
    if (it != tails_.end()) {
      if (config.has_republish() && google::protobuf::util::MessageDifferencer::Equals(
                                        it->second->config(), config.republish())) {
        return;
      }
      old = it->second;
      tails_.erase(it);
    }
    if (config.has_republish()) {
      absl::StatusOr<common::SubjectTransform> tr =
          common::SubjectTransform::Create(config.republish().src(), config.republish().dest());
      if (!tr.ok()) {
        LOG(WARNING) << "stream " << config.name() << ": republish not started: " << tr.status();
      } else {
        tail = std::make_shared<Tail>(config.name(), config.republish(), *std::move(tr));
        tails_[config.name()] = tail;
      }
    }
  }
  if (old != nullptr) old->Stop();
  if (tail == nullptr) return;
  uint64_t start = 1;
  if (!from_start) {
    v1::StreamInfoRequest req;
    req.set_name(config.name());
    absl::StatusOr<v1::StreamInfo> info = store_->GetStreamInfo(req);
    if (info.ok()) start = info->state().last_seq() + 1;
  }
  tail->Start(store_, publish_, start);
}

void Republisher::Remove(const std::string& stream) {
  std::shared_ptr<Tail> old;
  {
    absl::MutexLock lock(&mu_);
    auto it = tails_.find(stream);
    if (it == tails_.end()) return;
    old = it->second;
    tails_.erase(it);
  }
  old->Stop();
}

void Republisher::RetainOnly(const absl::flat_hash_set<std::string>& streams) {
  std::vector<std::string> gone;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, tail] : tails_) {
      if (!streams.contains(name)) gone.push_back(name);
    }
  }
  for (const std::string& name : gone) Remove(name);
}

}  // namespace jsengine::gateway::jetstream
