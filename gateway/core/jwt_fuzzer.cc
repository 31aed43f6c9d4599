// libFuzzer target for the JWT decoder (user JWTs come from CONNECT, account
// JWTs from claim updates). Besides crashes it checks that nothing decodes
// whose signature does not verify: input is not signed by any key, so
// every decode must fail at or before the signature.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/core/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace jsengine::gateway::core;
  if (DecodeJwt(input).ok()) std::abort();
  if (DecodeUserClaims(input).ok()) std::abort();
  if (DecodeAccountClaims(input).ok()) std::abort();
  if (DecodeOperatorClaims(input).ok()) std::abort();
  (void)ParseDecoratedJwt(input);
  return 0;
}
