// Thin RAII helpers over the NATS C client for the load tools: a connection
// that does not reconnect, and JetStream stream administration.
//
//   NatsSession s;
//   absl::Status st = s.Connect("nats://127.0.0.1:4222", "natsbench-pub");
//   natsConnection_Publish(s.conn(), "bench", data, len);
//
// A NatsSession owns its connection and JetStream context; the C client is
// thread-safe, so conn()/js() may be used from several threads, but
// Connect/OpenJetStream/destruction are not.
#ifndef JSENGINE_TOOLS_BENCH_NATS_SESSION_H_
#define JSENGINE_TOOLS_BENCH_NATS_SESSION_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nats/nats.h"

namespace jsengine::tools::bench {

// Turns a C client status (and the library's last error text) into a Status.
absl::Status NatsError(natsStatus s, absl::string_view what);

class NatsSession {
 public:
  NatsSession() = default;
  ~NatsSession();
  NatsSession(const NatsSession&) = delete;
  NatsSession& operator=(const NatsSession&) = delete;

  // `send_asap` writes each publish to the socket at once instead of letting
  // the client batch them (what a responder wants for latency).
  absl::Status Connect(const std::string& url, const std::string& name,
                       int64_t timeout_ms = 2000, bool send_asap = false);

  // `max_pending` bounds js_PublishAsync's messages in flight; `wait_ms` is
  // the JetStream API timeout.
  absl::Status OpenJetStream(int64_t max_pending, int64_t wait_ms,
                             jsPubAckErrHandler on_error = nullptr,
                             void* on_error_closure = nullptr);

  natsConnection* conn() const { return conn_; }
  jsCtx* js() const { return js_; }

  // Deletes `stream` if present, then creates it on one subject;
  // `allow_direct` lets $JS.API.DIRECT.GET read it; `allow_rollup` honours
  // Nats-Rollup headers.
  absl::Status RecreateStream(const std::string& stream, const std::string& subject, bool memory,
                              bool allow_direct = false, bool allow_rollup = false);
  absl::StatusOr<uint64_t> StreamMessages(const std::string& stream);
  absl::Status DeleteStream(const std::string& stream);

  // What a consumer's info says of its progress.
  struct ConsumerProgress {
    uint64_t delivered_stream_seq = 0;
    int64_t ack_pending = 0;
    uint64_t pending = 0;
  };
  absl::Status AddConsumer(const std::string& stream, const jsConsumerConfig& config);
  absl::StatusOr<ConsumerProgress> ConsumerInfo(const std::string& stream,
                                                const std::string& consumer);

 private:
  natsConnection* conn_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace jsengine::tools::bench

#endif  // JSENGINE_TOOLS_BENCH_NATS_SESSION_H_
