// The official NATS C client (libnats) against an in-process Server:
// pub/sub, wildcards, queue groups, request/reply, headers, no-responders,
// authentication, permissions, and abusive neighbours.
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/server.h"
#include "gtest/gtest.h"
#include "testing/core/raw_client.h"
#include "testing/core/test_server.h"

namespace jsengine::testing::core {
namespace {

using gateway::core::Server;
using gateway::core::ServerOptions;

// bcrypt("s3cret") as nats-server's `nats server passwd` would store it.
constexpr char kBcryptSecret[] = "$2a$06$abcdefghijklmnopqrstuuNOnw6EGKc3988bZtxlqHMps74iVdpdC";

struct Conn {
  natsConnection* nc = nullptr;
  ~Conn() {
    if (nc != nullptr) natsConnection_Destroy(nc);
  }
};

class NatsClientTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = ServerOptions()) {
    server_ = StartTestServer(options);
    url_ = "nats://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  natsStatus Connect(Conn* c, const char* user = nullptr, const char* pass = nullptr,
                     const char* token = nullptr, natsErrHandler on_error = nullptr,
                     void* closure = nullptr) {
    natsOptions* opts = nullptr;
    natsOptions_Create(&opts);
    natsOptions_SetURL(opts, url_.c_str());
    natsOptions_SetAllowReconnect(opts, false);
    if (user != nullptr) natsOptions_SetUserInfo(opts, user, pass);
    if (token != nullptr) natsOptions_SetToken(opts, token);
    if (on_error != nullptr) natsOptions_SetErrorHandler(opts, on_error, closure);
    natsStatus s = natsConnection_Connect(&c->nc, opts);
    natsOptions_Destroy(opts);
    return s;
  }

  std::unique_ptr<Server> server_;
  std::string url_;
};

std::string NextData(natsSubscription* sub, int timeout_ms = 5000) {
  natsMsg* m = nullptr;
  if (natsSubscription_NextMsg(&m, sub, timeout_ms) != NATS_OK) return "<timeout>";
  std::string data(natsMsg_GetData(m), natsMsg_GetDataLength(m));
  natsMsg_Destroy(m);
  return data;
}

