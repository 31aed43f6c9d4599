// Starts an in-process core server for a test on 127.0.0.1 and a free port.
#ifndef JSENGINE_TESTING_CORE_TEST_SERVER_H_
#define JSENGINE_TESTING_CORE_TEST_SERVER_H_

#include <memory>

#include "gateway/core/server.h"
#include "gtest/gtest.h"

namespace jsengine::testing::core {

inline std::unique_ptr<gateway::core::Server> StartTestServer(
    gateway::core::ServerOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  options.event_loops = 2;
  auto server = std::make_unique<gateway::core::Server>(options);
  absl::Status s = server->Start();
  EXPECT_TRUE(s.ok()) << s;
  return server;
}

}  // namespace jsengine::testing::core

#endif  // JSENGINE_TESTING_CORE_TEST_SERVER_H_
