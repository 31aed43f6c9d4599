// A quick side-by-side load check with libnats: pub->sub throughput of small
// messages and request/reply latency, against any server URL.
//
//   core_bench nats://127.0.0.1:4222 [messages] [payload_bytes] [subscriber_url]
//
// With subscriber_url (another server of a cluster) the subscribers and
// responders connect there, so every message crosses a route.
#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<int64_t> received{0};

void OnMsg(natsConnection*, natsSubscription*, natsMsg* msg, void*) {
  received.fetch_add(1, std::memory_order_relaxed);
  natsMsg_Destroy(msg);
}

void OnRequest(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  natsConnection_Publish(nc, natsMsg_GetReply(msg), natsMsg_GetData(msg),
                         natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}

natsConnection* Connect(const char* url, bool send_asap = false) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url);
  natsOptions_SetIOBufSize(opts, 1 << 20);
  natsOptions_SetSendAsap(opts, send_asap);
  natsConnection* nc = nullptr;
  if (natsConnection_Connect(&nc, opts) != NATS_OK) {
    std::fprintf(stderr, "cannot connect to %s\n", url);
    std::exit(1);
  }
  natsOptions_Destroy(opts);
  return nc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s URL [messages] [payload_bytes] [subscriber_url]\n", argv[0]);
    return 2;
  }
  const char* url = argv[1];
  const int64_t n = argc > 2 ? std::atoll(argv[2]) : 1000000;
  const size_t size = argc > 3 ? std::atoi(argv[3]) : 128;
  const char* sub_url = argc > 4 ? argv[4] : url;
  // Interest registered on another server needs a moment to cross the route.
  const auto settle = [&] {
    if (std::string(sub_url) != url) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  };
  std::string payload(size, 'x');

  natsConnection* sub_nc = Connect(sub_url);
  natsConnection* pub_nc = Connect(url);
  natsSubscription* sub = nullptr;
  natsConnection_Subscribe(&sub, sub_nc, "bench.subject", OnMsg, nullptr);
  natsSubscription_SetPendingLimits(sub, -1, -1);
  natsConnection_Flush(sub_nc);
  settle();
  auto start = Clock::now();
  for (int64_t i = 0; i < n; ++i) {
    natsConnection_Publish(pub_nc, "bench.subject", payload.data(), payload.size());
  }
  natsConnection_Flush(pub_nc);
  while (received.load() < n) {
    if (Clock::now() - start > std::chrono::seconds(60)) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("pubsub: %lld/%lld msgs of %zu B in %.3f s = %.0f msgs/s\n",
              static_cast<long long>(received.load()), static_cast<long long>(n), size, secs,
              received.load() / secs);
  natsSubscription_Destroy(sub);

  // Latency: both ends write each message immediately.
  natsConnection* resp_nc = Connect(sub_url, true);
  natsConnection* req_nc = Connect(url, true);
  natsSubscription* rsub = nullptr;
  natsConnection_Subscribe(&rsub, resp_nc, "bench.rpc", OnRequest, nullptr);
  natsConnection_Flush(resp_nc);
  settle();
  const int kRequests = 20000;
  std::vector<double> lat;
  lat.reserve(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    natsMsg* reply = nullptr;
    auto t0 = Clock::now();
    if (natsConnection_Request(&reply, req_nc, "bench.rpc", payload.data(), payload.size(),
                               5000) != NATS_OK) {
      std::fprintf(stderr, "request failed\n");
      return 1;
    }
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    natsMsg_Destroy(reply);
  }
  std::sort(lat.begin(), lat.end());
  std::printf("request/reply: p50 %.1f us, p90 %.1f us, p99 %.1f us (%d requests)\n",
              lat[lat.size() / 2], lat[lat.size() * 9 / 10], lat[lat.size() * 99 / 100],
              kRequests);
  natsSubscription_Destroy(rsub);
  natsConnection_Destroy(req_nc);
  natsConnection_Destroy(resp_nc);
  natsConnection_Destroy(pub_nc);
  natsConnection_Destroy(sub_nc);
  nats_Close();
  return 0;
}