TEST_F(NatsClientTest, PubSubAndWildcards) {
  Start();
  Conn c;
  ASSERT_EQ(Connect(&c), NATS_OK);
  natsSubscription *lit = nullptr, *pwc = nullptr, *fwc = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&lit, c.nc, "a.b"), NATS_OK);
  ASSERT_EQ(natsConnection_SubscribeSync(&pwc, c.nc, "a.*"), NATS_OK);
  ASSERT_EQ(natsConnection_SubscribeSync(&fwc, c.nc, "a.>"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(c.nc, "a.b", "one"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(c.nc, "a.b.c", "two"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(c.nc), NATS_OK);
  EXPECT_EQ(NextData(lit), "one");
  EXPECT_EQ(NextData(pwc), "one");
  EXPECT_EQ(NextData(fwc), "one");
  EXPECT_EQ(NextData(fwc), "two");
  EXPECT_EQ(NextData(pwc, 100), "<timeout>");
  natsSubscription_Destroy(lit);
  natsSubscription_Destroy(pwc);
  natsSubscription_Destroy(fwc);
}

TEST_F(NatsClientTest, AutoUnsubscribe) {
  Start();
  Conn c;
  ASSERT_EQ(Connect(&c), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, c.nc, "auto"), NATS_OK);
  ASSERT_EQ(natsSubscription_AutoUnsubscribe(sub, 3), NATS_OK);
  for (int i = 0; i < 10; ++i) natsConnection_PublishString(c.nc, "auto", "m");
  ASSERT_EQ(natsConnection_Flush(c.nc), NATS_OK);
  int got = 0;
  while (NextData(sub, 300) == "m") ++got;
  EXPECT_EQ(got, 3);
  EXPECT_FALSE(server_->HasInterest("auto"));
  natsSubscription_Destroy(sub);
}

TEST_F(NatsClientTest, QueueGroupDeliversEachMessageOnce) {
  Start();
  Conn c1, c2, p;
  ASSERT_EQ(Connect(&c1), NATS_OK);
  ASSERT_EQ(Connect(&c2), NATS_OK);
  ASSERT_EQ(Connect(&p), NATS_OK);
  natsSubscription *q1 = nullptr, *q2 = nullptr;
  ASSERT_EQ(natsConnection_QueueSubscribeSync(&q1, c1.nc, "work", "g"), NATS_OK);
  ASSERT_EQ(natsConnection_QueueSubscribeSync(&q2, c2.nc, "work", "g"), NATS_OK);
  natsConnection_Flush(c1.nc);
  natsConnection_Flush(c2.nc);
  const int kN = 200;
  for (int i = 0; i < kN; ++i) natsConnection_PublishString(p.nc, "work", "x");
  ASSERT_EQ(natsConnection_Flush(p.nc), NATS_OK);
  int total = 0, n1 = 0;
  for (natsSubscription* s : {q1, q2}) {
    while (NextData(s, 300) == "x") {
      ++total;
      if (s == q1) ++n1;
    }
  }
  EXPECT_EQ(total, kN);
  EXPECT_GT(n1, 0);
  EXPECT_LT(n1, kN);
  natsSubscription_Destroy(q1);
  natsSubscription_Destroy(q2);
}

void Echo(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  std::string reply = "re:" + std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsConnection_PublishString(nc, natsMsg_GetReply(msg), reply.c_str());
  natsMsg_Destroy(msg);
}

TEST_F(NatsClientTest, RequestReplyAndHeaders) {
  Start();
  Conn responder, requester;
  ASSERT_EQ(Connect(&responder), NATS_OK);
  ASSERT_EQ(Connect(&requester), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_Subscribe(&sub, responder.nc, "svc", Echo, nullptr), NATS_OK);
  natsConnection_Flush(responder.nc);
  for (int i = 0; i < 20; ++i) {
    natsMsg* reply = nullptr;
    ASSERT_EQ(natsConnection_RequestString(&reply, requester.nc, "svc", "hi", 5000), NATS_OK);
    EXPECT_EQ(std::string(natsMsg_GetData(reply)), "re:hi");
    natsMsg_Destroy(reply);
  }
  natsSubscription* hsub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&hsub, requester.nc, "hdr"), NATS_OK);
  natsConnection_Flush(requester.nc);
  natsMsg* msg = nullptr;
  ASSERT_EQ(natsMsg_Create(&msg, "hdr", nullptr, "body", 4), NATS_OK);
  ASSERT_EQ(natsMsgHeader_Set(msg, "X-Trace", "abc 123"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishMsg(responder.nc, msg), NATS_OK);
  natsMsg_Destroy(msg);
  natsConnection_Flush(responder.nc);
  natsMsg* got = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&got, hsub, 5000), NATS_OK);
  const char* value = nullptr;
  ASSERT_EQ(natsMsgHeader_Get(got, "X-Trace", &value), NATS_OK);
  EXPECT_EQ(std::string(value), "abc 123");
  EXPECT_EQ(std::string(natsMsg_GetData(got), natsMsg_GetDataLength(got)), "body");
  natsMsg_Destroy(got);
  natsSubscription_Destroy(hsub);
  natsSubscription_Destroy(sub);
}

TEST_F(NatsClientTest, NoResponders) {
  Start();
  Conn c;
  ASSERT_EQ(Connect(&c), NATS_OK);
  natsMsg* reply = nullptr;
  EXPECT_EQ(natsConnection_RequestString(&reply, c.nc, "nobody.home", "x", 5000),
            NATS_NO_RESPONDERS);
  EXPECT_EQ(reply, nullptr);
}

TEST_F(NatsClientTest, InternalSubscriberAnswersRequests) {
  Start();
  server_->SubscribeInternal("internal.svc", "", [&](const gateway::core::InboundMessage& m) {
    server_->Publish(m.reply, "", "", "internal:" + std::string(m.payload));
  });
  Conn c;
  ASSERT_EQ(Connect(&c), NATS_OK);
  natsMsg* reply = nullptr;
  ASSERT_EQ(natsConnection_RequestString(&reply, c.nc, "internal.svc", "q", 5000), NATS_OK);
  EXPECT_EQ(std::string(natsMsg_GetData(reply)), "internal:q");
  natsMsg_Destroy(reply);
}

TEST_F(NatsClientTest, TokenAuth) {
  ServerOptions o;
  o.token = "tok";
  Start(o);
  Conn bad, none, good;
  EXPECT_NE(Connect(&bad, nullptr, nullptr, "wrong"), NATS_OK);
  EXPECT_NE(Connect(&none), NATS_OK);
  ASSERT_EQ(Connect(&good, nullptr, nullptr, "tok"), NATS_OK);
  EXPECT_EQ(natsConnection_Flush(good.nc), NATS_OK);
}

