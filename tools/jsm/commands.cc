#include "tools/jsm/commands.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "google/protobuf/util/json_util.h"
#include "tools/jsm/configs.h"
#include "tools/jsm/format.h"
#include "tools/jsm/interrupt.h"
#include "tools/jsm/service_errors.h"

namespace jsengine::tools::jsm {
namespace {

// A stream sequence typed by the user.
absl::StatusOr<uint64_t> ParseSeq(const std::string& text) {
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(text, &seq) || seq == 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid sequence \"", text, "\""));
  }
  return seq;
}

// `message` as proto JSON: indented, or on one line.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message, bool indented) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = indented;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto converted = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!converted.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the answer as JSON: ", converted.ToString()));
  }
  if (json.empty() || json.back() != '\n') json += "\n";
  return json;
}

// What a running read has handed over, kept for the thread that prints
// (the read's callbacks must not wait for it).
class ReadInbox {
 public:
  bool OnBatch(v1::MessageBatch& batch) {
    absl::MutexLock lock(&mu_);
    batches_.push_back(std::move(batch));
    return true;
  }
  void OnDone(absl::Status status) {
    absl::MutexLock lock(&mu_);
    done_ = std::move(status);
  }
  // Waits up to `timeout` for a batch or the end, then moves the batches
  // into `batches`; the read's status once it ended.
  std::optional<absl::Status> Take(absl::Duration timeout, std::vector<v1::MessageBatch>* batches) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &ReadInbox::HasNews), timeout);
    for (v1::MessageBatch& batch : batches_) batches->push_back(std::move(batch));
    batches_.clear();
    return done_;
  }

 private:
  bool HasNews() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !batches_.empty() || done_.has_value();
  }

  absl::Mutex mu_;
  std::vector<v1::MessageBatch> batches_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> done_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

Commands::Commands(storesvc::client::StoreClient& store,
                   consumersvc::client::ConsumerClient& consumers, Endpoints endpoints,
                   Prompter* prompter, std::ostream& out, std::ostream& err,
                   std::function<bool()> interrupted)
    : store_(store),
      consumers_(consumers),
      endpoints_(std::move(endpoints)),
      prompter_(prompter),
      out_(out),
      err_(err),
      interrupted_(std::move(interrupted)) {}

absl::Status Commands::Run(const Args& args) {
  switch (args.verb) {
    case Verb::kHelp:
      out_ << kUsage;
      return absl::OkStatus();
    case Verb::kAdd:
      return Add(args);
    case Verb::kList:
      return List(args);
    case Verb::kInfo:
      return Info(args);
    case Verb::kRm:
      return Remove(args);
    case Verb::kPurge:
      return Purge(args);
    case Verb::kGet:
      return Get(args);
    case Verb::kRmMsg:
      return RemoveMessage(args);
    case Verb::kEdit:
      return Edit(args);
    case Verb::kAddObs:
      return AddObservable(args);
    case Verb::kLsObs:
      return ListObservables(args);
    case Verb::kInfoObs:
      return ObservableInfo(args);
    case Verb::kRmObs:
      return RemoveObservable(args);
    case Verb::kNext:
    case Verb::kPub:
    case Verb::kSub:
    case Verb::kReq:
      return absl::InternalError("a NATS command (nats_commands.h), not a gRPC one");
    case Verb::kKv:
      return absl::InternalError("a key-value command (kv_commands.h)");
  }
  return absl::InternalError("unhandled command");
}

absl::Status Commands::FromStore(absl::Status status) const {
  return ExplainServiceError(std::move(status), "store", endpoints_.store, endpoints_.timeout);
}

absl::Status Commands::FromConsumers(absl::Status status) const {
  return ExplainServiceError(std::move(status), "consumer", endpoints_.consumer,
                             endpoints_.timeout);
}

absl::Status Commands::CountConsumers(const std::vector<v1::StreamInfo*>& streams) {
  if (streams.empty()) return absl::OkStatus();
  v1::ConsumerCountsRequest request;
  for (const v1::StreamInfo* info : streams) request.add_streams(info->config().name());
  absl::StatusOr<v1::ConsumerCountsResponse> counts = consumers_.ConsumerCounts(request);
  if (!counts.ok()) return FromConsumers(counts.status());
  if (counts->counts_size() != static_cast<int>(streams.size())) {
    return absl::InternalError("the consumer service counted the consumers of other streams");
  }
  for (size_t i = 0; i < streams.size(); ++i) {
    streams[i]->mutable_state()->set_consumer_count(counts->counts(static_cast<int>(i)));
  }
  return absl::OkStatus();
}

