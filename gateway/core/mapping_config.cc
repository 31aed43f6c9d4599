// Reader of nats-server's `mappings {}` blocks (top level and per account).
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gateway/core/config_values.h"
#include "gateway/core/subject_mapping.h"

namespace jsengine::gateway::core {
namespace {

absl::Status MappingConfigError(int line, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("config line ", line, ": ", what));
}

// `{destination: "x", weight: 50%, cluster: c}`.
absl::Status ApplyDestination(const ConfigValue& v, MappingDestination* d) {
  if (v.kind != ConfigValue::Kind::kMap) {
    return MappingConfigError(v.line, "Expected an entry for the mapping destination");
  }
  bool weighted = false;
  for (const auto& [key_as_written, val] : v.entries) {
    // Keys are case-insensitive, as in nats-server.
    const std::string k = absl::AsciiStrToLower(key_as_written);
    absl::Status s;
    if (k == "dest" || k == "destination") {
      s = GetString(k, val, &d->subject);
    } else if (k == "weight") {
      absl::string_view text = val.text;
      absl::ConsumeSuffix(&text, "%");
      if (val.kind != ConfigValue::Kind::kScalar || !absl::SimpleAtoi(text, &d->weight)) {
        return MappingConfigError(
            val.line, absl::StrCat("Invalid weight \"", val.text, "\" for mapping destination"));
      }
      if (d->weight < 0 || d->weight > 100) {
        return MappingConfigError(
            val.line, absl::StrCat("Invalid weight ", d->weight, " for mapping destination"));
      }
      weighted = true;
    } else if (k == "cluster") {
      s = GetString(k, val, &d->cluster);
    } else {
      return MappingConfigError(val.line,
                                absl::StrCat("Unknown field \"", k, "\" for mapping destination"));
    }
    if (!s.ok()) return s;
  }
  if (!weighted) {
    return MappingConfigError(
        v.line, absl::StrCat("Missing weight for mapping destination \"", d->subject, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyMappings(const std::string& key, const ConfigValue& v,
                           std::vector<SubjectMappingOptions>* mappings) {
  if (v.kind != ConfigValue::Kind::kMap) return ValueError(key, v, "must be a map");
  std::vector<SubjectMappingOptions> parsed;
  for (const auto& [source, val] : v.entries) {
    SubjectMappingOptions m;
    m.source = source;
    m.line = val.line;
    if (val.kind == ConfigValue::Kind::kScalar) {
      m.destinations.push_back(MappingDestination{val.text, 100, ""});
    } else {
      const std::vector<ConfigValue> single = {val};
      const std::vector<ConfigValue>& items =
          val.kind == ConfigValue::Kind::kArray ? val.items : single;
      for (const ConfigValue& item : items) {
        MappingDestination d;
        if (absl::Status s = ApplyDestination(item, &d); !s.ok()) return s;
        m.destinations.push_back(std::move(d));
      }
    }
    parsed.push_back(std::move(m));
  }
  absl::StatusOr<SubjectMapper> check = SubjectMapper::Create(parsed, "");
  if (!check.ok()) return check.status();
  for (SubjectMappingOptions& m : parsed) mappings->push_back(std::move(m));
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::core
