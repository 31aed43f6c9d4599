// Subject mappings, as nats-server's `mappings {}` (account and top level):
// a message published on a mapping's source subject goes to one of its
// destinations instead, picked at random by weight, with the destination
// built from the published subject's tokens:
//
//   "orders.*": "orders.new.$1"                      # $1 == {{wildcard(1)}}
//   "load.*":   "load.{{partition(4,1)}}.{{wildcard(1)}}"
//   "canary":   [{destination: "canary.new", weight: 10%}]   # 90%: unchanged
//
// Destinations are common::SubjectTransform's (nats-server 2.10's mapping
// functions). SubjectMapper is immutable once created and thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_SUBJECT_MAPPING_H_
#define JSENGINE_GATEWAY_CORE_SUBJECT_MAPPING_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/subject_transform.h"
#include "gateway/core/account_options.h"

namespace jsengine::gateway::core {

class SubjectMapper {
 public:
  SubjectMapper() = default;

  // Compiles mappings as nats-server's AddWeightedMappings: destinations
  // are unique, weights at most 100 in total per cluster; below 100 the
  // rest keeps the source subject. Destinations of another `cluster` than
  // `cluster` are left out (those of `cluster` replace the others).
  static absl::StatusOr<SubjectMapper> Create(const std::vector<SubjectMappingOptions>& mappings,
                                              std::string_view cluster);

  bool empty() const { return mappings_.empty(); }

  // If a mapping's source matches `subject` (the first such, in config
  // order), sets `*mapped` to the destination picked for this message
  // (possibly `subject` itself) and returns true.
  bool Map(std::string_view subject, std::string* mapped) const;

 private:
  struct Destination {
    common::SubjectTransform transform;
    int cumulative_weight;  // picked when a random 0..99 is below this
  };
  struct Mapping {
    std::string source;
    bool wildcard;
    std::vector<Destination> destinations;
  };
  std::vector<Mapping> mappings_;
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_SUBJECT_MAPPING_H_