absl::Status Commands::Print(const Args& args, const google::protobuf::Message& message,
                             const std::string& text) {
  if (!args.Has("json")) {
    out_ << text;
    return absl::OkStatus();
  }
  JSE_ASSIGN_OR_RETURN(std::string json, ToJson(message, /*indented=*/true));
  out_ << json;
  return absl::OkStatus();
}

absl::Status Commands::Add(const Args& args) {
  if (args.positional.size() > 1) {
    return absl::InvalidArgumentError("too many arguments: jsm add [name] [flags]");
  }
  JSE_ASSIGN_OR_RETURN(v1::StreamConfig config, NewStreamConfig(args, prompter_));
  v1::CreateStreamRequest request;
  *request.mutable_config() = std::move(config);
  absl::StatusOr<v1::StreamInfo> info = store_.CreateStream(request);
  if (!info.ok()) return FromStore(info.status());
  return Print(args, *info, kSeedOk);
}

absl::StatusOr<v1::ListStreamsResponse> Commands::AllStreams() {
  v1::ListStreamsResponse all;
  v1::ListStreamsRequest request;
  do {
    request.set_offset(all.streams_size());
    absl::StatusOr<v1::ListStreamsResponse> page = store_.ListStreams(request);
    if (!page.ok()) return FromStore(page.status());
    all.set_total(page->total());
    if (page->streams().empty()) break;
    for (v1::StreamInfo& info : *page->mutable_streams()) *all.add_streams() = std::move(info);
  } while (all.streams_size() < all.total());
  all.set_limit(all.streams_size());
  return all;
}

absl::Status Commands::List(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 0, "list"));
  JSE_ASSIGN_OR_RETURN(v1::ListStreamsResponse all, AllStreams());
  std::vector<v1::StreamInfo*> streams;
  for (v1::StreamInfo& info : *all.mutable_streams()) streams.push_back(&info);
  JSE_RETURN_IF_ERROR(CountConsumers(streams));
  return Print(args, all, StreamListText({all.streams().begin(), all.streams().end()}));
}

absl::Status Commands::Info(const Args& args) {
  // The seed's jsm read `info <set> <observable>` as info-obs.
  if (args.positional.size() == 2) return ObservableInfo(args);
  // And `info` alone as the account's.
  if (args.positional.empty()) {
    JSE_ASSIGN_OR_RETURN(v1::ListStreamsResponse all, AllStreams());
    return Print(args, all, AccountInfoText({all.streams().begin(), all.streams().end()}));
  }
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "info <message set>"));
  v1::StreamInfoRequest request;
  request.set_name(args.positional[0]);
  absl::StatusOr<v1::StreamInfo> info = store_.GetStreamInfo(request);
  if (!info.ok()) return FromStore(info.status());
  JSE_RETURN_IF_ERROR(CountConsumers({&*info}));
  return Print(args, *info, StreamInfoText(*info));
}

absl::Status Commands::Remove(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "rm <message set>"));
  v1::DeleteStreamRequest request;
  request.set_name(args.positional[0]);
  JSE_RETURN_IF_ERROR(FromStore(store_.DeleteStream(request)));
  return Print(args, v1::DeleteStreamResponse(), kSeedOk);
}

absl::Status Commands::Purge(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "purge <message set> [--filter subject]"));
  const std::string& name = args.positional[0];
  const std::string filter = args.Get("filter");
  v1::StreamInfoRequest info_request;
  info_request.set_name(name);
  absl::StatusOr<v1::StreamInfo> info = store_.GetStreamInfo(info_request);
  if (!info.ok()) return FromStore(info.status());
  uint64_t messages = info->state().messages();
  if (!filter.empty()) {
    v1::FilteredStateRequest matching;
    matching.set_stream(name);
    matching.add_filter_subjects(filter);
    absl::StatusOr<v1::FilteredStateResponse> state = store_.FilteredState(matching);
    if (!state.ok()) return FromStore(state.status());
    messages = state->messages();
  }
  err_ << PurgeProgressText(name, filter, messages, info->state().bytes()) << std::flush;
  v1::PurgeStreamRequest request;
  request.set_name(args.positional[0]);
  request.set_filter(args.Get("filter"));
  absl::StatusOr<v1::PurgeStreamResponse> purged = consumers_.PurgeStream(request);
  if (!purged.ok()) return FromConsumers(purged.status());
  return Print(args, *purged,
               absl::StrCat("Purged ", Comma(static_cast<int64_t>(purged->purged())),
                            purged->purged() == 1 ? " message\n" : " messages\n"));
}

