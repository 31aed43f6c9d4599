#include "tools/jsm/kv_commands.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "tools/jsm/format.h"
#include "tools/jsm/service_errors.h"

namespace jsengine::tools::jsm {
namespace {

// The official clients' limit on history.
constexpr int64_t kMaxHistory = 64;

std::string StreamOf(const std::string& bucket) { return "KV_" + bucket; }
std::string SubjectOf(const std::string& bucket, const std::string& key) {
  return absl::StrCat("$KV.", bucket, ".", key);
}

absl::Status CheckBucket(const std::string& bucket) {
  const bool valid = !bucket.empty() && std::all_of(bucket.begin(), bucket.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '-';
  });
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("invalid bucket name \"", bucket, "\""));
}

absl::Status CheckKey(const std::string& key) {
  const bool valid =
      !key.empty() && key.front() != '.' && key.back() != '.' &&
      std::all_of(key.begin(), key.end(), [](char c) {
        return absl::ascii_isalnum(c) || c == '-' || c == '/' || c == '_' || c == '=' || c == '.';
      });
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("invalid key \"", key, "\""));
}

// "PUT", or the KV-Operation header's DEL or PURGE.
std::string Operation(const v1::StoredMessage& message) {
  for (absl::string_view line : absl::StrSplit(message.headers(), "\r\n")) {
    if (absl::ConsumePrefix(&line, "KV-Operation:")) {
      return std::string(absl::StripAsciiWhitespace(line));
    }
  }
  return "PUT";
}

bool IsNoMessage(const absl::Status& status) {
  return common::IsJsError(status, common::JsErrorId::kNoMessageFound);
}

std::string Created(const v1::StoredMessage& message) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", absl::FromUnixNanos(message.time_ns()),
                          absl::UTCTimeZone());
}

}  // namespace

absl::Status KvCommands::Run(const Args& args) {
  if (args.positional.empty()) {
    return absl::InvalidArgumentError("missing arguments: jsm kv add|put|get|ls|history|rm ...");
  }
  const std::string& verb = args.positional[0];
  Args rest = args;
  rest.positional.erase(rest.positional.begin());
  if (verb == "add") return Add(rest);
  if (verb == "put") return Put(rest);
  if (verb == "get") return Get(rest);
  if (verb == "ls") return List(rest);
  if (verb == "history") return History(rest);
  if (verb == "rm") return Remove(rest);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown command \"kv ", verb, "\" (see jsm help)"));
}

absl::Status KvCommands::FromStore(absl::Status status) const {
  if (common::IsJsError(status, common::JsErrorId::kStreamNotFound)) {
    return absl::NotFoundError("bucket not found");
  }
  return ExplainServiceError(std::move(status), "store", endpoints_.store, endpoints_.timeout);
}

absl::Status KvCommands::Add(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "kv add <bucket> [--history N]"));
  const std::string& bucket = args.positional[0];
  JSE_RETURN_IF_ERROR(CheckBucket(bucket));
  int64_t history = 1;
  if (args.Has("history") &&
      (!absl::SimpleAtoi(args.Get("history"), &history) || history < 1 || history > kMaxHistory)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid --history \"", args.Get("history"), "\" (1 to ", kMaxHistory, ")"));
  }
  // As nats.go's CreateKeyValue configures a bucket's stream.
  v1::CreateStreamRequest request;
  v1::StreamConfig& config = *request.mutable_config();
  config.set_name(StreamOf(bucket));
  config.add_subjects(SubjectOf(bucket, ">"));
  config.set_max_msgs_per_subject(history);
  config.set_max_msgs(-1);
  config.set_max_bytes(-1);
  config.set_max_msg_size(-1);
  config.set_max_consumers(-1);
  config.set_num_replicas(1);
  config.set_allow_rollup_hdrs(true);
  config.set_deny_delete(true);
  config.set_allow_direct(true);
  config.set_discard(v1::DISCARD_NEW);
  config.set_duplicate_window_ns(absl::ToInt64Nanoseconds(absl::Minutes(2)));
  JSE_RETURN_IF_ERROR(FromStore(store_.CreateStream(request).status()));
  out_ << kSeedOk;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> KvCommands::Append(const std::string& bucket, const std::string& key,
                                            const std::string& headers, const std::string& value) {
  v1::AppendBatch batch;
  v1::AppendRequest* request = batch.add_requests();
  request->set_id(1);
  request->set_stream(StreamOf(bucket));
  request->set_subject(SubjectOf(bucket, key));
  request->set_headers(headers);
  request->set_data(value);
  // Outlives this call if the answer comes after the timeout.
  struct Answer {
    absl::Notification done;
    v1::AppendResultBatch results;
  };
  auto answer = std::make_shared<Answer>();
  store_.Append(std::move(batch), [answer](v1::AppendResultBatch results) {
    answer->results = std::move(results);
    answer->done.Notify();
  });
  if (!answer->done.WaitForNotificationWithTimeout(absl::FromChrono(endpoints_.timeout))) {
    return FromStore(absl::DeadlineExceededError("no append result"));
  }
  if (answer->results.results_size() != 1) {
    return absl::InternalError("the store answered the append with no result");
  }
  const v1::AppendResult& result = answer->results.results(0);
  if (result.has_error()) return FromStore(common::FromErrorDetail(result.error()));
  return result.seq();
}

