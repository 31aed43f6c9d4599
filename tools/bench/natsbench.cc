// natsbench: a load generator in the spirit of `nats bench`, over the
// official NATS C client, aimed at any NATS server URL. Each scenario prints
// one machine-readable `RESULT scenario=... key=value ...` line (parsed by
// compare.sh) and one human-readable line. The whole run is bounded by
// --timeout_s: past it the process exits with status 3.
//
//   natsbench --url nats://127.0.0.1:4222 --scenario pubsub --pubs 2 --subs 2
//   natsbench --scenario js-fill --msgs 1000000 --stream RESTART
//   natsbench --scenario js-count --stream RESTART --wait_for_msgs 1000000
//   natsbench --scenario js-first-ack --subject restart.bench   # while a server restarts
//   natsbench --scenario js-consume-pull --msgs 500000 --server_pid 1234
//
// With --server_pid (the server's processes), every RESULT line also carries
// the server's peak resident memory during the scenario.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nats/nats.h"
#include "tools/bench/latency_samples.h"
#include "tools/bench/nats_session.h"
#include "tools/bench/process_memory.h"
#include "tools/bench/result_line.h"

ABSL_FLAG(std::string, url, "nats://127.0.0.1:4222", "NATS server URL");
ABSL_FLAG(std::string, scenario, "pubsub",
          "pubsub | pub | reqrep | js-pub-async | js-pub-sync | js-fill | "
          "js-count | js-first-ack | js-consume-push | js-consume-pull | js-consume-fanout | "
          "js-mem-pending | js-mem-consumers | kv-put | kv-get | direct-get | "
          "ordered-consume | obj-put | obj-get");
ABSL_FLAG(int64_t, msgs, 100000, "messages (or requests) in total");
ABSL_FLAG(int, size, 128, "payload bytes");
ABSL_FLAG(int, pubs, 1, "publisher connections (pubsub, pub)");
ABSL_FLAG(int, subs, 1, "subscriber connections (pubsub)");
ABSL_FLAG(std::string, subject, "bench.subject", "subject to publish on");
ABSL_FLAG(std::string, stream, "BENCH", "JetStream stream name");
ABSL_FLAG(bool, memory, false, "memory storage instead of file storage");
ABSL_FLAG(int64_t, max_in_flight, 256,
          "js-pub-async/js-fill: bound on unacknowledged publishes");
ABSL_FLAG(int64_t, wait_for_msgs, -1,
          "js-count: poll (reconnecting) until the stream holds at least this "
          "many messages; -1 queries once");
ABSL_FLAG(bool, keep_stream, false,
          "js-pub-async/js-pub-sync: keep the stream instead of deleting it");
ABSL_FLAG(int, consumers, -1,
          "js-consume-fanout: consumers reading the whole stream (default "
          "4); js-mem-consumers: idle consumers to create (default 1000)");
ABSL_FLAG(int64_t, keys, 1000, "kv-put/kv-get: distinct keys; direct-get: stored messages read");
ABSL_FLAG(int, batch, 100, "js-consume-pull: messages per fetch");
ABSL_FLAG(int64_t, max_ack_pending, 0,
          "js-consume-*: the consumers' max_ack_pending (0: the server's "
          "default, 1000)");
ABSL_FLAG(bool, prefilled, false,
          "js-consume-*: consume the stream as it is (js-fill made it) "
          "instead of filling it first, e.g. to profile the consume alone");
ABSL_FLAG(std::string, server_pid, "",
          "the server's process ids (comma-separated): report its peak "
          "resident memory (VmHWM, reset at the scenario's start)");
ABSL_FLAG(int, settle_ms, 1000, "js-mem-*: wait this long before each resident-memory reading");
ABSL_FLAG(int, timeout_s, 300, "hard limit for the whole run, in seconds");

namespace jsengine::tools::bench {
namespace {

constexpr int64_t kRequestTimeoutMs = 5000;

struct Options {
  std::string url;
  int64_t msgs;
  int size;
  int pubs;
  int subs;
  std::string subject;
  std::string stream;
  bool memory;
  int64_t max_in_flight;
  int64_t wait_for_msgs;
  bool keep_stream;
  int consumers;
  int batch;
  int64_t keys;
  int64_t max_ack_pending;
  bool prefilled;
  int settle_ms;
  ProcessMemory server{{}};
  absl::Time deadline;

  int64_t RemainingMs() const {
    return std::max<int64_t>(
        1, absl::ToInt64Milliseconds(deadline - absl::Now()));
  }
};

double Mib(int64_t kib) { return static_cast<double>(kib) / 1024.0; }

// Prints the scenario's lines; with --server_pid, adds the server's peak
// resident memory since the scenario started.
void Report(const Options& o, ResultLine& line, std::string human) {
  if (!o.server.empty()) {
    std::vector<int64_t> each;
    absl::StatusOr<int64_t> peak = o.server.PeakKib(&each);
    if (peak.ok()) {
      line.Add("server_peak_rss_mib", Mib(*peak));
      absl::StrAppendFormat(&human, "\n  server peak RSS %.1f MiB", Mib(*peak));
      if (each.size() > 1) {
        for (size_t i = 0; i < each.size(); ++i) {
          absl::StrAppendFormat(&human, "%s pid %d %.1f", i == 0 ? " (" : ",", o.server.pids()[i],
                                Mib(each[i]));
        }
        human += ")";
      }
    } else {
      std::fprintf(stderr, "natsbench: server memory: %s\n", peak.status().ToString().c_str());
    }
  }
  std::printf("%s\n%s\n", line.str().c_str(), human.c_str());
  std::fflush(stdout);
}

std::string Payload(int size) {
  std::string p(static_cast<size_t>(size), '\0');
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('a' + i % 26);
  return p;
}

// Counts one subscriber's deliveries and the times of its first and last.
struct SubscriberTally {
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> first_ns{0};
  std::atomic<int64_t> last_ns{0};
};

void OnBenchMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                    void* closure) {
  natsMsg_Destroy(msg);
  auto* tally = static_cast<SubscriberTally*>(closure);
  int64_t now = absl::GetCurrentTimeNanos();
  if (tally->received.fetch_add(1, std::memory_order_relaxed) == 0) {
    tally->first_ns.store(now, std::memory_order_relaxed);
  }
  tally->last_ns.store(now, std::memory_order_relaxed);
}

// Waits until every tally (SubscriberTally, ConsumeTally) has received
// --msgs messages, or the run's deadline.
template <typename Tally>
void AwaitReceived(const Options& o, const std::vector<Tally>& tallies) {
  auto all_received = [&] {
    for (const Tally& t : tallies) {
      if (t.received.load() < o.msgs) return false;
    }
    return true;
  };
  while (!all_received() && absl::Now() < o.deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
}

// Runs `pubs` publisher connections, each sending its share of `msgs`, and
// returns the wall time from the common start until every one has flushed.
absl::StatusOr<absl::Duration> RunPublishers(const Options& o) {
  std::vector<std::unique_ptr<NatsSession>> sessions;
  for (int i = 0; i < o.pubs; ++i) {
    sessions.push_back(std::make_unique<NatsSession>());
    absl::Status st =
        sessions.back()->Connect(o.url, absl::StrFormat("natsbench-pub-%d", i));
    if (!st.ok()) return st;
  }
  const std::string payload = Payload(o.size);
  std::vector<absl::Status> results(o.pubs);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < o.pubs; ++i) {
    int64_t share = o.msgs / o.pubs + (i == 0 ? o.msgs % o.pubs : 0);
    threads.emplace_back([&, i, share] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      natsConnection* nc = sessions[i]->conn();
      for (int64_t n = 0; n < share; ++n) {
        natsStatus s = natsConnection_Publish(nc, o.subject.c_str(),
                                              payload.data(), o.size);
        if (s != NATS_OK) {
          results[i] = NatsError(s, "publish");
          return;
        }
      }
      natsStatus s = natsConnection_FlushTimeout(nc, o.RemainingMs());
      if (s != NATS_OK) results[i] = NatsError(s, "flush");
    });
  }
  absl::Time start = absl::Now();
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  absl::Duration elapsed = absl::Now() - start;
  for (const auto& st : results) {
    if (!st.ok()) return st;
  }
  return elapsed;
}

