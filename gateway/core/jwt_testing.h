// Test helpers that play nsc's part: fresh nkeys and JWTs signed with them,
// so tests make their own operators, accounts and users. Thread-safe.
//
//   TestNkey op = TestNkey::Create(kNkeyPrefixOperator);
//   std::string jwt = SignJwt({{"sub", op.public_key}, {"nats", {{"type", "operator"}}}}, op);
#ifndef JSENGINE_GATEWAY_CORE_JWT_TESTING_H_
#define JSENGINE_GATEWAY_CORE_JWT_TESTING_H_

#include <cstdint>
#include <string>

#include "gateway/core/nkey.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::core {

struct TestNkey {
  NkeyBytes seed;
  std::string public_key;  // with the role's prefix
  static TestNkey Create(uint8_t prefix);
};

// Signs `claims` as `issuer` (setting "iss", "iat" and "jti" when missing and
// "nats.version" 2): a v2 JWT, or with `v1` a v1 one ("type" at the top).
std::string SignJwt(nlohmann::json claims, const TestNkey& issuer, bool v1 = false);

// A creds file's text (what nsc writes) for a user JWT and the user's seed.
std::string CredsFile(const std::string& user_jwt, const NkeyBytes& user_seed);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_JWT_TESTING_H_
