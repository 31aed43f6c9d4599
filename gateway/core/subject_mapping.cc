#include "gateway/core/subject_mapping.h"

#include <algorithm>
#include <cstdint>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/subject.h"

namespace jsengine::gateway::core {
namespace {

// 0..n-1, from a per-thread generator.
int RandomBelow(int n) {
  thread_local std::mt19937 generator{std::random_device{}()};
  return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(generator));
}

}  // namespace

absl::StatusOr<SubjectMapper> SubjectMapper::Create(
    const std::vector<SubjectMappingOptions>& mappings, std::string_view cluster) {
  SubjectMapper mapper;
  for (const SubjectMappingOptions& m : mappings) {
    auto error = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config line ", m.line, ": Error adding mapping for \"", m.source, "\": ", what));
    };
    if (!common::IsValidSubject(m.source)) {
      return absl::InvalidArgumentError(absl::StrCat("config line ", m.line, ": Subject \"",
                                                     m.source, "\" is not a valid subject"));
    }
    Mapping mapping;
    mapping.source = m.source;
    mapping.wildcard = m.source.find_first_of("*>") != std::string::npos;
    absl::flat_hash_set<std::string> seen;
    bool has_cluster = false;
    for (const MappingDestination& d : m.destinations) {
      if (!seen.insert(d.subject).second) {
        return error(absl::StrCat("duplicate entry for \"", d.subject, "\""));
      }
      if (!d.cluster.empty() && d.cluster == cluster) has_cluster = true;
    }
    std::vector<std::pair<int, common::SubjectTransform>> picked;
    int total = 0;
    for (const MappingDestination& d : m.destinations) {
      if (d.weight < 0 || d.weight > 100) return error("individual weights need to be <= 100");
      absl::StatusOr<common::SubjectTransform> t =
          common::SubjectTransform::Create(m.source, d.subject);
      if (!t.ok()) return error(std::string(t.status().message()));
      if (has_cluster ? d.cluster != cluster : !d.cluster.empty()) continue;
      total += d.weight;
      if (total > 100) return error("total weight needs to be <= 100");
      picked.emplace_back(d.weight, *std::move(t));
    }
    if (total != 100 && !seen.contains(m.source)) {
      // The rest of the messages keep their subject.
      std::vector<std::string> identity;
      int wildcard = 0;
      for (absl::string_view token : absl::StrSplit(m.source, '.')) {
        identity.push_back(token == "*" ? absl::StrCat("$", ++wildcard) : std::string(token));
      }
      absl::StatusOr<common::SubjectTransform> t =
          common::SubjectTransform::Create(m.source, absl::StrJoin(identity, "."));
      if (!t.ok()) return error(std::string(t.status().message()));
      picked.emplace_back(picked.empty() ? 100 : 100 - total, *std::move(t));
    }
    std::stable_sort(picked.begin(), picked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    int cumulative = 0;
    for (auto& [weight, transform] : picked) {
      cumulative += weight;
      mapping.destinations.push_back(Destination{std::move(transform), cumulative});
    }
    auto existing = std::find_if(mapper.mappings_.begin(), mapper.mappings_.end(),
                                 [&](const Mapping& e) { return e.source == m.source; });
    if (existing != mapper.mappings_.end()) {
      *existing = std::move(mapping);
    } else {
      mapper.mappings_.push_back(std::move(mapping));
    }
  }
  return mapper;
}

bool SubjectMapper::Map(std::string_view subject, std::string* mapped) const {
  for (const Mapping& m : mappings_) {
    if (m.wildcard ? !common::SubjectMatches(m.source, subject) : m.source != subject) continue;
    const Destination* picked = nullptr;
    if (m.destinations.size() == 1 && m.destinations[0].cumulative_weight == 100) {
      picked = &m.destinations[0];
    } else {
      const int w = RandomBelow(100);
      for (const Destination& d : m.destinations) {
        if (w < d.cumulative_weight) {
          picked = &d;
          break;
        }
      }
    }
    // Weights below 100 with the source among the destinations: nothing
    // picked drops the message, as nats-server maps it to an empty subject.
    *mapped = picked == nullptr ? std::string()
                                : picked->transform.Match(subject).value_or(std::string());
    return true;
  }
  return false;
}

}  // namespace jsengine::gateway::core
