// Runs a TEST_P suite whose parameter is a Topology::Kind once per
// deployment: the embedded gateway, the three processes, and nats-server as
// the reference. Each instance is named after its deployment.
//
//   class JetStreamRetentionTest : public ::testing::TestWithParam<harness::Topology::Kind> {};
//   TEST_P(JetStreamRetentionTest, ...) { ... }
//   JSE_TOPOLOGY_SUITE(JetStreamRetentionTest);
//
// Thread-safety: as gtest's registration.
#ifndef JSENGINE_TESTING_HARNESS_TOPOLOGY_SUITE_H_
#define JSENGINE_TESTING_HARNESS_TOPOLOGY_SUITE_H_

#include <string>

#include "gtest/gtest.h"
#include "testing/harness/topology.h"

namespace jsengine::testing::harness {

inline std::string TopologyParamName(const ::testing::TestParamInfo<Topology::Kind>& info) {
  return Topology::Name(info.param);
}

}  // namespace jsengine::testing::harness

#define JSE_TOPOLOGY_SUITE(suite)                                                                 \
  INSTANTIATE_TEST_SUITE_P(Deployments, suite,                                                    \
                           ::testing::Values(::jsengine::testing::harness::Topology::kEmbedded,   \
                                             ::jsengine::testing::harness::Topology::kSeparate,   \
                                             ::jsengine::testing::harness::Topology::kReference), \
                           ::jsengine::testing::harness::TopologyParamName)

#endif  // JSENGINE_TESTING_HARNESS_TOPOLOGY_SUITE_H_
