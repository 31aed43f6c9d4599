#include "tools/jsm/nats_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/status.h"
#include "nats/nats.h"
#include "tools/jsm/format.h"
#include "tools/jsm/interrupt.h"

namespace jsengine::tools::jsm {
namespace {

absl::Status NatsError(absl::string_view doing, natsStatus status) {
  return absl::UnavailableError(absl::StrCat(doing, ": ", natsStatus_GetText(status)));
}

// One connection to the gateway, closed on destruction.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const Endpoints& endpoints) {
    natsOptions* options = nullptr;
    natsConnection* nc = nullptr;
    natsStatus s = natsOptions_Create(&options);
    if (s == NATS_OK) s = natsOptions_SetURL(options, endpoints.nats.c_str());
    if (s == NATS_OK) s = natsOptions_SetTimeout(options, endpoints.timeout.count());
    if (s == NATS_OK) s = natsOptions_SetAllowReconnect(options, false);
    if (s == NATS_OK) s = natsOptions_SetName(options, "jsm");
    if (s == NATS_OK) s = natsConnection_Connect(&nc, options);
    natsOptions_Destroy(options);
    if (s != NATS_OK) {
      return NatsError(absl::StrCat("cannot reach the NATS server at ", endpoints.nats), s);
    }
    return std::unique_ptr<Connection>(new Connection(nc));
  }
  ~Connection() { natsConnection_Destroy(nc_); }

  natsConnection* nc() const { return nc_; }

 private:
  explicit Connection(natsConnection* nc) : nc_(nc) {}
  natsConnection* const nc_;
};

// A message, destroyed with its holder.
using Msg = std::unique_ptr<natsMsg, decltype(&natsMsg_Destroy)>;

std::string Data(natsMsg* msg) {
  return std::string(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
}

// The status of a JetStream status message (e.g. "404"), or "".
std::string StatusOf(natsMsg* msg) {
  const char* status = nullptr;
  if (natsMsgHeader_Get(msg, "Status", &status) != NATS_OK || status == nullptr) return "";
  return status;
}

}  // namespace

absl::Status NatsCommands::Run(const Args& args) {
  switch (args.verb) {
    case Verb::kPub:
      return Pub(args);
    case Verb::kReq:
      return Req(args);
    case Verb::kSub:
      return Sub(args);
    case Verb::kNext:
      return Next(args);
    default:
      return absl::InternalError("not a NATS command");
  }
}

int NatsCommands::TimeoutMs() const { return static_cast<int>(endpoints_.timeout.count()); }

absl::Status NatsCommands::Pub(const Args& args) {
  const int timeout_ms = TimeoutMs();
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "pub <subject> <data>"));
  JSE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Open(endpoints_));
  const std::string& data = args.positional[1];
  natsStatus s = natsConnection_Publish(connection->nc(), args.positional[0].c_str(), data.data(),
                                        static_cast<int>(data.size()));
  if (s == NATS_OK) s = natsConnection_FlushTimeout(connection->nc(), timeout_ms);
  if (s != NATS_OK) return NatsError("publish", s);
  out_ << "Published " << data.size() << " bytes to \"" << args.positional[0] << "\"\n";
  return absl::OkStatus();
}

absl::Status NatsCommands::Req(const Args& args) {
  const int timeout_ms = TimeoutMs();
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "req <subject> <data>"));
  JSE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Open(endpoints_));
  const std::string& data = args.positional[1];
  natsMsg* reply = nullptr;
  const natsStatus s =
      natsConnection_Request(&reply, connection->nc(), args.positional[0].c_str(), data.data(),
                             static_cast<int>(data.size()), timeout_ms);
  if (s != NATS_OK) return NatsError(absl::StrCat("request to ", args.positional[0]), s);
  Msg holder(reply, &natsMsg_Destroy);
  out_ << "Received " << Data(reply) << "\n";
  return absl::OkStatus();
}

