// natsbench: a load generator in the spirit of `nats bench`, over the
// official NATS C client, aimed at any NATS server URL. Each scenario prints
// one machine-readable `RESULT scenario=... key=value ...` line (parsed by
// compare.sh) and one human-readable line. The whole run is bounded by
// --timeout_s: past it the process exits with status 3.
//
//   natsbench --url nats://127.0.0.1:4222 --scenario pubsub --pubs 2 --subs 2
//   natsbench --scenario js-fill --msgs 1000000 --stream RESTART
//   natsbench --scenario js-count --stream RESTART --wait_for_msgs 1000000
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
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nats/nats.h"
#include "tools/bench/latency_samples.h"
#include "tools/bench/nats_session.h"
#include "tools/bench/result_line.h"

ABSL_FLAG(std::string, url, "nats://127.0.0.1:4222", "NATS server URL");
ABSL_FLAG(std::string, scenario, "pubsub",
          "pubsub | pub | reqrep | js-pub-async | js-pub-sync | js-fill | "
          "js-count");
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
  absl::Time deadline;

  int64_t RemainingMs() const {
    return std::max<int64_t>(
        1, absl::ToInt64Milliseconds(deadline - absl::Now()));
  }
};

void Report(const ResultLine& line, const std::string& human) {
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

  auto all_received = [&] {
    for (const auto& t : tallies) {
      if (t.received.load() < o.msgs) return false;
    }
    return true;
  };
  while (!all_received() && absl::Now() < o.deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
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
  Report(line, absl::StrFormat(
                   "pubsub %dx%d, %d msgs of %d B: publishers %.0f msgs/s "
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
  Report(line, absl::StrFormat("pub x%d, %d msgs of %d B: %.0f msgs/s (%.1f MiB/s)",
                               o.pubs, o.msgs, o.size, PerSecond(o.msgs, s),
                               MibPerSecond(o.msgs, o.size, s)));
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
  Report(line, absl::StrFormat("reqrep, %d requests of %d B: %.0f req/s, %s",
                               o.msgs, o.size, PerSecond(o.msgs, *secs),
                               LatencyText(samples)));
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

int RunJsPublishAsync(const Options& o, const std::string& name, bool keep) {
  std::atomic<int64_t> errors{0};
  NatsSession session;
  absl::Status st = session.Connect(o.url, "natsbench-" + name);
  if (st.ok()) {
    st = session.OpenJetStream(o.max_in_flight, kRequestTimeoutMs,
                               OnAsyncPublishError, &errors);
  }
  if (st.ok()) st = session.RecreateStream(o.stream, o.subject, o.memory);
  if (!st.ok()) return Fail(name, st);

  const std::string payload = Payload(o.size);
  absl::Time start = absl::Now();
  for (int64_t i = 0; i < o.msgs; ++i) {
    natsStatus s = js_PublishAsync(session.js(), o.subject.c_str(),
                                   payload.data(), o.size, nullptr);
    if (s != NATS_OK) return Fail(name, NatsError(s, "js_PublishAsync"));
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = o.RemainingMs();
  natsStatus s = js_PublishAsyncComplete(session.js(), &complete);
  double secs = absl::ToDoubleSeconds(absl::Now() - start);
  if (s != NATS_OK) return Fail(name, NatsError(s, "js_PublishAsyncComplete"));
  if (errors.load() != 0) {
    return Fail(name, absl::DataLossError(absl::StrFormat(
                          "%d publishes were not acknowledged", errors.load())));
  }
  st = VerifyAndCleanUp(session, o, keep, o.msgs);
  if (!st.ok()) return Fail(name, st);

  ResultLine line(name);
  line.Add("msgs", o.msgs)
      .Add("size", int64_t{o.size})
      .Add("in_flight", o.max_in_flight)
      .Add("storage", o.memory ? "memory" : "file")
      .Add("msgs_per_sec", PerSecond(o.msgs, secs))
      .Add("mib_per_sec", MibPerSecond(o.msgs, o.size, secs));
  Report(line, absl::StrFormat(
                   "%s, %d msgs of %d B, %d in flight: %.0f msgs/s (%.1f MiB/s), "
                   "stream verified",
                   name, o.msgs, o.size, o.max_in_flight, PerSecond(o.msgs, secs),
                   MibPerSecond(o.msgs, o.size, secs)));
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
  Report(line, absl::StrFormat("js-pub-sync, %d msgs of %d B: %.0f msgs/s, ack %s",
                               o.msgs, o.size, PerSecond(o.msgs, *secs),
                               LatencyText(samples)));
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
          Report(line, absl::StrFormat("js-count: stream %s holds %d messages "
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
  absl::Duration limit = absl::Seconds(absl::GetFlag(FLAGS_timeout_s));
  // Leave the watchdog a margin so in-band deadlines report first.
  o.deadline = absl::Now() + limit * 0.9;
  const std::string scenario = absl::GetFlag(FLAGS_scenario);
  if (o.msgs <= 0 || o.size < 0 || o.pubs <= 0 || o.subs <= 0 ||
      o.max_in_flight <= 0) {
    std::fprintf(stderr, "natsbench: --msgs, --pubs, --subs and "
                         "--max_in_flight must be positive, --size >= 0\n");
    return 2;
  }

  const std::map<std::string, std::function<int()>> scenarios = {
      {"pubsub", [&] { return RunPubSub(o); }},
      {"pub", [&] { return RunPub(o); }},
      {"reqrep", [&] { return RunReqRep(o); }},
      {"js-pub-async",
       [&] { return RunJsPublishAsync(o, "js-pub-async", o.keep_stream); }},
      {"js-fill", [&] { return RunJsPublishAsync(o, "js-fill", true); }},
      {"js-pub-sync", [&] { return RunJsPublishSync(o); }},
      {"js-count", [&] { return RunJsCount(o); }},
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