TEST_F(NatsClientTest, UserPasswordPlainAndBcrypt) {
  ServerOptions o;
  o.users.push_back({"plain", "pw", {}});
  o.users.push_back({"hashed", kBcryptSecret, {}});
  Start(o);
  Conn a, b, c, d;
  ASSERT_EQ(Connect(&a, "plain", "pw"), NATS_OK);
  ASSERT_EQ(Connect(&b, "hashed", "s3cret"), NATS_OK);
  EXPECT_NE(Connect(&c, "hashed", kBcryptSecret), NATS_OK);
  EXPECT_NE(Connect(&d, "plain", "nope"), NATS_OK);
}

struct ErrorLog {
  std::atomic<int> not_permitted{0};
};

void OnAsyncError(natsConnection*, natsSubscription*, natsStatus s, void* closure) {
  if (s == NATS_NOT_PERMITTED) static_cast<ErrorLog*>(closure)->not_permitted++;
}

TEST_F(NatsClientTest, PermissionsDenyButKeepConnection) {
  ServerOptions o;
  gateway::core::UserAccount limited{"limited", "pw", {}};
  limited.permissions.publish.allow = {"allowed.>", "_INBOX.>"};
  limited.permissions.publish.deny = {"allowed.secret"};
  limited.permissions.subscribe.allow = {"allowed.>", "_INBOX.>"};
  o.users.push_back(limited);
  o.users.push_back({"admin", "pw", {}});
  Start(o);
  ErrorLog log;
  Conn lim, admin;
  ASSERT_EQ(Connect(&lim, "limited", "pw", nullptr, OnAsyncError, &log), NATS_OK);
  ASSERT_EQ(Connect(&admin, "admin", "pw"), NATS_OK);
  natsSubscription* watch = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&watch, admin.nc, ">"), NATS_OK);
  natsConnection_Flush(admin.nc);

  natsConnection_PublishString(lim.nc, "forbidden", "a");
  natsConnection_PublishString(lim.nc, "allowed.secret", "b");
  natsConnection_PublishString(lim.nc, "allowed.ok", "c");
  natsSubscription* denied_sub = nullptr;
  natsConnection_SubscribeSync(&denied_sub, lim.nc, "forbidden.>");
  ASSERT_EQ(natsConnection_Flush(lim.nc), NATS_OK);
  EXPECT_EQ(NextData(watch), "c");
  EXPECT_EQ(NextData(watch, 200), "<timeout>");
  for (int i = 0; i < 50 && log.not_permitted < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(log.not_permitted.load(), 3);
  EXPECT_TRUE(natsConnection_Status(lim.nc) == NATS_CONN_STATUS_CONNECTED);
  natsSubscription_Destroy(denied_sub);
  natsSubscription_Destroy(watch);
}

TEST_F(NatsClientTest, AbusiveClientsDoNotDisturbOthers) {
  ServerOptions o;
  o.max_pending = 8 << 20;
  Start(o);
  Conn good, pub;
  ASSERT_EQ(Connect(&good), NATS_OK);
  ASSERT_EQ(Connect(&pub), NATS_OK);
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, good.nc, "feed"), NATS_OK);
  natsSubscription_SetPendingLimits(sub, -1, -1);
  natsConnection_Flush(good.nc);

  // A reader that subscribes and never reads again.
  RawClient stalled(server_->port());
  stalled.Send("CONNECT {\"verbose\":false}\r\nSUB feed 1\r\nPING\r\n");
  ASSERT_TRUE(stalled.ReadUntil("PONG\r\n"));
  int small = 4096;
  setsockopt(stalled.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));

  // A client sending megabytes of garbage.
  std::thread garbage([&] {
    RawClient g(server_->port());
    std::string junk(1 << 20, '\x07');
    for (int i = 0; i < 4 && g.Send(junk); ++i) {
    }
    g.WaitClosed();
  });

  const int kN = 40000;
  std::string payload(512, 'p');
  for (int i = 0; i < kN; ++i) {
    ASSERT_EQ(natsConnection_Publish(pub.nc, "feed", payload.data(), payload.size()), NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(pub.nc), NATS_OK);
  int received = 0;
  while (received < kN && NextData(sub) == payload) ++received;
  EXPECT_EQ(received, kN);
  garbage.join();
  // The stalled reader was cut off as a slow consumer.
  char buf[65536];
  ssize_t n;
  while ((n = recv(stalled.fd(), buf, sizeof(buf), 0)) > 0) {
  }
  EXPECT_EQ(n, 0);
  natsSubscription_Destroy(sub);
}

