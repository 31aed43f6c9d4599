#include "tools/bench/nats_session.h"

#include "absl/strings/str_cat.h"

namespace jsengine::tools::bench {

absl::Status NatsError(natsStatus s, absl::string_view what) {
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  return absl::UnavailableError(absl::StrCat(what, ": ", natsStatus_GetText(s),
                                             detail ? " (" : "",
                                             detail ? detail : "",
                                             detail ? ")" : ""));
}

namespace {

absl::Status JsError(natsStatus s, jsErrCode code, absl::string_view what) {
  absl::Status st = NatsError(s, what);
  if (code == 0) return st;
  return absl::Status(st.code(),
                      absl::StrCat(st.message(), " err_code=", code));
}

}  // namespace

NatsSession::~NatsSession() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (conn_ != nullptr) natsConnection_Destroy(conn_);
}

absl::Status NatsSession::Connect(const std::string& url,
                                  const std::string& name,
                                  int64_t timeout_ms, bool send_asap) {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(opts, name.c_str());
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, false);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetSendAsap(opts, send_asap);
  if (s == NATS_OK) s = natsConnection_Connect(&conn_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) return NatsError(s, absl::StrCat("connect to ", url));
  return absl::OkStatus();
}

absl::Status NatsSession::OpenJetStream(int64_t max_pending, int64_t wait_ms,
                                        jsPubAckErrHandler on_error,
                                        void* on_error_closure) {
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = wait_ms;
  o.PublishAsync.MaxPending = max_pending;
  o.PublishAsync.StallWait = wait_ms;
  o.PublishAsync.ErrHandler = on_error;
  o.PublishAsync.ErrHandlerClosure = on_error_closure;
  natsStatus s = natsConnection_JetStream(&js_, conn_, &o);
  if (s != NATS_OK) return NatsError(s, "open JetStream context");
  return absl::OkStatus();
}

absl::Status NatsSession::RecreateStream(const std::string& stream, const std::string& subject,
                                         bool memory, bool allow_direct, bool allow_rollup) {
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteStream(js_, stream.c_str(), nullptr, &code);
  if (s != NATS_OK && code != JSStreamNotFoundErr && s != NATS_NOT_FOUND) {
    return JsError(s, code, absl::StrCat("delete stream ", stream));
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = stream.c_str();
  const char* subjects[] = {subject.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = memory ? js_MemoryStorage : js_FileStorage;
  cfg.AllowDirect = allow_direct;
  cfg.AllowRollup = allow_rollup;
  jsStreamInfo* si = nullptr;
  code = static_cast<jsErrCode>(0);
  s = js_AddStream(&si, js_, &cfg, nullptr, &code);
  if (si != nullptr) jsStreamInfo_Destroy(si);
  if (s != NATS_OK) return JsError(s, code, absl::StrCat("add stream ", stream));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> NatsSession::StreamMessages(const std::string& stream) {
  jsStreamInfo* si = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, stream.c_str(), nullptr, &code);
  if (s != NATS_OK) {
    return JsError(s, code, absl::StrCat("stream info ", stream));
  }
  uint64_t msgs = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  return msgs;
}

absl::Status NatsSession::DeleteStream(const std::string& stream) {
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteStream(js_, stream.c_str(), nullptr, &code);
  if (s != NATS_OK) {
    return JsError(s, code, absl::StrCat("delete stream ", stream));
  }
  return absl::OkStatus();
}

absl::Status NatsSession::AddConsumer(const std::string& stream, const jsConsumerConfig& config) {
  jsConsumerConfig copy = config;  // The C API takes it non-const.
  jsConsumerInfo* ci = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&ci, js_, stream.c_str(), &copy, nullptr, &code);
  if (ci != nullptr) jsConsumerInfo_Destroy(ci);
  if (s != NATS_OK) {
    return JsError(s, code, absl::StrCat("add consumer to ", stream));
  }
  return absl::OkStatus();
}

absl::StatusOr<NatsSession::ConsumerProgress> NatsSession::ConsumerInfo(
    const std::string& stream, const std::string& consumer) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, js_, stream.c_str(), consumer.c_str(), nullptr, &code);
  if (s != NATS_OK) {
    return JsError(s, code, absl::StrCat("consumer info ", stream, " > ", consumer));
  }
  ConsumerProgress progress;
  progress.delivered_stream_seq = ci->Delivered.Stream;
  progress.ack_pending = ci->NumAckPending;
  progress.pending = ci->NumPending;
  jsConsumerInfo_Destroy(ci);
  return progress;
}

}  // namespace jsengine::tools::bench
