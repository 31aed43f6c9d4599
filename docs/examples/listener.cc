// The seed article's listener (docs/TUTORIAL.md): a plain NATS subscriber
// on devices.events, where the durable push observable "temperature"
// delivers every stored reading under its ORIGINAL subject. It acks each
// message (the observable ignores acks when its AckPolicy is none), so that
// when it goes offline it resumes after the last acknowledged one. Uses only
// the official NATS C client, no JetStream API.
//
//   listener [COUNT]     exits after COUNT messages, or runs until killed
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "docs/examples/nats_url.h"
#include "nats/nats.h"

int main(int argc, char** argv) {
  if (argc > 2) {
    std::fprintf(stderr, "usage: listener [COUNT]\n");
    return 2;
  }
  const long count = argc == 2 ? std::strtol(argv[1], nullptr, 10) : -1;

  natsConnection* nc = nullptr;
  natsSubscription* sub = nullptr;
  natsStatus s = natsConnection_ConnectTo(&nc, jsengine::examples::NatsUrl().c_str());
  if (s == NATS_OK) s = natsConnection_SubscribeSync(&sub, nc, "devices.events");
  if (s == NATS_OK) s = natsConnection_Flush(nc);
  if (s != NATS_OK) {
    std::fprintf(stderr, "listener: cannot subscribe: %s\n", natsStatus_GetText(s));
    return 1;
  }
  std::printf("Subscribed to [devices.events]\n");
  std::fflush(stdout);
  long received = 0;
  while (count < 0 || received < count) {
    natsMsg* msg = nullptr;
    // With a COUNT the messages are expected soon; without, wait for ever.
    s = natsSubscription_NextMsg(&msg, sub, count < 0 ? 60 * 1000 : 30 * 1000);
    if (s == NATS_TIMEOUT && count < 0) continue;
    if (s != NATS_OK) {
      std::fprintf(stderr, "listener: %s\n", natsStatus_GetText(s));
      break;
    }
    ++received;
    std::printf("[%s] %.*s\n", natsMsg_GetSubject(msg), natsMsg_GetDataLength(msg),
                natsMsg_GetData(msg));
    std::fflush(stdout);
    const char* reply = natsMsg_GetReply(msg);
    if (reply != nullptr && std::strncmp(reply, "$JS.ACK.", 8) == 0) {
      natsMsg* confirmed = nullptr;  // Waits until the ack is recorded.
      natsConnection_RequestString(&confirmed, nc, reply, "+ACK", 5000);
      natsMsg_Destroy(confirmed);
    }
    natsMsg_Destroy(msg);
  }
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
  nats_Close();
  return s == NATS_OK ? 0 : 1;
}
