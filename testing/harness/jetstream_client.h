// JetStreamClient: a connection of the official NATS C client and its
// JetStream context, as the end-to-end tests use them against a Topology.
//
//   harness::JetStreamClient client;
//   ASSERT_TRUE(client.Connect(engine->nats_url()).ok());
//   js_AddStream(&info, client.js(), &config, nullptr, &error);
//   client.Close();  // Before a restart; the destructor closes too.
//
// Not thread-safe.
#ifndef JSENGINE_TESTING_HARNESS_JETSTREAM_CLIENT_H_
#define JSENGINE_TESTING_HARNESS_JETSTREAM_CLIENT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "nats/nats.h"

namespace jsengine::testing::harness {

// Adds a stream of `name` on the one `subject` through `js`, `adjust` (if
// set) filling in the rest of its configuration; NATS_OK or the C client's
// error, with the JetStream error code in `*error` when not null.
natsStatus AddStream(jsCtx* js, const char* name, const char* subject,
                     const std::function<void(jsStreamConfig&)>& adjust = nullptr,
                     jsErrCode* error = nullptr);

class JetStreamClient {
 public:
  JetStreamClient() = default;
  JetStreamClient(const JetStreamClient&) = delete;
  JetStreamClient& operator=(const JetStreamClient&) = delete;
  ~JetStreamClient() { Close(); }

  // Connects to `url`; JetStream API calls wait `api_wait_ms` for replies.
  absl::Status Connect(const std::string& url, int64_t api_wait_ms = 10000);
  // Destroys the context and the connection, if any.
  void Close();

  // Adds a stream of `name` on the one `subject` (defaults elsewhere);
  // NATS_OK or the C client's error.
  natsStatus AddStream(const char* name, const char* subject,
                       jsStorageType storage = js_FileStorage);

  // nullptr while not connected.
  natsConnection* nc() const { return nc_; }
  jsCtx* js() const { return js_; }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace jsengine::testing::harness

#endif  // JSENGINE_TESTING_HARNESS_JETSTREAM_CLIENT_H_
