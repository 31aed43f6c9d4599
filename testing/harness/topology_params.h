// The three deployments as GoogleTest parameters, for tests that run the
// same expectations against each:
//
//   INSTANTIATE_TEST_SUITE_P(Deployments, MyTest, harness::AllTopologies(),
//                            harness::TopologyName());
//
// Test names end in /Embedded, /Separate and /Reference.
#ifndef JSENGINE_TESTING_HARNESS_TOPOLOGY_PARAMS_H_
#define JSENGINE_TESTING_HARNESS_TOPOLOGY_PARAMS_H_

#include <string>

#include "gtest/gtest.h"
#include "testing/harness/topology.h"

namespace jsengine::testing::harness {

inline auto AllTopologies() {
  return ::testing::Values(Topology::kEmbedded, Topology::kSeparate, Topology::kReference);
}

struct TopologyName {
  std::string operator()(const ::testing::TestParamInfo<Topology::Kind>& info) const {
    return Topology::Name(info.param);
  }
};

}  // namespace jsengine::testing::harness

#endif  // JSENGINE_TESTING_HARNESS_TOPOLOGY_PARAMS_H_
