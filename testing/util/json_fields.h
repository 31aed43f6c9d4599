// The field names of a JSON document, for tests that compare the shape of
// the gateway's answers with nats-server's: "a", "a.b", "a.list[].c", ...
// (every field, recursively; of every element of an array). The keys of
// maps that count things by name (http_req_stats) are data, not fields.
// Pure function; thread-safe.
#ifndef JSENGINE_TESTING_UTIL_JSON_FIELDS_H_
#define JSENGINE_TESTING_UTIL_JSON_FIELDS_H_

#include <set>
#include <string>

#include "nlohmann/json.hpp"

namespace jsengine::testing::util {

void JsonFields(const nlohmann::json& json, const std::string& prefix, std::set<std::string>* out);

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_JSON_FIELDS_H_
