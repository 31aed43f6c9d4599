// The seed article's device (docs/TUTORIAL.md): every second it publishes a
// temperature reading on devices.<ID>.events as a plain NATS request, and
// prints the acknowledgement the server sends back once the message set has
// stored it. Uses only the official NATS C client, no JetStream API.
//
//   device <ID> [COUNT]     COUNT readings, or until killed
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>

#include "docs/examples/nats_url.h"
#include "nats/nats.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: device <ID> [COUNT]\n");
    return 2;
  }
  const std::string subject = std::string("devices.") + argv[1] + ".events";
  const long count = argc == 3 ? std::strtol(argv[2], nullptr, 10) : -1;

  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_ConnectTo(&nc, jsengine::examples::NatsUrl().c_str());
  if (s != NATS_OK) {
    std::fprintf(stderr, "device: cannot connect: %s\n", natsStatus_GetText(s));
    return 1;
  }
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> temperature(20, 25);
  for (long sent = 0; count < 0 || sent < count; ++sent) {
    if (sent > 0) sleep(1);
    char ts[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    char reading[96];
    std::snprintf(reading, sizeof reading, "{\"ts\": \"%s\", \"temp\": %.2f}", ts,
                  temperature(random));
    std::printf("Sending %s\n", reading);
    std::fflush(stdout);
    natsMsg* ack = nullptr;
    s = natsConnection_RequestString(&ack, nc, subject.c_str(), reading, 5000);
    if (s != NATS_OK) {
      std::fprintf(stderr, "device: no acknowledgement: %s\n", natsStatus_GetText(s));
      break;
    }
    std::printf("Received %.*s\n", natsMsg_GetDataLength(ack), natsMsg_GetData(ack));
    std::fflush(stdout);
    natsMsg_Destroy(ack);
  }
  natsConnection_Destroy(nc);
  nats_Close();
  return s == NATS_OK ? 0 : 1;
}