int Fail(const std::string& scenario, const absl::Status& st) {
  std::fprintf(stderr, "natsbench %s: %s\n", scenario.c_str(),
               st.ToString().c_str());
  return 1;
}

int RunPubSub(const Options& o) {
  const std::string name = "pubsub";
  std::vector<std::unique_ptr<NatsSession>> sessions;
  std::vector<SubscriberTally> tallies(o.subs);
  std::vector<natsSubscription*> subscriptions(o.subs, nullptr);
  for (int i = 0; i < o.subs; ++i) {
    sessions.push_back(std::make_unique<NatsSession>());
    absl::Status st =
        sessions.back()->Connect(o.url, absl::StrFormat("natsbench-sub-%d", i));
    if (!st.ok()) return Fail(name, st);
    natsConnection* nc = sessions.back()->conn();
    natsStatus s = natsConnection_Subscribe(&subscriptions[i], nc,
                                            o.subject.c_str(), OnBenchMessage,
                                            &tallies[i]);
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(subscriptions[i], -1, -1);
    if (s == NATS_OK) s = natsConnection_FlushTimeout(nc, kRequestTimeoutMs);
    if (s != NATS_OK) return Fail(name, NatsError(s, "subscribe"));
  }
  absl::StatusOr<absl::Duration> pub_elapsed = RunPublishers(o);
  if (!pub_elapsed.ok()) return Fail(name, pub_elapsed.status());

  AwaitReceived(o, tallies);
  int64_t total = 0;
  int64_t first = INT64_MAX;
  int64_t last = 0;
  for (int i = 0; i < o.subs; ++i) {
    int64_t got = tallies[i].received.load();
    if (got != o.msgs) {
      int64_t dropped = 0;
      natsSubscription_GetDropped(subscriptions[i], &dropped);
      return Fail(name, absl::DataLossError(absl::StrFormat(
                            "subscriber %d received %d of %d (dropped %d)", i,
                            got, o.msgs, dropped)));
    }
    total += got;
    first = std::min(first, tallies[i].first_ns.load());
    last = std::max(last, tallies[i].last_ns.load());
  }
  for (natsSubscription* sub : subscriptions) natsSubscription_Destroy(sub);

  double pub_s = absl::ToDoubleSeconds(*pub_elapsed);
  double sub_s = (last - first) / 1e9;
  ResultLine line(name);
  line.Add("pubs", int64_t{o.pubs})
      .Add("subs", int64_t{o.subs})
      .Add("msgs", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("pub_msgs_per_sec", PerSecond(o.msgs, pub_s))
      .Add("pub_mib_per_sec", MibPerSecond(o.msgs, o.size, pub_s))
      .Add("sub_msgs_per_sec", PerSecond(total, sub_s))
      .Add("sub_mib_per_sec", MibPerSecond(total, o.size, sub_s));
  Report(o, line,
         absl::StrFormat("pubsub %dx%d, %d msgs of %d B: publishers %.0f msgs/s "
                         "(%.1f MiB/s), subscribers %.0f msgs/s (%.1f MiB/s)",
                         o.pubs, o.subs, o.msgs, o.size, PerSecond(o.msgs, pub_s),
                         MibPerSecond(o.msgs, o.size, pub_s), PerSecond(total, sub_s),
                         MibPerSecond(total, o.size, sub_s)));
  return 0;
}

int RunPub(const Options& o) {
  absl::StatusOr<absl::Duration> elapsed = RunPublishers(o);
  if (!elapsed.ok()) return Fail("pub", elapsed.status());
  double s = absl::ToDoubleSeconds(*elapsed);
  ResultLine line("pub");
  line.Add("pubs", int64_t{o.pubs})
      .Add("msgs", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("msgs_per_sec", PerSecond(o.msgs, s))
      .Add("mib_per_sec", MibPerSecond(o.msgs, o.size, s));
  Report(o, line,
         absl::StrFormat("pub x%d, %d msgs of %d B: %.0f msgs/s (%.1f MiB/s)", o.pubs, o.msgs,
                         o.size, PerSecond(o.msgs, s), MibPerSecond(o.msgs, o.size, s)));
  return 0;
}

void OnRequest(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  const char* reply = natsMsg_GetReply(msg);
  if (reply != nullptr) {
    natsConnection_Publish(nc, reply, natsMsg_GetData(msg),
                           natsMsg_GetDataLength(msg));
  }
  natsMsg_Destroy(msg);
}

void AddLatencies(ResultLine& line, LatencySamples& samples) {
  line.Add("p50_us", samples.PercentileMicros(50))
      .Add("p90_us", samples.PercentileMicros(90))
      .Add("p99_us", samples.PercentileMicros(99));
}

std::string LatencyText(LatencySamples& samples) {
  return absl::StrFormat("p50 %.1f us, p90 %.1f us, p99 %.1f us",
                         samples.PercentileMicros(50),
                         samples.PercentileMicros(90),
                         samples.PercentileMicros(99));
}

// Calls `op` `n` times in sequence, recording each call's latency; returns
// the total seconds, or the first failure.
absl::StatusOr<double> TimeEach(int64_t n, LatencySamples& samples,
                                const char* what,
                                const std::function<natsStatus()>& op) {
  samples.Reserve(n);
  absl::Time start = absl::Now();
  for (int64_t i = 0; i < n; ++i) {
    absl::Time t0 = absl::Now();
    natsStatus s = op();
    samples.Add(absl::Now() - t0);
    if (s != NATS_OK) return NatsError(s, what);
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

int RunReqRep(const Options& o) {
  const std::string name = "reqrep";
  NatsSession responder;
  NatsSession requester;
  absl::Status st = responder.Connect(o.url, "natsbench-responder",
                                      kRequestTimeoutMs, /*send_asap=*/true);
  if (st.ok()) st = requester.Connect(o.url, "natsbench-requester");
  if (!st.ok()) return Fail(name, st);
  natsSubscription* sub = nullptr;
  natsStatus s = natsConnection_Subscribe(&sub, responder.conn(),
                                          o.subject.c_str(), OnRequest, nullptr);
  if (s == NATS_OK) s = natsConnection_FlushTimeout(responder.conn(), kRequestTimeoutMs);
  if (s != NATS_OK) return Fail(name, NatsError(s, "subscribe responder"));

  const std::string payload = Payload(o.size);
  LatencySamples samples;
  absl::StatusOr<double> secs =
      TimeEach(o.msgs, samples, "request", [&] {
        natsMsg* reply = nullptr;
        natsStatus rs =
            natsConnection_Request(&reply, requester.conn(), o.subject.c_str(),
                                   payload.data(), o.size, kRequestTimeoutMs);
        natsMsg_Destroy(reply);
        return rs;
      });
  if (!secs.ok()) return Fail(name, secs.status());
  natsSubscription_Destroy(sub);

  ResultLine line(name);
  line.Add("msgs", o.msgs).Add("size", int64_t{o.size});
  line.Add("req_per_sec", PerSecond(o.msgs, *secs));
  AddLatencies(line, samples);
  Report(o, line,
         absl::StrFormat("reqrep, %d requests of %d B: %.0f req/s, %s", o.msgs, o.size,
                         PerSecond(o.msgs, *secs), LatencyText(samples)));
  return 0;
}

void OnAsyncPublishError(jsCtx*, jsPubAckErr* pae, void* closure) {
  auto* errors = static_cast<std::atomic<int64_t>*>(closure);
  if (errors->fetch_add(1) == 0) {
    std::fprintf(stderr, "natsbench: async publish failed: %s (err_code=%d)\n",
                 pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err),
                 static_cast<int>(pae->ErrCode));
  }
}

// Checks that the stream holds exactly `expected` messages, then deletes it
// unless asked to keep it.
absl::Status VerifyAndCleanUp(NatsSession& session, const Options& o,
                              bool keep, uint64_t expected) {
  absl::StatusOr<uint64_t> stored = session.StreamMessages(o.stream);
  if (!stored.ok()) return stored.status();
  if (*stored != expected) {
    return absl::DataLossError(absl::StrFormat(
        "stream %s holds %d messages, expected %d", o.stream, *stored, expected));
  }
  if (keep) return absl::OkStatus();
  return session.DeleteStream(o.stream);
}

// Publishes `n` payloads with js_PublishAsync on a session opened with
// OnAsyncPublishError(&errors); returns the seconds until the last ack.
absl::StatusOr<double> PublishAsync(const Options& o, NatsSession& session, int64_t n,
                                    const std::atomic<int64_t>& errors) {
  const std::string payload = Payload(o.size);
  absl::Time start = absl::Now();
  for (int64_t i = 0; i < n; ++i) {
    natsStatus s = js_PublishAsync(session.js(), o.subject.c_str(),
                                   payload.data(), o.size, nullptr);
    if (s != NATS_OK) return NatsError(s, "js_PublishAsync");
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = o.RemainingMs();
  natsStatus s = js_PublishAsyncComplete(session.js(), &complete);
  double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (s != NATS_OK) return NatsError(s, "js_PublishAsyncComplete");
  if (errors.load() != 0) {
    return absl::DataLossError(
        absl::StrFormat("%d publishes were not acknowledged", errors.load()));
  }
  return secs;
}

// Connects `session` for js_PublishAsync with at most --max_in_flight
// unacknowledged, counting failed publishes in `errors`.
absl::Status ConnectForAsync(const Options& o, const std::string& name, NatsSession& session,
                             std::atomic<int64_t>& errors) {
  absl::Status st = session.Connect(o.url, "natsbench-" + name);
  if (!st.ok()) return st;
  return session.OpenJetStream(o.max_in_flight, kRequestTimeoutMs, OnAsyncPublishError, &errors);
}

int RunJsPublishAsync(const Options& o, const std::string& name, bool keep) {
  std::atomic<int64_t> errors{0};
  NatsSession session;
  absl::Status st = ConnectForAsync(o, name, session, errors);
  if (st.ok()) st = session.RecreateStream(o.stream, o.subject, o.memory);
  if (!st.ok()) return Fail(name, st);

  absl::StatusOr<double> secs = PublishAsync(o, session, o.msgs, errors);
  if (!secs.ok()) return Fail(name, secs.status());
  st = VerifyAndCleanUp(session, o, keep, o.msgs);
  if (!st.ok()) return Fail(name, st);

  ResultLine line(name);
  line.Add("msgs", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("in_flight", o.max_in_flight)
      .Add("storage", o.memory ? "memory" : "file")
      .Add("msgs_per_sec", PerSecond(o.msgs, *secs))
      .Add("mib_per_sec", MibPerSecond(o.msgs, o.size, *secs));
  Report(o, line,
         absl::StrFormat("%s, %d msgs of %d B, %d in flight: %.0f msgs/s (%.1f MiB/s), "
                         "stream verified",
                         name, o.msgs, o.size, o.max_in_flight, PerSecond(o.msgs, *secs),
                         MibPerSecond(o.msgs, o.size, *secs)));
  return 0;
}

int RunJsPublishSync(const Options& o) {
  const std::string name = "js-pub-sync";
  NatsSession session;
  absl::Status st = session.Connect(o.url, "natsbench-" + name);
  if (st.ok()) st = session.OpenJetStream(1, kRequestTimeoutMs);
  if (st.ok()) st = session.RecreateStream(o.stream, o.subject, o.memory);
  if (!st.ok()) return Fail(name, st);

  const std::string payload = Payload(o.size);
  LatencySamples samples;
  absl::StatusOr<double> secs = TimeEach(o.msgs, samples, "js_Publish", [&] {
    jsPubAck* ack = nullptr;
    natsStatus ps = js_Publish(&ack, session.js(), o.subject.c_str(),
                               payload.data(), o.size, nullptr, nullptr);
    jsPubAck_Destroy(ack);
    return ps;
  });
  if (!secs.ok()) return Fail(name, secs.status());
  st = VerifyAndCleanUp(session, o, o.keep_stream, o.msgs);
  if (!st.ok()) return Fail(name, st);

  ResultLine line(name);
  line.Add("msgs", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("storage", o.memory ? "memory" : "file")
      .Add("msgs_per_sec", PerSecond(o.msgs, *secs));
  AddLatencies(line, samples);
  Report(o, line,
         absl::StrFormat("js-pub-sync, %d msgs of %d B: %.0f msgs/s, ack %s", o.msgs, o.size,
                         PerSecond(o.msgs, *secs), LatencyText(samples)));
  return 0;
}

// --- Consumers ---------------------------------------------------------------
//
// Every consume scenario first fills a fresh stream with --msgs messages
// (js_PublishAsync), then resets the server's peak memory, so its
// server_peak_rss_mib is the peak while consuming, then times the consume.
// Consumers are durable, deliver all, ack explicit; the stream is deleted at
// the end.

void ResetServerPeak(const Options& o) {
  if (o.server.empty()) return;
  if (absl::Status st = o.server.ResetPeak(); !st.ok()) {
    std::fprintf(stderr, "natsbench: server memory: %s\n", st.ToString().c_str());
  }
}

// Recreates --stream holding --msgs messages; with --prefilled, checks
// that it holds them.
absl::Status FillStream(const Options& o, int64_t msgs) {
  std::atomic<int64_t> errors{0};
  NatsSession session;
  absl::Status st = session.Connect(o.url, "natsbench-fill");
  if (o.prefilled) {
    if (st.ok()) st = session.OpenJetStream(1, kRequestTimeoutMs);
    if (!st.ok()) return st;
    return VerifyAndCleanUp(session, o, /*keep=*/true, static_cast<uint64_t>(msgs));
  }
  if (st.ok()) {
    st = session.OpenJetStream(o.max_in_flight, kRequestTimeoutMs, OnAsyncPublishError, &errors);
  }
  if (st.ok()) st = session.RecreateStream(o.stream, o.subject, o.memory);
  if (!st.ok()) return st;
  absl::StatusOr<double> secs = PublishAsync(o, session, msgs, errors);
  if (!secs.ok()) return secs.status();
  return VerifyAndCleanUp(session, o, /*keep=*/true, static_cast<uint64_t>(msgs));
}

// Fills the stream, then connects `session` with a JetStream context.
absl::Status FillAndConnect(const Options& o, const std::string& name, NatsSession& session) {
  absl::Status st = FillStream(o, o.msgs);
  if (st.ok()) st = session.Connect(o.url, "natsbench-" + name);
  if (st.ok()) st = session.OpenJetStream(1, kRequestTimeoutMs);
  return st;
}

// A durable consumer's configuration, pull when `deliver_subject` is null;
// it points into the strings passed.
jsConsumerConfig DurableConfig(const Options& o, const std::string& name,
                               const std::string* deliver_subject) {
  jsConsumerConfig cfg;
  jsConsumerConfig_Init(&cfg);
  cfg.MaxAckPending = o.max_ack_pending;
  cfg.Durable = name.c_str();
  cfg.DeliverPolicy = js_DeliverAll;
  cfg.AckPolicy = js_AckExplicit;
  if (deliver_subject != nullptr) cfg.DeliverSubject = deliver_subject->c_str();
  return cfg;
}

// One consumer's deliveries, acknowledged one by one unless `ack` is false.
struct ConsumeTally {
  bool ack = true;
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> ack_errors{0};
  std::atomic<int64_t> last_ns{0};
};

void OnConsumed(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* tally = static_cast<ConsumeTally*>(closure);
  if (tally->ack && natsMsg_Ack(msg, nullptr) != NATS_OK) {
    tally->ack_errors.fetch_add(1, std::memory_order_relaxed);
  }
  natsMsg_Destroy(msg);
  tally->received.fetch_add(1, std::memory_order_relaxed);
  tally->last_ns.store(absl::GetCurrentTimeNanos(), std::memory_order_relaxed);
}

// A push subscription bound to durable `consumer`, acks left to OnConsumed.
absl::StatusOr<natsSubscription*> SubscribePush(const Options& o, NatsSession& session,
                                                const std::string& consumer, ConsumeTally* tally) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = o.stream.c_str();
  so.Consumer = consumer.c_str();
  so.ManualAck = true;
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s =
      js_Subscribe(&sub, session.js(), o.subject.c_str(), OnConsumed, tally, nullptr, &so, &code);
  if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub, -1, -1);
  if (s != NATS_OK) {
    natsSubscription_Destroy(sub);
    return NatsError(s, absl::StrCat("subscribe to consumer ", consumer));
  }
  return sub;
}

// Waits until the server has every message of `consumer` delivered and (if
// `acked`) acknowledged.
absl::Status AwaitConsumed(const Options& o, NatsSession& session, const std::string& consumer,
                           bool acked) {
  absl::StatusOr<NatsSession::ConsumerProgress> p;
  while (true) {
    p = session.ConsumerInfo(o.stream, consumer);
    if (!p.ok()) return p.status();
    if (p->delivered_stream_seq >= static_cast<uint64_t>(o.msgs) && p->pending == 0 &&
        (!acked || p->ack_pending == 0)) {
      return absl::OkStatus();
    }
    if (absl::Now() >= o.deadline) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::DeadlineExceededError(
      absl::StrFormat("consumer %s: delivered up to %d, %d unacknowledged, %d pending", consumer,
                      p->delivered_stream_seq, p->ack_pending, p->pending));
}

// `consumers` push consumers (each on a connection of its own) read the
// whole stream and ack every message; msgs_per_sec counts every delivery.
int RunJsConsumePush(const Options& o, const std::string& name, int consumers) {
  absl::Status st = FillStream(o, o.msgs);
  if (!st.ok()) return Fail(name, st);
  ResetServerPeak(o);

  std::vector<std::unique_ptr<NatsSession>> sessions;
  std::vector<ConsumeTally> tallies(consumers);
  std::vector<std::string> names;
  for (int i = 0; i < consumers; ++i) {
    names.push_back(absl::StrFormat("PUSH%d", i));
    const std::string deliver = absl::StrFormat("_bench.push.%d", i);
    sessions.push_back(std::make_unique<NatsSession>());
    st = sessions.back()->Connect(o.url, absl::StrFormat("natsbench-consume-%d", i));
    if (st.ok()) st = sessions.back()->OpenJetStream(1, kRequestTimeoutMs);
    if (st.ok()) {
      st = sessions.back()->AddConsumer(o.stream, DurableConfig(o, names.back(), &deliver));
    }
    if (!st.ok()) return Fail(name, st);
  }
  std::vector<natsSubscription*> subs;
  const int64_t start_ns = absl::GetCurrentTimeNanos();
  for (int i = 0; i < consumers; ++i) {
    absl::StatusOr<natsSubscription*> sub = SubscribePush(o, *sessions[i], names[i], &tallies[i]);
    if (!sub.ok()) return Fail(name, sub.status());
    subs.push_back(*sub);
  }
  AwaitReceived(o, tallies);
  int64_t last_ns = start_ns;
  int64_t total = 0;
  for (int i = 0; i < consumers; ++i) {
    natsConnection_FlushTimeout(sessions[i]->conn(), kRequestTimeoutMs);
    last_ns = std::max(last_ns, tallies[i].last_ns.load());
    total += tallies[i].received.load();
  }
  for (int i = 0; i < consumers; ++i) {
    st = AwaitConsumed(o, *sessions[i], names[i], /*acked=*/true);
    if (!st.ok()) return Fail(name, st);
    const int64_t got = tallies[i].received.load();
    if (got != o.msgs || tallies[i].ack_errors.load() != 0) {
      return Fail(name, absl::DataLossError(
                            absl::StrFormat("consumer %s received %d of %d, %d acks failed",
                                            names[i], got, o.msgs, tallies[i].ack_errors.load())));
    }
  }
  for (natsSubscription* sub : subs) natsSubscription_Destroy(sub);
  st = sessions[0]->DeleteStream(o.stream);
  if (!st.ok()) return Fail(name, st);

  const double secs = (last_ns - start_ns) / 1e9;
  ResultLine line(name);
  line.Add("msgs", o.msgs)
      .Add("consumers", int64_t{consumers})
      .Add("size", int64_t{o.size})
      .Add("storage", o.memory ? "memory" : "file")
      .Add("msgs_per_sec", PerSecond(total, secs))
      .Add("mib_per_sec", MibPerSecond(total, o.size, secs));
  Report(o, line,
         absl::StrFormat("%s, %d push consumer(s) x %d msgs of %d B, each acked: "
                         "%.0f msgs/s (%.1f MiB/s)",
                         name, consumers, o.msgs, o.size, PerSecond(total, secs),
                         MibPerSecond(total, o.size, secs)));
  return 0;
}

// One pull consumer fetching --batch messages at a time and acking each
// message (natsMsg_Ack, not waiting for a reply).
int RunJsConsumePull(const Options& o) {
  const std::string name = "js-consume-pull";
  const std::string consumer = "PULL";
  NatsSession session;
  absl::Status st = FillAndConnect(o, name, session);
  ResetServerPeak(o);
  if (st.ok()) st = session.AddConsumer(o.stream, DurableConfig(o, consumer, nullptr));
  if (!st.ok()) return Fail(name, st);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = o.stream.c_str();
  so.Consumer = consumer.c_str();
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, session.js(), o.subject.c_str(), consumer.c_str(), nullptr,
                                  &so, &code);
  if (s != NATS_OK) return Fail(name, NatsError(s, "js_PullSubscribe"));

  int64_t received = 0;
  const absl::Time start = absl::Now();
  while (received < o.msgs && absl::Now() < o.deadline) {
    natsMsgList list{};
    s = natsSubscription_Fetch(&list, sub, o.batch, kRequestTimeoutMs, &code);
    for (int i = 0; i < list.Count; ++i) {
      if (natsMsg_Ack(list.Msgs[i], nullptr) != NATS_OK) {
        natsMsgList_Destroy(&list);
        return Fail(name, NatsError(s, "ack"));
      }
    }
    received += list.Count;
    natsMsgList_Destroy(&list);
    if (s != NATS_OK && s != NATS_TIMEOUT) {
      return Fail(name, NatsError(s, "natsSubscription_Fetch"));
    }
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  natsConnection_FlushTimeout(session.conn(), kRequestTimeoutMs);
  st = AwaitConsumed(o, session, consumer, /*acked=*/true);
  if (st.ok() && received != o.msgs) {
    st = absl::DataLossError(absl::StrFormat("received %d of %d", received, o.msgs));
  }
  natsSubscription_Destroy(sub);
  if (st.ok()) st = session.DeleteStream(o.stream);
  if (!st.ok()) return Fail(name, st);

  ResultLine line(name);
  line.Add("msgs", o.msgs)
      .Add("batch", int64_t{o.batch})
      .Add("size", int64_t{o.size})
      .Add("storage", o.memory ? "memory" : "file")
      .Add("msgs_per_sec", PerSecond(o.msgs, secs))
      .Add("mib_per_sec", MibPerSecond(o.msgs, o.size, secs));
  Report(o, line,
         absl::StrFormat("%s, %d msgs of %d B in fetches of %d, each acked: "
                         "%.0f msgs/s (%.1f MiB/s)",
                         name, o.msgs, o.size, o.batch, PerSecond(o.msgs, secs),
                         MibPerSecond(o.msgs, o.size, secs)));
  return 0;
}

// The server's resident memory once it has settled for --settle_ms.
absl::StatusOr<int64_t> SettledRssKib(const Options& o) {
  absl::SleepFor(absl::Milliseconds(o.settle_ms));
  return o.server.RssKib();
}

// One push consumer gets every message and acks none: the server's RSS
// growth per delivered, unacknowledged message.
int RunJsMemPending(const Options& o) {
  const std::string name = "js-mem-pending";
  const std::string consumer = "PENDING";
  if (o.server.empty()) return Fail(name, absl::InvalidArgumentError("needs --server_pid"));
  NatsSession session;
  absl::Status st = FillAndConnect(o, name, session);
  const std::string deliver = "_bench.pending";
  jsConsumerConfig cfg = DurableConfig(o, consumer, &deliver);
  cfg.MaxAckPending = o.msgs + 1;
  if (st.ok()) st = session.AddConsumer(o.stream, cfg);
  if (!st.ok()) return Fail(name, st);
  absl::StatusOr<int64_t> before = SettledRssKib(o);
  if (!before.ok()) return Fail(name, before.status());
  ResetServerPeak(o);

  std::vector<ConsumeTally> tally(1);
  tally[0].ack = false;
  absl::StatusOr<natsSubscription*> sub = SubscribePush(o, session, consumer, &tally[0]);
  if (!sub.ok()) return Fail(name, sub.status());
  AwaitReceived(o, tally);
  st = AwaitConsumed(o, session, consumer, /*acked=*/false);
  absl::StatusOr<NatsSession::ConsumerProgress> progress = session.ConsumerInfo(o.stream, consumer);
  if (st.ok()) st = progress.status();
  if (st.ok() && progress->ack_pending != o.msgs) {
    st = absl::InternalError(
        absl::StrFormat("%d unacknowledged, expected %d", progress->ack_pending, o.msgs));
  }
  if (!st.ok()) return Fail(name, st);
  absl::StatusOr<int64_t> after = SettledRssKib(o);
  if (!after.ok()) return Fail(name, after.status());
  natsSubscription_Destroy(*sub);
  st = session.DeleteStream(o.stream);
  if (!st.ok()) return Fail(name, st);

  const double per_ack = static_cast<double>(*after - *before) * 1024 / o.msgs;
  ResultLine line(name);
  line.Add("pending_acks", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("storage", o.memory ? "memory" : "file")
      .Add("rss_before_mib", Mib(*before))
      .Add("rss_after_mib", Mib(*after))
      .Add("bytes_per_pending_ack", per_ack);
  Report(o, line,
         absl::StrFormat("%s, %d delivered and unacknowledged msgs of %d B: server "
                         "RSS %.1f -> %.1f MiB, %.0f bytes per pending ack",
                         name, o.msgs, o.size, Mib(*before), Mib(*after), per_ack));
  return 0;
}

// Creates --consumers idle durable pull consumers on a stream of --msgs
// messages: the server's RSS growth per consumer.
int RunJsMemConsumers(const Options& o) {
  const std::string name = "js-mem-consumers";
  if (o.server.empty()) return Fail(name, absl::InvalidArgumentError("needs --server_pid"));
  NatsSession session;
  absl::Status st = FillAndConnect(o, name, session);
  if (!st.ok()) return Fail(name, st);
  absl::StatusOr<int64_t> before = SettledRssKib(o);
  if (!before.ok()) return Fail(name, before.status());
  ResetServerPeak(o);

  const absl::Time start = absl::Now();
  for (int i = 0; i < o.consumers; ++i) {
    const std::string consumer = absl::StrFormat("IDLE%d", i);
    st = session.AddConsumer(o.stream, DurableConfig(o, consumer, nullptr));
    if (!st.ok()) return Fail(name, st);
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  absl::StatusOr<int64_t> after = SettledRssKib(o);
  if (!after.ok()) return Fail(name, after.status());
  st = session.DeleteStream(o.stream);
  if (!st.ok()) return Fail(name, st);

  const double per_consumer = static_cast<double>(*after - *before) * 1024 / o.consumers;
  ResultLine line(name);
  line.Add("consumers", int64_t{o.consumers})
      .Add("msgs", o.msgs)
      .Add("storage", o.memory ? "memory" : "file")
      .Add("creates_per_sec", PerSecond(o.consumers, secs))
      .Add("rss_before_mib", Mib(*before))
      .Add("rss_after_mib", Mib(*after))
      .Add("bytes_per_consumer", per_consumer);
  Report(o, line,
         absl::StrFormat("%s, %d idle durable pull consumers on %d msgs: created "
                         "at %.0f/s, server RSS %.1f -> %.1f MiB, %.0f bytes per "
                         "consumer",
                         name, o.consumers, o.msgs, PerSecond(o.consumers, secs), Mib(*before),
                         Mib(*after), per_consumer));
  return 0;
}

// Queries the stream's message count once, or (with --wait_for_msgs) keeps
// reconnecting and asking until it reaches the target, e.g. while a server
// restarts and recovers its store.
int RunJsCount(const Options& o) {
  const std::string name = "js-count";
  absl::Time start = absl::Now();
  absl::Status last_error;
  uint64_t msgs = 0;
  while (true) {
    NatsSession session;
    absl::Status st = session.Connect(o.url, "natsbench-" + name, 1000);
    if (st.ok()) st = session.OpenJetStream(1, 1000);
    if (st.ok()) {
      while (true) {
        absl::StatusOr<uint64_t> count = session.StreamMessages(o.stream);
        if (!count.ok()) {
          st = count.status();
          break;
        }
        msgs = *count;
        if (o.wait_for_msgs < 0 || msgs >= static_cast<uint64_t>(o.wait_for_msgs)) {
          double ready_ms = absl::ToDoubleMilliseconds(absl::Now() - start);
          ResultLine line(name);
          line.Add("stream", o.stream)
              .Add("msgs", static_cast<int64_t>(msgs))
              .Add("ready_ms", ready_ms);
          Report(o, line,
                 absl::StrFormat("js-count: stream %s holds %d messages "
                                 "(after %.1f ms)",
                                 o.stream, msgs, ready_ms));
          return 0;
        }
        if (absl::Now() >= o.deadline) break;
        absl::SleepFor(absl::Milliseconds(10));
      }
    }
    last_error = st;
    if (o.wait_for_msgs < 0 || absl::Now() >= o.deadline) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  if (last_error.ok()) {
    last_error = absl::DeadlineExceededError(absl::StrFormat(
        "stream %s holds %d messages, waited for %d", o.stream, msgs,
        o.wait_for_msgs));
  }
  return Fail(name, last_error);
}

// Publishes one message to --subject and waits for its PubAck, reconnecting
// and publishing again until one arrives, e.g. while a server restarts: how
// soon a restarted server takes writes again.
int RunJsFirstAck(const Options& o) {
  const std::string name = "js-first-ack";
  const absl::Time start = absl::Now();
  const std::string payload = Payload(o.size);
  absl::Status last_error;
  int attempts = 0;
  while (absl::Now() < o.deadline) {
    NatsSession session;
    absl::Status st = session.Connect(o.url, "natsbench-" + name, 1000);
    if (st.ok()) st = session.OpenJetStream(1, 1000);
    while (st.ok() && absl::Now() < o.deadline) {
      ++attempts;
      jsPubOptions opts;
      jsPubOptions_Init(&opts);
      opts.MaxWait = 1000;
      jsPubAck* ack = nullptr;
      jsErrCode code = static_cast<jsErrCode>(0);
      natsStatus ps =
          js_Publish(&ack, session.js(), o.subject.c_str(), payload.data(), o.size, &opts, &code);
      if (ps == NATS_OK) {
        const double ack_ms = absl::ToDoubleMilliseconds(absl::Now() - start);
        const std::string stream = ack->Stream != nullptr ? ack->Stream : "";
        const uint64_t seq = ack->Sequence;
        jsPubAck_Destroy(ack);
        ResultLine line(name);
        line.Add("stream", stream)
            .Add("seq", static_cast<int64_t>(seq))
            .Add("attempts", int64_t{attempts})
            .Add("first_ack_ms", ack_ms);
        Report(o, line,
               absl::StrFormat("js-first-ack: stream %s acknowledged seq %d after %.1f ms "
                               "(%d publishes)",
                               stream, seq, ack_ms, attempts));
        return 0;
      }
      st = NatsError(ps, absl::StrFormat("js_Publish (err_code=%d)", static_cast<int>(code)));
      // A timeout or "no responders" while the stream is not yet back: try
      // again on this connection; anything else reconnects.
      if (ps != NATS_TIMEOUT && ps != NATS_NO_RESPONDERS) break;
      last_error = st;
      st = absl::OkStatus();
      absl::SleepFor(absl::Milliseconds(5));
    }
    if (!st.ok()) last_error = st;
    absl::SleepFor(absl::Milliseconds(10));
  }
  if (last_error.ok()) last_error = absl::DeadlineExceededError("no PubAck before the deadline");
  return Fail(name, last_error);
}

// --- Key-value store, direct get, ordered consumer ---------------------------
//
// One client, each operation waiting for its answer: what the KV API and
// direct get cost per call. The bucket or stream is created fresh and deleted
// at the end.

// Deletes bucket --stream if present and creates it (history 1, file
// storage unless --memory); the caller destroys *kv.
absl::Status RecreateBucket(const Options& o, NatsSession& session, kvStore** kv) {
  natsStatus s = js_DeleteKeyValue(session.js(), o.stream.c_str());
  if (s != NATS_OK && s != NATS_NOT_FOUND) return NatsError(s, "js_DeleteKeyValue");
  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = o.stream.c_str();
  cfg.History = 1;
  cfg.StorageType = o.memory ? js_MemoryStorage : js_FileStorage;
  s = js_CreateKeyValue(kv, session.js(), &cfg);
  if (s != NATS_OK) return NatsError(s, "js_CreateKeyValue");
  return absl::OkStatus();
}

// Reports --msgs calls that took `secs`, over --keys keys or stored
// messages (`over`).
int ReportCalls(const Options& o, const std::string& name, double secs, LatencySamples& samples,
                const char* over) {
  ResultLine line(name);
  line.Add("ops", o.msgs)
      .Add("keys", o.keys)
      .Add("size", int64_t{o.size})
      .Add("storage", o.memory ? "memory" : "file")
      .Add("ops_per_sec", PerSecond(o.msgs, secs));
  AddLatencies(line, samples);
  Report(o, line,
         absl::StrFormat("%s, %d calls over %d %s of %d B: %.0f ops/s, %s", name, o.msgs, o.keys,
                         over, o.size, PerSecond(o.msgs, secs), LatencyText(samples)));
  return 0;
}

std::string KeyName(const Options& o, int64_t i) { return absl::StrFormat("key%d", i % o.keys); }

// Puts every key once (kv-get), or --msgs values cycling over --keys keys
// (kv-put), with kvStore_Put; or reads --msgs values with kvStore_Get.
int RunKv(const Options& o, const std::string& name) {
  NatsSession session;
  absl::Status st = session.Connect(o.url, "natsbench-" + name);
  if (st.ok()) st = session.OpenJetStream(1, kRequestTimeoutMs);
  kvStore* kv = nullptr;
  if (st.ok()) st = RecreateBucket(o, session, &kv);
  if (!st.ok()) return Fail(name, st);
  const std::string payload = Payload(o.size);
  auto put = [&](int64_t i) {
    uint64_t rev = 0;
    return kvStore_Put(&rev, kv, KeyName(o, i).c_str(), payload.data(), o.size);
  };
  const bool get = name == "kv-get";
  if (get) {
    for (int64_t i = 0; i < o.keys; ++i) {
      if (natsStatus s = put(i); s != NATS_OK) return Fail(name, NatsError(s, "kvStore_Put"));
    }
  }
  int64_t i = 0;
  LatencySamples samples;
  absl::StatusOr<double> secs =
      TimeEach(o.msgs, samples, get ? "kvStore_Get" : "kvStore_Put", [&]() -> natsStatus {
        if (!get) return put(i++);
        kvEntry* entry = nullptr;
        natsStatus s = kvStore_Get(&entry, kv, KeyName(o, i++).c_str());
        if (s == NATS_OK && kvEntry_ValueLen(entry) != o.size) s = NATS_ERR;
        kvEntry_Destroy(entry);
        return s;
      });
  kvStore_Destroy(kv);
  if (!secs.ok()) return Fail(name, secs.status());
  if (natsStatus s = js_DeleteKeyValue(session.js(), o.stream.c_str()); s != NATS_OK) {
    return Fail(name, NatsError(s, "js_DeleteKeyValue"));
  }
  return ReportCalls(o, name, *secs, samples, "keys");
}

// Stores --keys messages in a stream that allows direct get, then reads
// --msgs of them by sequence with js_DirectGetMsg ($JS.API.DIRECT.GET).
int RunDirectGet(const Options& o) {
  const std::string name = "direct-get";
  std::atomic<int64_t> errors{0};
  NatsSession session;
  absl::Status st = ConnectForAsync(o, name, session, errors);
  if (st.ok()) st = session.RecreateStream(o.stream, o.subject, o.memory, /*allow_direct=*/true);
  if (!st.ok()) return Fail(name, st);
  absl::StatusOr<double> fill = PublishAsync(o, session, o.keys, errors);
  if (!fill.ok()) return Fail(name, fill.status());

  int64_t i = 0;
  LatencySamples samples;
  absl::StatusOr<double> secs = TimeEach(o.msgs, samples, "js_DirectGetMsg", [&] {
    jsDirectGetMsgOptions dgo;
    jsDirectGetMsgOptions_Init(&dgo);
    dgo.Sequence = static_cast<uint64_t>(1 + i++ % o.keys);
    natsMsg* msg = nullptr;
    natsStatus s = js_DirectGetMsg(&msg, session.js(), o.stream.c_str(), nullptr, &dgo);
    if (s == NATS_OK && natsMsg_GetDataLength(msg) != o.size) s = NATS_ERR;
    natsMsg_Destroy(msg);
    return s;
  });
  if (!secs.ok()) return Fail(name, secs.status());
  st = session.DeleteStream(o.stream);
  if (!st.ok()) return Fail(name, st);
  return ReportCalls(o, name, *secs, samples, "stored msgs");
}

// Options for an ordered consumer on `stream` (which must outlive them).
jsSubOptions OrderedOptions(const std::string& stream) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  return so;
}

// Fills the stream with --msgs messages, then reads them all through an
// ordered consumer (ephemeral push, ack none, flow control), as the KV
// watchers and object store readers of the clients do.
int RunOrderedConsume(const Options& o) {
  const std::string name = "ordered-consume";
  NatsSession session;
  absl::Status st = FillAndConnect(o, name, session);
  ResetServerPeak(o);
  if (!st.ok()) return Fail(name, st);
  std::vector<ConsumeTally> tally(1);
  tally[0].ack = false;
  jsSubOptions so = OrderedOptions(o.stream);
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const absl::Time start = absl::Now();
  natsStatus s = js_Subscribe(&sub, session.js(), o.subject.c_str(), OnConsumed, &tally[0], nullptr,
                              &so, &code);
  if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub, -1, -1);
  if (s != NATS_OK) return Fail(name, NatsError(s, "js_Subscribe ordered"));
  AwaitReceived(o, tally);
  const int64_t received = tally[0].received.load();
  const double secs = (tally[0].last_ns.load() - absl::ToUnixNanos(start)) / 1e9;
  natsSubscription_Destroy(sub);
  if (received != o.msgs) {
    return Fail(name, absl::DataLossError(absl::StrFormat("received %d of %d", received, o.msgs)));
  }
  st = session.DeleteStream(o.stream);
  if (!st.ok()) return Fail(name, st);

  ResultLine line(name);
  line.Add("msgs", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("storage", o.memory ? "memory" : "file")
      .Add("msgs_per_sec", PerSecond(o.msgs, secs))
      .Add("mib_per_sec", MibPerSecond(o.msgs, o.size, secs));
  Report(o, line,
         absl::StrFormat("%s, %d stored msgs of %d B: %.0f msgs/s (%.1f MiB/s)", name, o.msgs,
                         o.size, PerSecond(o.msgs, secs), MibPerSecond(o.msgs, o.size, secs)));
  return 0;
}

// --- Object store --------------------------------------------------------------
//
// nats.c 3.4 has no object store API, so these scenarios speak its protocol
// over plain JetStream calls, as nats.go's ObjectStore does: stream
// OBJ_<bucket> on $O.<bucket>.>, an object's 128 KiB chunks published to
// $O.<bucket>.C.<nuid>, then its meta (JSON) to $O.<bucket>.M.<base64 name>
// with Nats-Rollup: sub; a get reads the meta by direct get (last by subject)
// and the chunks through an ordered consumer. The SHA-256 digest, client CPU
// alike for both servers, is left out. --size is the object's size.

constexpr int kObjectChunk = 128 * 1024;

struct ObjectNames {
  std::string stream;
  std::string chunks;
  std::string meta;
};

ObjectNames ObjectSubjects(const Options& o, const std::string& object, const std::string& nuid) {
  return {"OBJ_" + o.stream, absl::StrCat("$O.", o.stream, ".C.", nuid),
          absl::StrCat("$O.", o.stream, ".M.", absl::WebSafeBase64Escape(object))};
}

// Publishes the object's chunks (async, then waits for every ack) and its
// meta (sync).
absl::Status PutObject(const Options& o, NatsSession& session, const std::string& object,
                       const std::string& nuid, const std::string& data,
                       const std::atomic<int64_t>& errors) {
  const ObjectNames names = ObjectSubjects(o, object, nuid);
  int64_t chunks = 0;
  for (size_t at = 0; at < data.size(); at += kObjectChunk, ++chunks) {
    const int len = static_cast<int>(std::min<size_t>(kObjectChunk, data.size() - at));
    natsStatus s =
        js_PublishAsync(session.js(), names.chunks.c_str(), data.data() + at, len, nullptr);
    if (s != NATS_OK) return NatsError(s, "js_PublishAsync chunk");
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = o.RemainingMs();
  natsStatus s = js_PublishAsyncComplete(session.js(), &complete);
  if (s != NATS_OK) return NatsError(s, "js_PublishAsyncComplete");
  if (errors.load() != 0) return absl::DataLossError("a chunk was not acknowledged");
  const std::string meta = absl::StrFormat(
      R"({"name":"%s","bucket":"%s","nuid":"%s","size":%d,"chunks":%d,"digest":""})", object,
      o.stream, nuid, data.size(), chunks);
  natsMsg* msg = nullptr;
  s = natsMsg_Create(&msg, names.meta.c_str(), nullptr, meta.data(), static_cast<int>(meta.size()));
  if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Rollup", "sub");
  jsPubAck* ack = nullptr;
  if (s == NATS_OK) s = js_PublishMsg(&ack, session.js(), msg, nullptr, nullptr);
  jsPubAck_Destroy(ack);
  natsMsg_Destroy(msg);
  if (s != NATS_OK) return NatsError(s, "publish meta");
  return absl::OkStatus();
}

// Reads the object's meta by direct get, then its chunks through an ordered
// consumer; fails unless `size` bytes arrive.
absl::Status GetObject(const Options& o, NatsSession& session, const std::string& object,
                       const std::string& nuid, int64_t size) {
  const ObjectNames names = ObjectSubjects(o, object, nuid);
  jsDirectGetMsgOptions dgo;
  jsDirectGetMsgOptions_Init(&dgo);
  dgo.LastBySubject = names.meta.c_str();
  natsMsg* meta = nullptr;
  natsStatus s = js_DirectGetMsg(&meta, session.js(), names.stream.c_str(), nullptr, &dgo);
  natsMsg_Destroy(meta);
  if (s != NATS_OK) return NatsError(s, "direct get meta");
  jsSubOptions so = OrderedOptions(names.stream);
  natsSubscription* sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  s = js_SubscribeSync(&sub, session.js(), names.chunks.c_str(), nullptr, &so, &code);
  if (s != NATS_OK) return NatsError(s, "ordered subscribe to chunks");
  int64_t got = 0;
  while (got < size && s == NATS_OK) {
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, std::min<int64_t>(kRequestTimeoutMs, o.RemainingMs()));
    if (s == NATS_OK) got += natsMsg_GetDataLength(msg);
    natsMsg_Destroy(msg);
  }
  natsSubscription_Destroy(sub);
  if (s != NATS_OK) return NatsError(s, absl::StrFormat("chunks (%d of %d bytes)", got, size));
  if (got != size) return absl::DataLossError(absl::StrFormat("%d of %d bytes", got, size));
  return absl::OkStatus();
}

// obj-put: --msgs objects of --size bytes under distinct names; obj-get:
// one object, read --msgs times. Reports MB/s (10^6 bytes, as `nats bench`).
int RunObject(const Options& o, const std::string& name) {
  std::atomic<int64_t> errors{0};
  NatsSession session;
  absl::Status st = ConnectForAsync(o, name, session, errors);
  const std::string stream = "OBJ_" + o.stream;
  if (st.ok()) {
    st = session.RecreateStream(stream, absl::StrCat("$O.", o.stream, ".>"), o.memory,
                                /*allow_direct=*/true, /*allow_rollup=*/true);
  }
  if (!st.ok()) return Fail(name, st);
  const std::string data = Payload(o.size);
  auto nuid = [](int64_t i) { return absl::StrFormat("BENCHNUID%013d", i); };
  const bool get = name == "obj-get";
  if (get) st = PutObject(o, session, "object", nuid(0), data, errors);
  if (!st.ok()) return Fail(name, st);
  const absl::Time start = absl::Now();
  for (int64_t i = 0; i < o.msgs && st.ok(); ++i) {
    st = get ? GetObject(o, session, "object", nuid(0), o.size)
             : PutObject(o, session, absl::StrFormat("object%d", i), nuid(i), data, errors);
  }
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (st.ok()) st = session.DeleteStream(stream);
  if (!st.ok()) return Fail(name, st);

  const double mb_per_sec = static_cast<double>(o.msgs) * o.size / 1e6 / secs;
  ResultLine line(name);
  line.Add("objects", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("storage", o.memory ? "memory" : "file")
      .Add("objects_per_sec", PerSecond(o.msgs, secs))
      .Add("mb_per_sec", mb_per_sec);
  Report(o, line,
         absl::StrFormat("%s, %d objects of %d B in %d B chunks: %.1f MB/s", name, o.msgs, o.size,
                         kObjectChunk, mb_per_sec));
  return 0;
}

// Ends the process if the run outlives --timeout_s, whatever it is blocked on.
void StartWatchdog(absl::Duration limit) {
  std::thread([limit] {
    absl::SleepFor(limit);
    std::fprintf(stderr, "natsbench: timed out after %s\n",
                 absl::FormatDuration(limit).c_str());
    std::fflush(stderr);
    _exit(3);
  }).detach();
}

int Main() {
  Options o;
  o.url = absl::GetFlag(FLAGS_url);
  o.msgs = absl::GetFlag(FLAGS_msgs);
  o.size = absl::GetFlag(FLAGS_size);
  o.pubs = absl::GetFlag(FLAGS_pubs);
  o.subs = absl::GetFlag(FLAGS_subs);
  o.subject = absl::GetFlag(FLAGS_subject);
  o.stream = absl::GetFlag(FLAGS_stream);
  o.memory = absl::GetFlag(FLAGS_memory);
  o.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  o.wait_for_msgs = absl::GetFlag(FLAGS_wait_for_msgs);
  o.keep_stream = absl::GetFlag(FLAGS_keep_stream);
  o.batch = absl::GetFlag(FLAGS_batch);
  o.keys = absl::GetFlag(FLAGS_keys);
  o.prefilled = absl::GetFlag(FLAGS_prefilled);
  o.max_ack_pending = absl::GetFlag(FLAGS_max_ack_pending);
  o.settle_ms = absl::GetFlag(FLAGS_settle_ms);
  const std::string scenario = absl::GetFlag(FLAGS_scenario);
  o.consumers = absl::GetFlag(FLAGS_consumers);
  if (o.consumers < 0) o.consumers = scenario == "js-mem-consumers" ? 1000 : 4;
  absl::StatusOr<std::vector<pid_t>> pids = ParsePids(absl::GetFlag(FLAGS_server_pid));
  if (!pids.ok()) {
    std::fprintf(stderr, "natsbench: --server_pid: %s\n", pids.status().ToString().c_str());
    return 2;
  }
  o.server = ProcessMemory(*pids);
  absl::Duration limit = absl::Seconds(absl::GetFlag(FLAGS_timeout_s));
  // Leave the watchdog a margin so in-band deadlines report first.
  o.deadline = absl::Now() + limit * 0.9;
  if (o.msgs <= 0 || o.size < 0 || o.pubs <= 0 || o.subs <= 0 || o.max_in_flight <= 0 ||
      o.consumers <= 0 || o.batch <= 0 || o.keys <= 0 || o.settle_ms < 0) {
    std::fprintf(stderr,
                 "natsbench: --msgs, --pubs, --subs, --consumers, "
                 "--batch, --keys and --max_in_flight must be positive, "
                 "--size and --settle_ms >= 0\n");
    return 2;
  }

  const std::map<std::string, std::function<int()>> scenarios = {
      {"pubsub", [&] { return RunPubSub(o); }},
      {"pub", [&] { return RunPub(o); }},
      {"reqrep", [&] { return RunReqRep(o); }},
      {"js-pub-async", [&] { return RunJsPublishAsync(o, "js-pub-async", o.keep_stream); }},
      {"js-fill", [&] { return RunJsPublishAsync(o, "js-fill", true); }},
      {"js-pub-sync", [&] { return RunJsPublishSync(o); }},
      {"js-count", [&] { return RunJsCount(o); }},
      {"js-first-ack", [&] { return RunJsFirstAck(o); }},
      {"js-consume-push", [&] { return RunJsConsumePush(o, "js-consume-push", 1); }},
      {"js-consume-fanout", [&] { return RunJsConsumePush(o, "js-consume-fanout", o.consumers); }},
      {"js-consume-pull", [&] { return RunJsConsumePull(o); }},
      {"js-mem-pending", [&] { return RunJsMemPending(o); }},
      {"js-mem-consumers", [&] { return RunJsMemConsumers(o); }},
      {"kv-put", [&] { return RunKv(o, "kv-put"); }},
      {"kv-get", [&] { return RunKv(o, "kv-get"); }},
      {"direct-get", [&] { return RunDirectGet(o); }},
      {"ordered-consume", [&] { return RunOrderedConsume(o); }},
      {"obj-put", [&] { return RunObject(o, "obj-put"); }},
      {"obj-get", [&] { return RunObject(o, "obj-get"); }},
  };
  auto it = scenarios.find(scenario);
  if (it == scenarios.end()) {
    std::fprintf(stderr, "natsbench: unknown --scenario=%s\n", scenario.c_str());
    return 2;
  }
  StartWatchdog(limit);
  if (nats_Open(-1) != NATS_OK) {
    std::fprintf(stderr, "natsbench: cannot initialise the NATS library\n");
    return 1;
  }
  ResetServerPeak(o);
  return it->second();
}

}  // namespace
}  // namespace jsengine::tools::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // The C client's threads may still hold messages; skip static teardown.
  int rc = jsengine::tools::bench::Main();
  std::fflush(stdout);
  _exit(rc);
}
