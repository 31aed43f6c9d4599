// Where the tutorial's example programs find the server: $NATS_URL, else
// the gateway's default port.
//
// Thread-safety: reads the environment.
#ifndef JSENGINE_DOCS_EXAMPLES_NATS_URL_H_
#define JSENGINE_DOCS_EXAMPLES_NATS_URL_H_

#include <cstdlib>
#include <string>

namespace jsengine::examples {

inline std::string NatsUrl() {
  const char* url = std::getenv("NATS_URL");
  return url != nullptr && *url != '\0' ? url : "nats://127.0.0.1:4222";
}

}  // namespace jsengine::examples

#endif  // JSENGINE_DOCS_EXAMPLES_NATS_URL_H_