absl::Status NatsCommands::Sub(const Args& args) {
  const int timeout_ms = TimeoutMs();
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 1, "sub <subject> [--count N]"));
  int64_t count = -1;
  if (args.Has("count") && (!absl::SimpleAtoi(args.Get("count"), &count) || count <= 0)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid --count \"", args.Get("count"), "\""));
  }
  JSE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Open(endpoints_));
  natsSubscription* sub = nullptr;
  natsStatus s = natsConnection_SubscribeSync(&sub, connection->nc(), args.positional[0].c_str());
  if (s == NATS_OK) s = natsConnection_FlushTimeout(connection->nc(), timeout_ms);
  if (s != NATS_OK) {
    natsSubscription_Destroy(sub);
    return NatsError(absl::StrCat("subscribe to ", args.positional[0]), s);
  }
  CatchInterrupts();
  out_ << "Listening on [" << args.positional[0] << "]" << std::endl;
  int64_t received = 0;
  absl::Status result;
  while (!Interrupted() && (count < 0 || received < count)) {
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, 100);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {
      result = NatsError("receive", s);
      break;
    }
    Msg holder(msg, &natsMsg_Destroy);
    ++received;
    out_ << "[#" << received << "] Received on \"" << natsMsg_GetSubject(msg) << "\"\n"
         << Data(msg) << "\n"
         << std::endl;
  }
  natsSubscription_Destroy(sub);
  return result;
}

absl::Status NatsCommands::Next(const Args& args) {
  const int timeout_ms = TimeoutMs();
  JSE_RETURN_IF_ERROR(ExpectPositional(args, 2, "next <message set> <observable>"));
  JSE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::Open(endpoints_));
  const std::string subject =
      absl::StrCat("$JS.API.CONSUMER.MSG.NEXT.", args.positional[0], ".", args.positional[1]);
  // The server answers 408 at `expires` when no message came: a little
  // before our own timeout, so that we tell the two apart.
  const int64_t expires_ns = static_cast<int64_t>(timeout_ms) * 1000000 * 8 / 10;
  const std::string body = absl::StrCat("{\"batch\":1,\"expires\":", expires_ns, "}");
  natsMsg* reply = nullptr;
  natsStatus s = natsConnection_Request(&reply, connection->nc(), subject.c_str(), body.data(),
                                        static_cast<int>(body.size()), timeout_ms);
  if (s == NATS_NO_RESPONDERS) {
    return absl::NotFoundError(
        absl::StrCat("no observable ", args.positional[1], " on ", args.positional[0]));
  }
  if (s == NATS_TIMEOUT) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no answer from observable ", args.positional[1], " on ", args.positional[0], " within ",
        absl::FormatDuration(absl::FromChrono(endpoints_.timeout)), " (is it a pull observable?)"));
  }
  if (s != NATS_OK) return NatsError(absl::StrCat("pull from ", args.positional[1]), s);
  Msg holder(reply, &natsMsg_Destroy);
  const std::string status = StatusOf(reply);
  if (status == "404" || status == "408") {
    return absl::NotFoundError("no message to deliver");
  }
  if (!status.empty()) {
    const char* description = nullptr;
    natsMsgHeader_Get(reply, "Description", &description);
    return absl::FailedPreconditionError(
        absl::StrCat(status, " ", description == nullptr ? "" : description));
  }
  // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>
  const char* ack_subject = natsMsg_GetReply(reply);
  const std::vector<std::string> ack =
      absl::StrSplit(ack_subject == nullptr ? "" : ack_subject, '.');
  v1::StoredMessage message;
  message.set_subject(natsMsg_GetSubject(reply));
  uint64_t seq = 0;
  int64_t ts = 0;
  if (ack.size() >= 9 && absl::SimpleAtoi(ack[5], &seq) && absl::SimpleAtoi(ack[7], &ts)) {
    message.set_seq(seq);
    message.set_time_ns(ts);
  }
  message.set_data(Data(reply));
  if (ack_subject != nullptr) {
    natsMsg* confirmed = nullptr;
    s = natsConnection_RequestString(&confirmed, connection->nc(), ack_subject, "+ACK", timeout_ms);
    natsMsg_Destroy(confirmed);
    if (s != NATS_OK) return NatsError("ack", s);
  }
  out_ << MessageText(message) << "Acknowledged\n";
  return absl::OkStatus();
}

}  // namespace jsengine::tools::jsm