absl::Status KvCommands::Put(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 3, "kv put <bucket> <key> <value>"));
  JSE_RETURN_IF_ERROR(CheckBucket(args.positional[0]));
  JSE_RETURN_IF_ERROR(CheckKey(args.positional[1]));
  JSE_ASSIGN_OR_RETURN(uint64_t revision,
                       Append(args.positional[0], args.positional[1], "", args.positional[2]));
  out_ << "Revision: " << revision << "\n";
  return absl::OkStatus();
}

absl::StatusOr<v1::StoredMessage> KvCommands::Latest(const std::string& bucket,
                                                     const std::string& key) {
  v1::GetMessageRequest request;
  request.set_stream(StreamOf(bucket));
  request.set_last_by_subject(SubjectOf(bucket, key));
  absl::StatusOr<v1::StoredMessage> message = store_.GetMessage(request);
  if (!message.ok()) return FromStore(message.status());
  return message;
}

absl::Status KvCommands::Get(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "kv get <bucket> <key>"));
  JSE_RETURN_IF_ERROR(CheckBucket(args.positional[0]));
  JSE_RETURN_IF_ERROR(CheckKey(args.positional[1]));
  absl::StatusOr<v1::StoredMessage> latest = Latest(args.positional[0], args.positional[1]);
  if ((!latest.ok() && IsNoMessage(latest.status())) ||
      (latest.ok() && Operation(*latest) != "PUT")) {
    return absl::NotFoundError("key not found");
  }
  if (!latest.ok()) return latest.status();
  out_ << args.positional[0] << " > " << args.positional[1] << " revision: " << latest->seq()
       << " created @ " << Created(*latest) << "\n\n"
       << latest->data() << "\n";
  return absl::OkStatus();
}

absl::Status KvCommands::List(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "kv ls <bucket>"));
  const std::string& bucket = args.positional[0];
  JSE_RETURN_IF_ERROR(CheckBucket(bucket));
  v1::StreamInfoRequest request;
  request.set_name(StreamOf(bucket));
  request.set_subjects_filter(SubjectOf(bucket, ">"));
  absl::StatusOr<v1::StreamInfo> info = store_.GetStreamInfo(request);
  if (!info.ok()) return FromStore(info.status());
  const std::string prefix = SubjectOf(bucket, "");
  std::vector<std::string> keys;
  for (const auto& [subject, count] : info->state().subjects()) {
    const std::string key = subject.substr(prefix.size());
    JSE_ASSIGN_OR_RETURN(v1::StoredMessage latest, Latest(bucket, key));
    if (Operation(latest) == "PUT") keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  if (keys.empty()) out_ << "No keys found in bucket\n";
  for (const std::string& key : keys) out_ << key << "\n";
  return absl::OkStatus();
}

absl::Status KvCommands::History(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "kv history <bucket> <key>"));
  const std::string& bucket = args.positional[0];
  const std::string& key = args.positional[1];
  JSE_RETURN_IF_ERROR(CheckBucket(bucket));
  JSE_RETURN_IF_ERROR(CheckKey(key));
  std::vector<std::vector<std::string>> rows = {{"Revision", "Op", "Created", "Length", "Value"}};
  v1::GetMessageRequest request;
  request.set_stream(StreamOf(bucket));
  request.set_next_by_subject(SubjectOf(bucket, key));
  for (uint64_t from = 1;; from = request.seq() + 1) {
    request.set_seq(from);
    absl::StatusOr<v1::StoredMessage> message = store_.GetMessage(request);
    if (!message.ok() && IsNoMessage(message.status())) break;
    if (!message.ok()) return FromStore(message.status());
    request.set_seq(message->seq());
    rows.push_back({absl::StrCat(message->seq()), Operation(*message), Created(*message),
                    absl::StrCat(message->data().size()), message->data()});
  }
  if (rows.size() == 1) return absl::NotFoundError("key not found");
  out_ << AlignedTable(rows);
  return absl::OkStatus();
}

absl::Status KvCommands::Remove(const Args& args) {
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "kv rm <bucket> <key>"));
  JSE_RETURN_IF_ERROR(CheckBucket(args.positional[0]));
  JSE_RETURN_IF_ERROR(CheckKey(args.positional[1]));
  JSE_RETURN_IF_ERROR(
      Append(args.positional[0], args.positional[1], "NATS/1.0\r\nKV-Operation: DEL\r\n\r\n", "")
          .status());
  out_ << kSeedOk;
  return absl::OkStatus();
}

}  // namespace jsengine::tools::jsm
