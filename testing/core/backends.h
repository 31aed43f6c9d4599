// The servers a side-by-side test runs against: the gateway binary and the
// reference nats-server, as a gtest parameter.
//
//   INSTANTIATE_TEST_SUITE_P(Servers, MyTest, AllBackends(), BackendName);
#ifndef JSENGINE_TESTING_CORE_BACKENDS_H_
#define JSENGINE_TESTING_CORE_BACKENDS_H_

#include <string>

#include "gtest/gtest.h"
#include "testing/harness/harness.h"

namespace jsengine::testing::core {

struct Backend {
  const char* name;
  std::string (*binary)();
};

inline std::string GatewayBinary() { return harness::RunfilePath("gateway/gateway"); }

inline auto AllBackends() {
  return ::testing::Values(Backend{"gateway", &GatewayBinary},
                           Backend{"nats_server", &harness::NatsServerBinary});
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

}  // namespace jsengine::testing::core

#endif  // JSENGINE_TESTING_CORE_BACKENDS_H_