// Counts one subscriber's messages per publisher ("<publisher> <seq>").
struct FanInCounter {
  std::atomic<int> received[2] = {0, 0};
  std::atomic<int> out_of_order{0};
  int next[2] = {0, 0};  // touched only by the subscription's callback thread
};

void CountFanIn(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* counter = static_cast<FanInCounter*>(closure);
  const char* data = natsMsg_GetData(msg);
  const int publisher = data[0] == '1' ? 1 : 0;
  const int seq = std::atoi(data + 2);
  if (seq != counter->next[publisher]) counter->out_of_order.fetch_add(1);
  counter->next[publisher] = seq + 1;
  counter->received[publisher].fetch_add(1);
  natsMsg_Destroy(msg);
}

TEST_F(NatsClientTest, FastPublishersAreSlowedNotSubscribersCutOff) {
  ServerOptions o;
  o.max_pending = 4 << 20;
  Start(o);
  constexpr int kSubs = 2;
  constexpr int kN = 300000;
  Conn subs[kSubs], pubs[2];
  FanInCounter counters[kSubs];
  natsSubscription* sub[kSubs] = {nullptr, nullptr};
  for (int i = 0; i < kSubs; ++i) {
    ASSERT_EQ(Connect(&subs[i]), NATS_OK);
    ASSERT_EQ(natsConnection_Subscribe(&sub[i], subs[i].nc, "fanin", CountFanIn, &counters[i]),
              NATS_OK);
    natsSubscription_SetPendingLimits(sub[i], -1, -1);
    ASSERT_EQ(natsConnection_Flush(subs[i].nc), NATS_OK);
  }
  for (Conn& p : pubs) ASSERT_EQ(Connect(&p), NATS_OK);

  std::atomic<int> publish_errors{0};
  std::vector<std::thread> publishers;
  for (int p = 0; p < 2; ++p) {
    publishers.emplace_back([&, p] {
      std::string payload(128, 'x');
      for (int i = 0; i < kN; ++i) {
        const std::string head = std::to_string(p) + " " + std::to_string(i) + " ";
        payload.replace(0, head.size(), head);
        if (natsConnection_Publish(pubs[p].nc, "fanin", payload.data(), payload.size()) !=
            NATS_OK) {
          publish_errors.fetch_add(1);
          return;
        }
      }
      if (natsConnection_FlushTimeout(pubs[p].nc, 60000) != NATS_OK) publish_errors.fetch_add(1);
    });
  }
  for (std::thread& t : publishers) t.join();
  EXPECT_EQ(publish_errors.load(), 0);

  auto done = [&](int i) {
    return counters[i].received[0].load() + counters[i].received[1].load() == 2 * kN;
  };
  for (int wait = 0; wait < 6000 && !(done(0) && done(1)); ++wait) {
    if (natsConnection_Status(subs[0].nc) != NATS_CONN_STATUS_CONNECTED ||
        natsConnection_Status(subs[1].nc) != NATS_CONN_STATUS_CONNECTED) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < kSubs; ++i) {
    EXPECT_EQ(natsConnection_Status(subs[i].nc), NATS_CONN_STATUS_CONNECTED) << "subscriber " << i;
    EXPECT_EQ(counters[i].received[0].load(), kN) << "subscriber " << i;
    EXPECT_EQ(counters[i].received[1].load(), kN) << "subscriber " << i;
    EXPECT_EQ(counters[i].out_of_order.load(), 0) << "subscriber " << i;
    int64_t dropped = -1;
    natsSubscription_GetDropped(sub[i], &dropped);
    EXPECT_EQ(dropped, 0);
    natsSubscription_Unsubscribe(sub[i]);
    natsSubscription_Destroy(sub[i]);
  }
  for (Conn& p : pubs) EXPECT_EQ(natsConnection_Status(p.nc), NATS_CONN_STATUS_CONNECTED);
}

}  // namespace
}  // namespace jsengine::testing::core