absl::Status Commands::Get(const Args& args) {
  if (args.Has("from")) return GetRange(args);
  if (args.Has("count") || args.Has("subject")) {
    return absl::InvalidArgumentError("--count and --subject go with --from <seq>");
  }
  v1::GetMessageRequest request;
  if (args.Has("last")) {
    JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "get <message set> --last <subject>"));
    request.set_last_by_subject(args.Get("last"));
  } else {
    JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "get <message set> <seq>"));
    JSE_ASSIGN_OR_RETURN(uint64_t seq, ParseSeq(args.positional[1]));
    request.set_seq(seq);
  }
  request.set_stream(args.positional[0]);
  absl::StatusOr<v1::StoredMessage> message = store_.GetMessage(request);
  if (!message.ok()) return FromStore(message.status());
  return Print(args, *message, MessageText(*message));
}

absl::Status Commands::GetRange(const Args& args) {
  JSE_RETURN_IF_ERROR(
      ExpectPositional(args, 1, "get <message set> --from <seq> [--count N] [--subject S]"));
  if (args.Has("last")) return absl::InvalidArgumentError("--last and --from exclude each other");
  JSE_ASSIGN_OR_RETURN(const uint64_t from, ParseSeq(args.Get("from")));
  uint64_t count = 0;  // 0: to the end.
  if (args.Has("count") && (!absl::SimpleAtoi(args.Get("count"), &count) || count == 0)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid --count \"", args.Get("count"), "\""));
  }
  v1::StreamInfoRequest info_request;
  info_request.set_name(args.positional[0]);
  absl::StatusOr<v1::StreamInfo> info = store_.GetStreamInfo(info_request);
  if (!info.ok()) return FromStore(info.status());
  // The end as it is now: what is stored while we read is not printed.
  const uint64_t last = info->state().last_seq();
  std::function<bool()> interrupted = interrupted_;
  if (interrupted == nullptr) {
    CatchInterrupts();
    interrupted = Interrupted;
  }
  const bool json = args.Has("json");
  const absl::Duration timeout = absl::FromChrono(endpoints_.timeout);
  uint64_t next = from;
  uint64_t printed = 0;
  while (next <= last && (count == 0 || printed < count)) {
    const uint64_t wanted = count == 0 ? kReadWindow : std::min(kReadWindow, count - printed);
    v1::ReadRequest request;
    request.set_stream(args.positional[0]);
    request.set_start_seq(next);
    request.set_filter_subject(args.Get("subject"));
    request.set_max_messages(wanted);
    auto inbox = std::make_shared<ReadInbox>();
    std::unique_ptr<storesvc::client::Subscription> read = store_.Read(
        request, [inbox](v1::MessageBatch& batch) { return inbox->OnBatch(batch); },
        [inbox](absl::Status status) { inbox->OnDone(std::move(status)); });
    uint64_t got = 0;  // By this read.
    absl::Time silent_since = absl::Now();
    while (true) {
      std::vector<v1::MessageBatch> batches;
      const std::optional<absl::Status> done = inbox->Take(absl::Milliseconds(100), &batches);
      if (interrupted()) {
        read->Cancel();
        return absl::OkStatus();
      }
      std::string text;
      bool past_end = false;
      for (const v1::MessageBatch& batch : batches) {
        for (const v1::StoredMessage& message : batch.messages()) {
          if (message.seq() > last) {
            past_end = true;
            break;
          }
          if (json) {
            JSE_ASSIGN_OR_RETURN(std::string line, ToJson(message, /*indented=*/false));
            absl::StrAppend(&text, line);
          } else {
            absl::StrAppend(&text, MessageText(message), "\n");
          }
          ++printed;
          ++got;
          next = message.seq() + 1;
        }
        if (past_end) break;
      }
      if (!text.empty()) out_ << text << std::flush;
      if (past_end) {
        read->Cancel();
        return absl::OkStatus();
      }
      if (done.has_value()) {
        if (!done->ok()) return FromStore(*done);
        if (got < wanted) return absl::OkStatus();  // The stored range ended.
        break;
      }
      if (!batches.empty()) {
        silent_since = absl::Now();
      } else if (absl::Now() - silent_since >= timeout) {
        read->Cancel();
        return FromStore(absl::DeadlineExceededError("the read stalled"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Commands::RemoveMessage(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "rm-msg <message set> <seq>"));
  v1::DeleteMessageRequest request;
  request.set_stream(args.positional[0]);
  JSE_ASSIGN_OR_RETURN(uint64_t seq, ParseSeq(args.positional[1]));
  request.set_seq(seq);
  JSE_RETURN_IF_ERROR(FromConsumers(consumers_.DeleteMessage(request)));
  return Print(args, v1::DeleteMessageResponse(), kSeedOk);
}

absl::Status Commands::Edit(const Args& args) {
  JSE_RETURN_IF_ERROR(
      ExpectPositional(args, 1, "edit <message set> [--subjects ...] [--max-msgs N] ..."));
  v1::StreamInfoRequest info_request;
  info_request.set_name(args.positional[0]);
  absl::StatusOr<v1::StreamInfo> current = store_.GetStreamInfo(info_request);
  if (!current.ok()) return FromStore(current.status());
  v1::UpdateStreamRequest request;
  *request.mutable_config() = current->config();
  JSE_RETURN_IF_ERROR(ApplyStreamEdits(args, request.mutable_config()));
  absl::StatusOr<v1::StreamInfo> info = store_.UpdateStream(request);
  if (!info.ok()) return FromStore(info.status());
  JSE_RETURN_IF_ERROR(CountConsumers({&*info}));
  return Print(args, *info, StreamInfoText(*info));
}

absl::Status Commands::AddObservable(const Args& args) {
  if (args.positional.size() > 2) {
    return absl::InvalidArgumentError("too many arguments: jsm add-obs [set] [durable] [flags]");
  }
  JSE_ASSIGN_OR_RETURN(v1::CreateConsumerRequest request, NewConsumerRequest(args, prompter_));
  absl::StatusOr<v1::ConsumerInfo> info = consumers_.CreateConsumer(request);
  if (!info.ok()) return FromConsumers(info.status());
  return Print(args, *info, kSeedOk);
}

absl::Status Commands::ListObservables(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "ls-obs <message set>"));
  v1::ListConsumersResponse all;
  v1::ListConsumersRequest request;
  request.set_stream(args.positional[0]);
  do {
    request.set_offset(all.consumers_size());
    absl::StatusOr<v1::ListConsumersResponse> page = consumers_.ListConsumers(request);
    if (!page.ok()) return FromConsumers(page.status());
    all.set_total(page->total());
    if (page->consumers().empty()) break;
    for (v1::ConsumerInfo& info : *page->mutable_consumers()) {
      *all.add_consumers() = std::move(info);
    }
  } while (all.consumers_size() < all.total());
  all.set_limit(all.consumers_size());
  return Print(args, all, ConsumerListText({all.consumers().begin(), all.consumers().end()}));
}

absl::Status Commands::ObservableInfo(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "info-obs <message set> <observable>"));
  v1::ConsumerRequest request;
  request.set_stream(args.positional[0]);
  request.set_name(args.positional[1]);
  absl::StatusOr<v1::ConsumerInfo> info = consumers_.GetConsumerInfo(request);
  if (!info.ok()) return FromConsumers(info.status());
  return Print(args, *info, ConsumerInfoText(*info));
}

absl::Status Commands::RemoveObservable(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "rm-obs <message set> <observable>"));
  v1::ConsumerRequest request;
  request.set_stream(args.positional[0]);
  request.set_name(args.positional[1]);
  JSE_RETURN_IF_ERROR(FromConsumers(consumers_.DeleteConsumer(request)));
  return Print(args, v1::DeleteConsumerResponse(), kSeedOk);
}

}  // namespace jsengine::tools::jsm
